# Planted for the quick start: a fake AWS key pair and a database URL with a password.
import os

AWS_ACCESS_KEY_ID = "AKIAXBOCYPPFIRGCWPZ4"
AWS_SECRET_ACCESS_KEY = "Qy7VOFOgE+nsxXu4hvafv7+eWyRwhVdAfiwGzZVj"
DATABASE_URL = "postgres://app:Qd7mSrkbyOfDfEjNJ7@db.internal:5432/app"
DEBUG = os.environ.get("DEBUG") == "1"
