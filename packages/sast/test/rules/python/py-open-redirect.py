@app.route("/login")
def login():
    nxt = request.args.get("next")
    # ruleid: py-open-redirect
    return redirect(nxt)


def logout(request):
    # ruleid: py-open-redirect
    return HttpResponseRedirect(request.GET["next"])


def home(request):
    # ok: py-open-redirect
    return redirect("/home")


def safe(request):
    nxt = request.GET["next"]
    # ok: py-open-redirect
    return redirect(nxt if url_has_allowed_host_and_scheme(nxt, None) else "/")
