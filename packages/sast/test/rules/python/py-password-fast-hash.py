import hashlib


def register(username, password):
    # ruleid: py-password-fast-hash
    digest = hashlib.sha256(password.encode()).hexdigest()
    # ok: py-password-fast-hash
    key = hashlib.sha256(username.encode()).hexdigest()
    return digest, key
