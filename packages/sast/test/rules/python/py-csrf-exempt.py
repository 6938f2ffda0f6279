from django.views.decorators.csrf import csrf_exempt


# ruleid: py-csrf-exempt
@csrf_exempt
def webhook(request):
    return HttpResponse("ok")


# ok: py-csrf-exempt
@login_required
def profile(request):
    return HttpResponse("ok")
