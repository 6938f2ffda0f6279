import tarfile

with tarfile.open(upload) as tar:
    # ruleid: py-tarfile-extractall
    tar.extractall("/srv/data")
    # ok: py-tarfile-extractall
    tar.extractall("/srv/data", filter="data")
