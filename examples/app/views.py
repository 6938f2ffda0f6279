"""A deliberately vulnerable Flask app for the DevSecFlow quick start (planted issues marked PLANTED)."""
import sqlite3
import subprocess

import yaml
from flask import Flask, request

app = Flask(__name__)


@app.route("/user")
def user():
    db = sqlite3.connect("app.db")
    uid = request.args.get("id", "")
    # PLANTED py-sql-injection: the id is formatted into the SQL text.
    rows = db.execute("SELECT name FROM users WHERE id = '%s'" % uid).fetchall()
    # Safe twin: a bound parameter.
    rows_safe = db.execute("SELECT name FROM users WHERE id = ?", (uid,)).fetchall()
    return {"rows": rows, "safe": rows_safe}


@app.route("/lookup")
def lookup():
    host = request.args.get("host", "")
    # PLANTED py-subprocess-shell-true
    out = subprocess.run("nslookup " + host, shell=True, capture_output=True).stdout
    # Safe twin: an argument list, no shell.
    out_safe = subprocess.run(["nslookup", host], capture_output=True).stdout
    return out + out_safe


@app.route("/import", methods=["POST"])
def import_settings():
    # PLANTED py-yaml-unsafe-load
    settings = yaml.load(request.data, Loader=yaml.Loader)
    # Safe twin
    settings_safe = yaml.safe_load(request.data)
    return {"settings": str(settings), "safe": str(settings_safe)}
