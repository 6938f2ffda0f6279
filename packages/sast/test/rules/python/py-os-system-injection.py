import os


def view(request):
    name = request.GET["name"]
    # ruleid: py-os-system-injection
    os.system("convert " + name + " out.png")
    # ruleid: py-os-system-injection
    os.popen("cat %s" % request.GET.get("f")).read()
    # ok: py-os-system-injection
    os.system("uptime")
    # ok: py-os-system-injection
    os.system("convert %d.png" % int(request.GET["id"]))
