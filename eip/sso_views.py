"""Council sign-in (OpenID Connect single sign-on): the link to the identity provider and the
page its answer comes back to (rules in eip/people/sso.py). Both answer "not found" while single
sign-on is not configured."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from eip import access
from eip.people import sso

# What a person is told when a council sign-in does not sign them in, by the rule that refused it:
# (status, heading, what happened, what to do).
_CONTACT = "Contact your EIP administrator."
REFUSALS = {
    "no_account": (
        403,
        "You do not have an EIP account",
        "There is no EIP account for {email}. EIP does not create accounts from council sign-in: "
        "an administrator creates each account and decides its role and borough.",
        "Ask your EIP administrator to create an account for this email address, then sign in again.",
    ),
    "deactivated": (
        403,
        "Your EIP account is not active",
        "The EIP account for {email} has been deactivated, so it cannot be used to sign in.",
        "If you still need EIP for your work, ask your EIP administrator to reactivate your account.",
    ),
    "linked_elsewhere": (
        403,
        "This EIP account belongs to a different council identity",
        "The EIP account for {email} is already linked to another account at your organisation's "
        "sign-in service, so it cannot be signed in to with this one.",
        "If your council account has changed, ask your EIP administrator to unlink the old one. " + _CONTACT,
    ),
    "unverified_email": (
        403,
        "Your email address could not be confirmed",
        "Your organisation's sign-in service did not confirm that {email} is your address, so EIP "
        "cannot tell which EIP account is yours.",
        "Ask your IT service desk or your EIP administrator to check the single sign-on settings.",
    ),
    "no_email": (
        403,
        "Your email address could not be confirmed",
        "Your organisation's sign-in service did not tell EIP your email address, so EIP cannot "
        "tell which EIP account is yours.",
        "Ask your IT service desk or your EIP administrator to check the single sign-on settings.",
    ),
    "state": (
        400,
        "Sign-in could not be completed",
        "The sign-in did not come back from this browser, or it has already been used.",
        "Start again from the sign-in page.",
    ),
    "nonce": (
        400,
        "Sign-in could not be completed",
        "The answer from your organisation's sign-in service did not belong to this sign-in.",
        "Start again from the sign-in page.",
    ),
    "expired": (
        400,
        "Sign-in could not be completed",
        "The sign-in took more than 10 minutes, so it has expired.",
        "Start again from the sign-in page.",
    ),
    "token": (
        400,
        "Sign-in could not be completed",
        "The answer from your organisation's sign-in service could not be checked.",
        "Start again from the sign-in page. If it happens again, contact your EIP administrator.",
    ),
    "provider_refused": (
        400,
        "Sign-in could not be completed",
        "Your organisation's sign-in service did not sign you in.",
        "Start again from the sign-in page. If it happens again, contact your IT service desk.",
    ),
    "locked": (
        403,
        "You cannot sign in at the moment",
        "There have been too many attempts to sign in to the EIP account for {email}.",
        "Try again in 30 minutes. If you need to sign in sooner, contact your EIP administrator.",
    ),
    "provider_unavailable": (
        503,
        "Council sign-in is not working at the moment",
        "EIP cannot reach your organisation's sign-in service.",
        "Try again in a few minutes.",
    ),
}


def _refused(request, refusal: sso.SignInRefused):
    status, heading, what, todo = REFUSALS.get(refusal.reason, REFUSALS["token"])
    context = {
        "heading": heading,
        "what": what.format(email=refusal.email or "your address"),
        "todo": todo,
        "retry": status != 403,
        "password_sign_in": settings.EIP_PASSWORD_SIGN_IN,
        "provider_name": settings.EIP_OIDC_PROVIDER_NAME,
    }
    return render(request, "registration/sso_refused.html", context, status=status)


@access.public
def sso_start(request):
    """The "Sign in with your council account" button: off to the identity provider."""
    if not sso.sso_enabled():
        raise Http404
    if request.user.is_authenticated:
        return redirect("home")
    target = request.GET.get("next") or ""
    next_url = target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else ""
    try:
        return redirect(sso.sso_authorization_url(request=request, next_url=next_url))
    except sso.SignInRefused as refusal:
        return _refused(request, refusal)


@access.public
def sso_callback(request):
    """The identity provider's answer: signed in (then EIP's second factor, unless the provider
    asked for one), or a page saying why not."""
    if not sso.sso_enabled():
        raise Http404
    try:
        sso.sso_callback_sign_in(request=request)
    except sso.SignInRefused as refusal:
        # A locked account gets the lockout page, as a password attempt would (AxesMiddleware).
        return _refused(request, refusal)
    return redirect(request.session.pop("oidc_login_next", "") or "home")
