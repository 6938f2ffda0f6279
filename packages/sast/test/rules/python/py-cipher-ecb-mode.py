from Crypto.Cipher import AES
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

# ruleid: py-cipher-ecb-mode
c1 = AES.new(key, AES.MODE_ECB)
# ruleid: py-cipher-ecb-mode
c2 = Cipher(algorithms.AES(key), modes.ECB())
# ok: py-cipher-ecb-mode
c3 = AES.new(key, AES.MODE_GCM)
