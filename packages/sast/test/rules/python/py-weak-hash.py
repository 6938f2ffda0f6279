import hashlib
from hashlib import md5, sha256

# ruleid: py-weak-hash
h = hashlib.md5(data).hexdigest()
# ruleid: py-weak-hash
h2 = hashlib.new("sha1", data)
# ok: py-weak-hash
h3 = hashlib.sha256(data).hexdigest()
# ok: py-weak-hash
etag = hashlib.md5(data, usedforsecurity=False).hexdigest()
# ruleid: py-weak-hash
h4 = md5(data).hexdigest()
# ok: py-weak-hash
h5 = sha256(data).hexdigest()
