def view(request):
    resp = HttpResponse("ok")
    # ruleid: py-cookie-insecure
    resp.set_cookie("session", sid, secure=False)
    # ok: py-cookie-insecure
    resp.set_cookie("session", sid, secure=True, httponly=True)
    return resp


# ruleid: py-cookie-insecure
SESSION_COOKIE_SECURE = False
# ok: py-cookie-insecure
CSRF_COOKIE_SECURE = True
