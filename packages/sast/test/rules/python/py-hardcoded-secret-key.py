# ruleid: py-hardcoded-secret-key
SECRET_KEY = "django-insecure-8f#k2!x@p0z"
# ruleid: py-hardcoded-secret-key
app.secret_key = "dev-secret-123"
# ruleid: py-hardcoded-secret-key
app.config["SECRET_KEY"] = "another-secret"
# ok: py-hardcoded-secret-key
SECRET_KEY = os.environ["SECRET_KEY"]
