# ruleid: py-bind-all-interfaces
app.run(host="0.0.0.0", port=8080)
# ruleid: py-bind-all-interfaces
sock.bind(("0.0.0.0", 9000))
# ok: py-bind-all-interfaces
app.run(host="127.0.0.1", port=8080)
