"""Passkeys (rules in eip/people/passkeys.py): the person's own list, naming and removing one,
and the four JSON steps django-otp-webauthn's browser script takes to add one or to sign in
with one. The JSON steps live under /two-factor/ so they work before the second factor."""

import json

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from eip import access, outbound
from eip.forms import PasskeyNameForm
from eip.people import passkeys
from eip.people.models import Passkey
from eip.people.two_factor import SetUpRefused, takes_codes
from eip.redirects import safe_next

_SET_UP_REFUSED = "An administrator must reset your two-factor sign-in before you can add a passkey."


def _refused(message: str, status: int) -> JsonResponse:
    # django-otp-webauthn's script shows `detail` next to the button.
    return JsonResponse({"detail": message}, status=status)


def _answer(request, data: dict):
    """A ceremony's JSON, which leaves through the outbound guard like every output: it carries
    challenges, key ids and the person's own name and email, for that person only."""
    content = json.dumps(data)
    released = outbound.outbound_release(
        content=content,
        audience=outbound.audience_for(request.user),
        channel="download",
        user=request.user,
        label="Passkey ceremony",
    )
    return released.response(content_type="application/json")


def _body(request):
    try:
        return json.loads(request.body or b"{}")
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None


@never_cache
@require_POST
@access.policy("home.view")
def passkey_add_begin(request):
    try:
        return _answer(request, passkeys.passkey_add_begin(request=request))
    except SetUpRefused:
        return _refused(_SET_UP_REFUSED, 403)


@never_cache
@require_POST
@access.policy("home.view")
def passkey_add_complete(request):
    data = _body(request)
    try:
        if not isinstance(data, dict):
            raise passkeys.PasskeyRefused("The passkey was not added. Start again.")
        passkey = passkeys.passkey_add_complete(request=request, data=data)
    except SetUpRefused:
        return _refused(_SET_UP_REFUSED, 403)
    except passkeys.PasskeyRefused as refusal:
        return _refused(refusal.message, refusal.status)
    # Next: name it, then back where the person was going.
    target = reverse("passkey-name", args=[passkey.pk])
    return _answer(request, {"id": passkey.pk, "redirect_url": f"{target}?next={safe_next(request)}"})


@never_cache
@require_POST
@access.policy("home.view")
def passkey_sign_in_begin(request):
    try:
        return _answer(request, passkeys.passkey_sign_in_begin(request=request))
    except passkeys.PasskeyRefused as refusal:
        return _refused(refusal.message, refusal.status)


@never_cache
@require_POST
@access.policy("home.view")
def passkey_sign_in_complete(request):
    data = _body(request)
    try:
        if not isinstance(data, dict):
            raise passkeys.PasskeyRefused("The passkey was not checked. Start again.")
        used = passkeys.passkey_sign_in_complete(request=request, data=data)
    except passkeys.PasskeyRefused as refusal:
        return _refused(refusal.message, refusal.status)
    return _answer(request, {"id": used.pk, "redirect_url": safe_next(request)})


@access.policy("home.view")
def passkey_list(request):
    return render(
        request,
        "registration/passkey_list.html",
        {
            "passkeys": passkeys.passkeys_of(user=request.user),
            "next": reverse("passkey-list"),
            "has_app": takes_codes(user=request.user),
            "passkey_config": passkey_script_config(request, next_url=reverse("passkey-list")),
        },
    )


def _own_passkey(request, pk) -> Passkey:
    passkey = passkeys.passkeys_of(user=request.user).filter(pk=pk).first()
    if passkey is None:
        raise Http404
    return passkey


@access.policy("home.view")
def passkey_name(request, pk):
    passkey = _own_passkey(request, pk)
    form = PasskeyNameForm(request.POST or None, initial={"name": passkey.name})
    if request.method == "POST" and form.is_valid():
        passkeys.passkey_rename(user=request.user, passkey=passkey, name=form.cleaned_data["name"])
        messages.success(request, f"Passkey “{passkey.name}” saved.")
        return redirect(safe_next(request, default=reverse("passkey-list")))
    return render(
        request,
        "registration/passkey_name.html",
        {"form": form, "passkey": passkey, "next": safe_next(request, default=reverse("passkey-list"))},
    )


@access.policy("home.view")
def passkey_remove(request, pk):
    passkey = _own_passkey(request, pk)
    if request.method == "POST":
        try:
            passkeys.passkey_remove(user=request.user, passkey=passkey)
        except passkeys.LastSecondFactor:
            messages.error(
                request,
                "You cannot remove your only passkey while you have no authenticator app. "
                "Add another passkey or set up an app first.",
            )
            return redirect("passkey-list")
        messages.success(request, f"Passkey “{passkey.name}” removed.")
        return redirect("passkey-list")
    return render(request, "registration/passkey_remove.html", {"passkey": passkey})


def passkey_script_config(request, *, next_url: str) -> dict:
    """What django-otp-webauthn's browser script needs: where to send each step, and the CSRF token."""
    from django.middleware.csrf import get_token
    from django.utils.http import urlencode

    return {
        "autocompleteLoginFieldSelector": None,
        "nextFieldSelector": "input[name='next']",
        "csrfToken": get_token(request),
        "beginAuthenticationUrl": reverse("passkey-sign-in-begin"),
        "completeAuthenticationUrl": reverse("passkey-sign-in-complete"),
        "beginRegistrationUrl": reverse("passkey-add-begin"),
        "completeRegistrationUrl": f"{reverse('passkey-add-complete')}?{urlencode({'next': next_url})}",
    }
