import random
import secrets


def issue():
    # ruleid: py-insecure-random-token
    reset_token = "".join(random.choice("abcdef0123456789") for _ in range(32))
    # ok: py-insecure-random-token
    delay = random.uniform(0.1, 0.5)
    # ok: py-insecure-random-token
    session_id = secrets.token_urlsafe(32)
    return reset_token, delay, session_id


def generate_otp():
    # ruleid: py-insecure-random-token
    return random.randint(100000, 999999)
