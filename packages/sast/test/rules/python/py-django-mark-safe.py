from django.utils.safestring import mark_safe


def greet(request):
    # ruleid: py-django-mark-safe
    return mark_safe("<b>Hello " + request.GET["name"] + "</b>")


def badge(text):
    # ruleid: py-django-mark-safe
    html = mark_safe(text)
    # ok: py-django-mark-safe
    icon = mark_safe("<svg></svg>")
    # ok: py-django-mark-safe
    safe = mark_safe(escape(text))
    return html, icon, safe
