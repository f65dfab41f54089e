from django.urls import path

from . import views

urlpatterns = [
    path("diary/", views.diary, name="diary"),
    path("diary/plan/", views.appointment_schedule, name="appointment-schedule"),
    path("diary/planned/<int:pk>/move/", views.appointment_reschedule, name="appointment-reschedule"),
    path("diary/planned/<int:pk>/cancel/", views.appointment_cancel, name="appointment-cancel"),
    path("diary/planned/<int:pk>/held/", views.appointment_held, name="appointment-held"),
    path("diary/planned/<int:pk>/invitation.ics", views.appointment_invitation_download, name="appointment-invitation"),
    path("diary/cases/<int:pk>/session-reminders/", views.session_reminders, name="session-reminders"),
    # GOV.UK Notify's received-text callback (a client's STOP): no session, Notify's bearer token.
    path("diary/notify/received-text", views.notify_received_text, name="notify-received-text"),
]
