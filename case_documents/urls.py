from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/documents/", views.case_documents, name="case-documents"),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/download/",
        views.case_document_download,
        name="case-document-download",
    ),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/withdraw/",
        views.case_document_withdraw,
        name="case-document-withdraw",
    ),
    path(
        "cases/<int:pk>/documents/<int:document_pk>/restrict/",
        views.case_document_restrict,
        name="case-document-restrict",
    ),
]
