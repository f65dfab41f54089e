from django.contrib import admin
from django.urls import include, path

from eip import health, passkey_views, sso_views, views
from eip.notifications import views as notification_views

admin.site.site_header = "EIP administration"
admin.site.site_title = "EIP administration"

urlpatterns = [
    # For load balancers: no sign-in, no trailing slash, status words only (eip/health.py).
    path("healthz", health.liveness, name="health-live"),
    path("readyz", health.readiness, name="health-ready"),
    path("", views.root, name="root"),
    path("home/", views.home, name="home"),
    path("notifications/", views.notification_list, name="notification-list"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
    path("notifications/read/", views.notification_read_bulk, name="notification-read-bulk"),
    path("notifications/settings/", views.notification_settings, name="notification-settings"),
    # GOV.UK Notify's callback: no sign-in, a bearer token (eip/notifications/views.py).
    path("notifications/delivery-receipts", notification_views.delivery_receipt, name="notify-delivery-receipt"),
    path("boroughs/", views.borough_list, name="borough-list"),
    path("audit/", views.audit_log, name="audit-log"),
    path("sign-in/", views.SignInView.as_view(), name="login"),
    # Council sign-in (OpenID Connect); "not found" unless configured (eip/people/sso.py).
    path("sign-in/council/", sso_views.sso_start, name="sso-start"),
    path("sign-in/council/callback/", sso_views.sso_callback, name="sso-callback"),
    path("two-factor/", views.two_factor_verify, name="two-factor-verify"),
    path("two-factor/set-up/", views.two_factor_setup, name="two-factor-setup"),
    # Passkeys: the browser script's JSON steps (before the second factor, so under /two-factor/),
    # then the person's own list (after it) (eip/passkey_views.py).
    path("two-factor/passkeys/add/begin/", passkey_views.passkey_add_begin, name="passkey-add-begin"),
    path("two-factor/passkeys/add/complete/", passkey_views.passkey_add_complete, name="passkey-add-complete"),
    path("two-factor/passkeys/sign-in/begin/", passkey_views.passkey_sign_in_begin, name="passkey-sign-in-begin"),
    path(
        "two-factor/passkeys/sign-in/complete/",
        passkey_views.passkey_sign_in_complete,
        name="passkey-sign-in-complete",
    ),
    path("account/passkeys/", passkey_views.passkey_list, name="passkey-list"),
    path("account/passkeys/<int:pk>/name/", passkey_views.passkey_name, name="passkey-name"),
    path("account/passkeys/<int:pk>/remove/", passkey_views.passkey_remove, name="passkey-remove"),
    path("sign-out/", views.SignOutView.as_view(), name="logout"),
    path("session/keep-alive/", views.session_keep_alive, name="session-keep-alive"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/change/done/", views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("password/reset/done/", views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("referrals/", include("referrals.urls")),
    path("cases/", include("cases.urls")),
    path("cases/", include("assessments.urls")),
    path("cases/", include("data_protection.urls")),
    path("cases/", include("risk_packs.urls")),
    path("", include("cases.emergency_urls")),
    path("", include("accommodation.urls")),
    path("", include("evaluation.urls")),
    path("", include("partner_outcomes.urls")),
    path("", include("diary.urls")),
    path("", include("case_notes.urls")),
    path("", include("case_documents.urls")),
    path("", include("referrer_updates.urls")),
    path("admin/", admin.site.urls),
]

handler404 = "eip.views.page_not_found"
handler500 = "eip.health.server_error"
