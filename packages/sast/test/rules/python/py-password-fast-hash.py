import hashlib
from hashlib import md5


def register(username, password):
    # ruleid: py-password-fast-hash
    digest = hashlib.sha256(password.encode()).hexdigest()
    # ok: py-password-fast-hash
    key = hashlib.sha256(username.encode()).hexdigest()
    # ruleid: py-password-fast-hash
    legacy = md5(password.encode()).hexdigest()
    # ok: py-password-fast-hash
    etag = md5(username.encode()).hexdigest()
    return digest, key, legacy, etag
