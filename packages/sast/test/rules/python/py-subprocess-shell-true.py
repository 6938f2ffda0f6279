import subprocess
from flask import request


@app.route("/ping")
def ping():
    host = request.args.get("host")
    # ruleid: py-subprocess-shell-true
    subprocess.run("ping -c 1 " + host, shell=True)
    # ruleid: py-subprocess-shell-true
    subprocess.check_output(f"nslookup {request.args['name']}", shell=True)
    # ok: py-subprocess-shell-true
    subprocess.run(["ping", "-c", "1", host])
    # ok: py-subprocess-shell-true
    subprocess.run("ls -la", shell=True)
    # ok: py-subprocess-shell-true
    subprocess.run("ping -c 1 " + shlex.quote(host), shell=True)


def run(cmd):
    # ruleid: py-subprocess-shell-true
    return subprocess.call(cmd, shell=True)
