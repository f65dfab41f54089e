from django.urls import path

from . import views

urlpatterns = [
    path("cases/<int:pk>/notes/", views.case_notes, name="case-notes"),
    path("cases/<int:pk>/notes/<int:note_pk>/correct/", views.case_note_correct, name="case-note-correct"),
]
