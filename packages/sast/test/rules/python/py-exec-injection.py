def hook(request):
    code = request.POST["code"]
    # ruleid: py-exec-injection
    exec(code)
    # ok: py-exec-injection
    exec("import math")
