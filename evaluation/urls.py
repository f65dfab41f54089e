from django.urls import path

from . import views

urlpatterns = [
    path("reports/monitoring/", views.monitoring_report_view, name="monitoring-report"),
    path("evaluation/", views.evaluation_export, name="evaluation-export"),
    path("evaluation/referrals.csv", views.evaluation_export_referrals, name="evaluation-export-referrals"),
    path("evaluation/assessments.csv", views.evaluation_export_assessments, name="evaluation-export-assessments"),
]
