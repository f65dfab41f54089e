from django.urls import path

from . import views

urlpatterns = [
    path("<int:pk>/assessments/", views.case_assessments, name="case-assessments"),
    path("<int:pk>/assessments/<str:instrument>/<str:stage>/new/", views.assessment_new, name="assessment-new"),
    path("<int:pk>/assessments/<int:assessment_pk>/", views.assessment_detail, name="assessment-detail"),
    path(
        "<int:pk>/assessments/<int:assessment_pk>/correct/",
        views.assessment_correct,
        name="assessment-correct",
    ),
]
