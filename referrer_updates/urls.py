from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/weekly-summary/", views.case_weekly_summary, name="case-weekly-summary"),
]
