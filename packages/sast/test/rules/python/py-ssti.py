@app.route("/page")
def page():
    # ruleid: py-ssti
    return render_template_string("<h1>" + request.args.get("title") + "</h1>")


@app.route("/page2")
def page2():
    # ok: py-ssti
    return render_template_string("<h1>{{ title }}</h1>", title=request.args.get("title"))
