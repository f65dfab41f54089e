from django.urls import path

from . import views

# Under /cases/, where they have always been: the subject access pages are tabs of a case.
urlpatterns = [
    path("<int:pk>/subject-access/", views.case_sar, name="case-sar"),
    path("<int:pk>/subject-access/new/", views.sar_prepare, name="sar-prepare"),
    path("<int:pk>/subject-access/<int:sar_pk>/review/", views.sar_review, name="sar-review"),
    path("<int:pk>/subject-access/<int:sar_pk>/release/", views.sar_release, name="sar-release"),
    path("<int:pk>/subject-access/<int:sar_pk>/export.pdf", views.sar_download, name="sar-download"),
]
