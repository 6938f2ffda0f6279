import jwt

# ruleid: py-jwt-no-verify
claims = jwt.decode(token, options={"verify_signature": False})
# ruleid: py-jwt-no-verify
claims2 = jwt.decode(token, key, algorithms=["none"])
# ok: py-jwt-no-verify
claims3 = jwt.decode(token, key, algorithms=["HS256"])
