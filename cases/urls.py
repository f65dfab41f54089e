from django.urls import path

from .views import (
    caseload,
    closure,
    consent,
    emergency_access,
    invitations,
    meetings,
    onward,
    overview,
    partner,
    plan,
    risk,
    sessions,
)

urlpatterns = [
    path("", caseload.case_list, name="case-list"),
    path("<int:pk>/", overview.case_detail, name="case-detail"),
    path("<int:pk>/accessibility/", overview.case_accessibility, name="case-accessibility"),
    path("<int:pk>/plan/", plan.case_plan, name="case-plan"),
    path(
        "<int:pk>/consultations/<int:consultation_pk>/invitation.ics",
        invitations.consultation_invitation,
        name="consultation-invitation",
    ),
    path("<int:pk>/invitations/<str:what>/send/", invitations.invitation_send, name="invitation-send"),
    path("<int:pk>/consent/", consent.case_consent, name="case-consent"),
    path("<int:pk>/consent/<int:consent_pk>/withdraw/", consent.consent_withdraw, name="consent-withdraw"),
    path("<int:pk>/sessions/", sessions.case_sessions, name="case-sessions"),
    path("<int:pk>/meetings/", meetings.case_meetings, name="case-meetings"),
    path("<int:pk>/meetings/invitation.ics", invitations.meeting_invitation, name="meeting-invitation"),
    path("<int:pk>/risk/", risk.case_risk, name="case-risk"),
    path("<int:pk>/risk/actions/<int:action_pk>/done/", risk.risk_action_done, name="risk-action-done"),
    path("<int:pk>/onward/", onward.case_onward, name="case-onward"),
    path("<int:pk>/onward/<int:onward_pk>/", onward.onward_update, name="onward-update"),
    path("<int:pk>/partner/", partner.case_partner, name="case-partner"),
    path("<int:pk>/exit/", closure.case_exit, name="case-exit"),
    path("<int:pk>/close/", closure.case_close, name="case-close"),
    path("<int:pk>/emergency-access/", emergency_access.case_break_glass, name="case-break-glass"),
]
