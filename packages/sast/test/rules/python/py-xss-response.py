def hello(request):
    # ruleid: py-xss-response
    return HttpResponse("<h1>Hello " + request.GET["name"] + "</h1>")


@app.route("/hi")
def hi():
    name = request.args.get("name", "")
    # ruleid: py-xss-response
    resp = make_response(f"<p>{name}</p>")
    # ok: py-xss-response
    resp2 = make_response(f"<p>{escape(name)}</p>")
    # ok: py-xss-response
    resp3 = make_response("<p>static</p>")
    return resp, resp2, resp3
