from django.urls import path

from . import views

urlpatterns = [
    path("", views.case_list, name="case-list"),
    path("<int:pk>/", views.case_detail, name="case-detail"),
    path("<int:pk>/accessibility/", views.case_accessibility, name="case-accessibility"),
    path("<int:pk>/plan/", views.case_plan, name="case-plan"),
    path(
        "<int:pk>/consultations/<int:consultation_pk>/invitation.ics",
        views.consultation_invitation,
        name="consultation-invitation",
    ),
    path("<int:pk>/invitations/<str:what>/send/", views.invitation_send, name="invitation-send"),
    path("<int:pk>/consent/", views.case_consent, name="case-consent"),
    path("<int:pk>/consent/<int:consent_pk>/withdraw/", views.consent_withdraw, name="consent-withdraw"),
    path("<int:pk>/sessions/", views.case_sessions, name="case-sessions"),
    path("<int:pk>/meetings/", views.case_meetings, name="case-meetings"),
    path("<int:pk>/meetings/invitation.ics", views.meeting_invitation, name="meeting-invitation"),
    path("<int:pk>/risk/", views.case_risk, name="case-risk"),
    path("<int:pk>/risk/actions/<int:action_pk>/done/", views.risk_action_done, name="risk-action-done"),
    path("<int:pk>/onward/", views.case_onward, name="case-onward"),
    path("<int:pk>/onward/<int:onward_pk>/", views.onward_update, name="onward-update"),
    path("<int:pk>/partner/", views.case_partner, name="case-partner"),
    path("<int:pk>/exit/", views.case_exit, name="case-exit"),
    path("<int:pk>/close/", views.case_close, name="case-close"),
    path("<int:pk>/emergency-access/", views.case_break_glass, name="case-break-glass"),
]
