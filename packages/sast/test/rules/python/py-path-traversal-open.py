@app.route("/read")
def read():
    name = request.args.get("name")
    # ruleid: py-path-traversal-open
    with open("/srv/files/" + name) as f:
        data = f.read()
    # ok: py-path-traversal-open
    with open(os.path.join("/srv/files", secure_filename(name))) as f:
        data += f.read()
    # ok: py-path-traversal-open
    with open("/srv/files/index.txt") as f:
        data += f.read()
    return data
