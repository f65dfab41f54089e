"""The supervisors' emergency-access queue, outside /cases/ so the navigation marks one place."""

from django.urls import path

from . import views

urlpatterns = [
    path("emergency-access/", views.emergency_access_queue, name="emergency-access-queue"),
    path("emergency-access/<int:pk>/", views.emergency_access_detail, name="emergency-access-detail"),
]
