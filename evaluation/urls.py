from django.urls import path

from . import case_views, views

urlpatterns = [
    path("cases/<int:pk>/data-quality/", case_views.case_data_quality, name="case-data-quality"),
    path("reports/monitoring/", views.monitoring_report_view, name="monitoring-report"),
    path("evaluation/", views.evaluation_export, name="evaluation-export"),
    path("evaluation/referrals.csv", views.evaluation_export_referrals, name="evaluation-export-referrals"),
    path("evaluation/assessments.csv", views.evaluation_export_assessments, name="evaluation-export-assessments"),
    path("evaluation/events.csv", views.evaluation_export_events, name="evaluation-export-events"),
    path("evaluation/case_weeks.csv", views.evaluation_export_case_weeks, name="evaluation-export-case-weeks"),
    path(
        "evaluation/partner_outcomes.csv",
        views.evaluation_export_partner_outcomes,
        name="evaluation-export-partner-outcomes",
    ),
]
