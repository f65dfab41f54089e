"""The product's URLs plus the baseline: a trivial view through the same stack (session,
sign-in, the permission policy, audit middleware, the page layout), with no data of its own."""

from django.template import engines
from django.urls import include, path

from eip import access

_BASELINE = engines["django"].from_string(
    '{% extends "base.html" %}{% block title %}Baseline{% endblock %}'
    '{% block content %}<h1 class="govuk-heading-l">Baseline</h1>{% endblock %}'
)


@access.policy("home.view")
def baseline(request):
    from django.http import HttpResponse

    return HttpResponse(_BASELINE.render({}, request))


urlpatterns = [path("bench/baseline/", baseline, name="bench-baseline"), path("", include("eip.urls"))]
