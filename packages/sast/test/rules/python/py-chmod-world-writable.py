import os
import stat

# ruleid: py-chmod-world-writable
os.chmod("/tmp/app.sock", 0o777)
# ruleid: py-chmod-world-writable
os.chmod(path, stat.S_IRWXU | stat.S_IWOTH)
# ok: py-chmod-world-writable
os.chmod(path, 0o640)
