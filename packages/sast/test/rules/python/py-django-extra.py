def listing(request, qs):
    # ruleid: py-django-extra
    a = qs.extra(where=["name = '%s'" % request.GET["n"]])
    # ok: py-django-extra
    b = qs.extra(where=["active = true"])
    # ok: py-django-extra
    c = qs.filter(name=request.GET["n"])
    return a, b, c
