if __name__ == "__main__":
    # ruleid: py-flask-debug
    app.run(host="127.0.0.1", debug=True)
    # ok: py-flask-debug
    app.run(debug=os.environ.get("FLASK_DEBUG") == "1")
