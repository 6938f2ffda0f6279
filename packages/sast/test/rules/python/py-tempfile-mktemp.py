import tempfile

# ruleid: py-tempfile-mktemp
path = tempfile.mktemp(suffix=".txt")
# ok: py-tempfile-mktemp
fd, path2 = tempfile.mkstemp(suffix=".txt")
