import requests


@app.route("/fetch")
def fetch():
    url = request.args.get("url")
    # ruleid: py-ssrf-request
    r = requests.get(url)
    # ruleid: py-ssrf-request
    urllib.request.urlopen(request.form["target"])
    # ok: py-ssrf-request
    requests.get("https://api.example.com/status")
    # ok: py-ssrf-request
    requests.get(f"https://api.example.com/items/{request.args['id']}")
    return r.text
