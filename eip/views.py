"""Cross-cutting screens: sign-in and passwords, each role's home page, notifications,
the borough directory and the audit log."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from eip import access
from eip.audit.selectors import audit_event_search
from eip.forms import (
    AuditSearchForm,
    ChangePasswordForm,
    NewPasswordForm,
    NotificationSettingsForm,
    PasswordResetRequestForm,
    SignInForm,
    TwoFactorCodeForm,
)
from eip.forms_util import error_summary, submit
from eip.home import home_for
from eip.notifications.preferences import notification_preferences_for_user, notification_preferences_set
from eip.notifications.services import (
    notification_list_for_user,
    notification_mark_read,
    notification_mark_read_bulk,
    notification_topics_for_user,
)
from eip.people.selectors import borough_directory
from eip.redirects import safe_next


@access.public
def root(request):
    return redirect("home" if request.user.is_authenticated else "login")


@access.policy("home.view")
def home(request):
    context = home_for(request.user)  # each panel audits the personal data it lists
    return render(request, "eip/home.html", context)


# What each topic of notification is called in the list's filter.
NOTIFICATION_TOPICS = {
    "referral": "Referrals",
    "case": "Cases",
    "assessment": "Assessments",
    "accommodation": "Accommodation",
    "evaluation": "Evaluation",
    "outbound": "Blocked outputs",
    "person": "People",
    "cover": "Cover",
    "people": "Your account",
    "partner_follow_up": "Partner safety follow-up",
}


@access.policy("notification.view")
def notification_list(request):
    topics = notification_topics_for_user(user=request.user)
    topic = request.GET.get("topic", "")
    topic = topic if topic in topics else ""
    unread_only = request.GET.get("show") == "unread"
    rows = notification_list_for_user(user=request.user, unread_only=unread_only, topic=topic)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    unread = notification_list_for_user(user=request.user, unread_only=True, topic=topic).count()
    choices = [(t, NOTIFICATION_TOPICS.get(t, t.replace("_", " ").capitalize())) for t in topics]
    return render(
        request,
        "eip/notification_list.html",
        {
            "page": page,
            "topics": choices,
            "topic": topic,
            "unread_only": unread_only,
            "unread": unread,
            # Kept by the pagination links, so page 2 is page 2 of the same filter.
            "query": urlencode({"topic": topic, "show": "unread" if unread_only else ""}),
        },
    )


@require_POST
@access.policy("notification.view")
def notification_read_bulk(request):
    ids = [int(value) for value in request.POST.getlist("notification") if value.isdigit()]
    if request.POST.get("all"):
        # "Mark all as read": every unread one the filter shows, on every page.
        topic = request.POST.get("topic", "")
        topic = topic if topic in notification_topics_for_user(user=request.user) else ""
        count = notification_mark_read_bulk(user=request.user, topic=topic)
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    elif not ids:
        messages.error(request, "Select the notifications to mark as read.")
    else:
        count = notification_mark_read_bulk(user=request.user, notification_ids=ids)
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked as read.")
    back = request.POST.get("back", "")
    return redirect(back if back.startswith("/notifications/") else "notification-list")


@access.policy("notification.view")
def notification_settings(request):
    """Each person's e-mail choice per kind of notification; everything is in the app whatever they choose."""
    preferences = notification_preferences_for_user(user=request.user)
    form = NotificationSettingsForm(request.POST or None, preferences=preferences)
    if request.method == "POST" and submit(
        request,
        form,
        lambda data: notification_preferences_set(user=request.user, choices=form.choices()),
        success="Your notification settings have been saved.",
    ):
        return redirect("notification-settings")
    topics = {}
    for kind, chosen, field in form.rows:
        if field is not None:
            topics.setdefault(NOTIFICATION_TOPICS.get(kind.topic, "Other"), []).append((kind, chosen, field))
    always = [kind for kind, _, field in form.rows if field is None]
    return render(
        request,
        "eip/notification_settings.html",
        {"form": form, "topics": topics, "always": always, "errors": error_summary(form)},
    )


@require_POST
@access.policy("notification.view")
def notification_read(request, pk):
    notification = get_object_or_404(notification_list_for_user(user=request.user), pk=pk)
    notification_mark_read(notification=notification, user=request.user)
    if notification.link and notification.link.startswith("/"):
        return redirect(notification.link)
    return redirect("notification-list")


@require_POST
@access.policy("home.view")
def session_keep_alive(request):
    """ "Stay signed in" in the idle sign-out warning: any request refreshes the session
    (SESSION_SAVE_EVERY_REQUEST); this one does nothing else."""
    return HttpResponse(status=204)


@access.policy("borough.view")
def borough_list(request):
    return render(request, "eip/borough_list.html", {"boroughs": borough_directory()})


@access.policy("audit.view")
def audit_log(request):
    form = AuditSearchForm(request.GET or None)
    events = audit_event_search(**form.cleaned_data) if form.is_valid() else audit_event_search()
    if request.GET and not form.is_valid():
        events = events.none()
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "eip/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})


# After signing out of a council sign-in: the identity provider's sign-out address, offered once.
END_SESSION_OFFER = "eip_sso_end_session"


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    redirect_authenticated_user = True
    template_name = "registration/login.html"
    policy_action = None

    def get_context_data(self, **kwargs):
        from eip.people.sso import sso_enabled

        return super().get_context_data(
            password_sign_in=settings.EIP_PASSWORD_SIGN_IN,
            sso_enabled=sso_enabled(),
            sso_provider_name=settings.EIP_OIDC_PROVIDER_NAME,
            end_session_url=self.request.session.pop(END_SESSION_OFFER, None),
            **kwargs,
        )


class SignOutView(auth_views.LogoutView):
    policy_action = None

    def post(self, request, *args, **kwargs):
        from eip.people.sso import SSO_SESSION_KEY

        end_session = (request.session.get(SSO_SESSION_KEY) or {}).get("end_session")
        response = super().post(request, *args, **kwargs)
        messages.info(request, "You have signed out.")
        if end_session:
            # EIP's session is over; the council's own may not be. Offer its sign-out, once.
            request.session[END_SESSION_OFFER] = end_session
        return response


class _PasswordSignInOnly:
    """Password pages exist only while password sign-in does (EIP_PASSWORD_SIGN_IN)."""

    def dispatch(self, request, *args, **kwargs):
        if not settings.EIP_PASSWORD_SIGN_IN:
            raise Http404
        return super().dispatch(request, *args, **kwargs)


class PasswordResetView(_PasswordSignInOnly, auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    policy_action = None


class PasswordResetDoneView(_PasswordSignInOnly, auth_views.PasswordResetDoneView):
    policy_action = None


class PasswordResetConfirmView(_PasswordSignInOnly, auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    policy_action = None


class PasswordResetCompleteView(_PasswordSignInOnly, auth_views.PasswordResetCompleteView):
    policy_action = None


class PasswordChangeView(_PasswordSignInOnly, auth_views.PasswordChangeView):
    form_class = ChangePasswordForm
    success_url = reverse_lazy("password_change_done")
    policy_action = "home.view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            access.require(request.user, self.policy_action)
        return super().dispatch(request, *args, **kwargs)


class PasswordChangeDoneView(_PasswordSignInOnly, auth_views.PasswordChangeDoneView):
    policy_action = "home.view"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            access.require(request.user, self.policy_action)
        return super().dispatch(request, *args, **kwargs)


@access.policy("home.view")
def two_factor_setup(request):
    from eip.passkey_views import passkey_script_config
    from eip.people import two_factor

    if not two_factor.two_factor_setup_allowed(request=request):
        return _two_factor_reset_needed(request)
    # "A new app" for someone with one; someone with only passkeys adds their first app.
    replacing = two_factor.takes_codes(user=request.user)
    first_enrolment = not two_factor.two_factor_is_set_up(user=request.user)
    form = TwoFactorCodeForm(request.POST or None)
    try:
        # The key this session was shown; or, with none (never shown, or already confirmed), a
        # new one, which no code typed so far can match.
        device = two_factor.totp_device_start(request=request)
        if request.method == "POST" and form.is_valid():
            codes = two_factor.totp_device_confirm(request=request, device=device, token=form.cleaned_data["code"])
            if codes:
                # Shown once, in this response only: never stored where a reload could show them again.
                return render(
                    request, "registration/two_factor_codes.html", {"codes": codes, "next": safe_next(request)}
                )
            form.add_error(
                "code",
                "The code is not right. Check the time on your phone, wait a moment, and enter the newest code.",
            )
    except two_factor.SetUpRefused:
        return _two_factor_reset_needed(request)
    return render(
        request,
        "registration/two_factor_setup.html",
        {
            "form": form,
            "replacing": replacing,
            "secret": two_factor.secret_for_display(device),
            "uri": device.config_url,
            "next": safe_next(request),
            # At first enrolment a passkey will do instead of an app.
            "passkey_config": passkey_script_config(request, next_url=safe_next(request)) if first_enrolment else None,
        },
    )


def _two_factor_reset_needed(request):
    # No key is made and nothing is stored: only an administrator can replace a second factor
    # for a session that has not passed it.
    return render(request, "registration/two_factor_reset_needed.html", {"next": safe_next(request)}, status=403)


@access.policy("home.view")
def two_factor_verify(request):
    from eip.passkey_views import passkey_script_config
    from eip.people import two_factor
    from eip.people.passkeys import passkeys_of

    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if two_factor.two_factor_verify(request=request, token=form.cleaned_data["code"]):
            return redirect(safe_next(request))
        form.add_error(
            "code",
            "The code is not right, or that recovery code has been used. Wait a moment and enter the newest code.",
        )
    has_passkey = passkeys_of(user=request.user).exists()
    return render(
        request,
        "registration/two_factor_verify.html",
        {
            "form": form,
            "next": safe_next(request),
            # A person with only passkeys has no code to type.
            "takes_codes": two_factor.takes_codes(user=request.user) or not has_passkey,
            "passkey_config": passkey_script_config(request, next_url=safe_next(request)) if has_passkey else None,
        },
    )


def page_not_found(request, exception):
    """The 404 page; on a case address, people who may break the glass are offered it."""
    import re

    case = re.match(r"^/cases/(\d+)/", request.path)
    offer = case and access.allowed(request.user, "case.break_glass")
    return render(request, "404.html", {"emergency_case": int(case.group(1)) if offer else None}, status=404)
