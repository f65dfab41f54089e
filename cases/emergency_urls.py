"""The supervisors' emergency-access queue, outside /cases/ so the navigation marks one place."""

from django.urls import path

from .views import emergency_access

urlpatterns = [
    path("emergency-access/", emergency_access.emergency_access_queue, name="emergency-access-queue"),
    path("emergency-access/<int:pk>/", emergency_access.emergency_access_detail, name="emergency-access-detail"),
]
