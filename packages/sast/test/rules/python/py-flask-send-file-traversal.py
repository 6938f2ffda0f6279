@app.route("/download")
def download():
    # ruleid: py-flask-send-file-traversal
    return send_file(os.path.join(UPLOADS, request.args["file"]))


@app.route("/download2")
def download2():
    # ok: py-flask-send-file-traversal
    return send_from_directory(UPLOADS, request.args["file"])


@app.route("/logo")
def logo():
    # ok: py-flask-send-file-traversal
    return send_file("static/logo.png")
