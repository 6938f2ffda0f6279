def search(request):
    q = request.GET.get("q")
    # ruleid: py-django-raw-sql
    rows = Person.objects.raw("SELECT * FROM person WHERE last_name = '%s'" % q)
    # ok: py-django-raw-sql
    rows2 = Person.objects.raw("SELECT * FROM person WHERE last_name = %s", [q])
    return rows, rows2
