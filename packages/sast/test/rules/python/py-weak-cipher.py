from Crypto.Cipher import DES, AES
from cryptography.hazmat.primitives.ciphers import algorithms

# ruleid: py-weak-cipher
c1 = DES.new(key, DES.MODE_CBC, iv)
# ruleid: py-weak-cipher
alg = algorithms.TripleDES(key)
# ok: py-weak-cipher
c2 = AES.new(key, AES.MODE_GCM)
