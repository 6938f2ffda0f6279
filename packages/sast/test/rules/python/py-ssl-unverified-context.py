import ssl
import urllib.request

# ruleid: py-ssl-unverified-context
ctx = ssl._create_unverified_context()
# ok: py-ssl-unverified-context
ctx2 = ssl.create_default_context()
