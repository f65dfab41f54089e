"""A URL configuration for tests/test_links.py: the same name at another address."""

from django.http import HttpResponse
from django.urls import path

urlpatterns = [path("elsewhere/<int:pk>/", lambda request, pk: HttpResponse(), name="case-detail")]
