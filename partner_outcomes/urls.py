from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/partner-outcomes/", views.partner_outcomes_view, name="case-partner-outcomes"),
]
