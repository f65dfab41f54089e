"""Signing in, lockout, session expiry and password reset for special-category data."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.tokens import default_token_generator
from django.contrib.sessions.models import Session
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from eip.people.models import Role
from eip.people.services import user_save
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GENERIC_ERROR = "Enter a correct email address and password."


def sign_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_signing_in_lands_on_the_role_home_page(client):
    user = UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan")
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 302 and response.url == reverse("home")
    home = client.get(reverse("home"))
    assert b"Early Intervention Practitioner" in home.content
    assert b"Hello, Alex" in home.content


def test_email_is_not_case_sensitive(client):
    UserFactory(email="jo.adeyemi@eip.test")
    assert sign_in(client, "Jo.Adeyemi@EIP.test", PASSWORD).status_code == 302


@pytest.mark.parametrize("which", ["wrong password", "no such account", "disabled account"])
def test_a_failed_sign_in_does_not_reveal_whether_the_account_exists(client, which):
    user = UserFactory(is_active=which != "disabled account")
    email = "nobody@eip.test" if which == "no such account" else user.email
    password = "wrong-password-123" if which == "wrong password" else PASSWORD
    response = sign_in(client, email, password)
    assert response.status_code == 200
    assert GENERIC_ERROR in response.content.decode()
    # The error summary links to the field and the page title says there is an error.
    assert b"govuk-error-summary" in response.content
    assert b"<title>Error: Sign in" in response.content
    # What was typed stays in the email field.
    assert f'value="{email}"'.encode() in response.content


def test_five_failures_lock_the_account_even_for_the_right_password(client):
    user = UserFactory()
    for _ in range(5):
        sign_in(client, user.email, "wrong-password-123")
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert b"too many attempts" in response.content
    assert "_auth_user_id" not in client.session


def test_a_locked_address_that_has_no_account_looks_the_same(client):
    for _ in range(5):
        sign_in(client, "nobody@eip.test", "wrong-password-123")
    assert sign_in(client, "nobody@eip.test", "x").status_code == 429


def test_a_session_ends_after_thirty_minutes_without_activity(client, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60 and settings.SESSION_SAVE_EVERY_REQUEST
    user = UserFactory()
    sign_in(client, user.email, PASSWORD)
    assert client.get(reverse("home")).status_code == 200
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_activity_keeps_the_session_alive(client):
    user = UserFactory()
    sign_in(client, user.email, PASSWORD)
    Session.objects.update(expire_date=timezone.now() + timedelta(minutes=1))
    client.get(reverse("home"))
    assert Session.objects.get().expire_date > timezone.now() + timedelta(minutes=29)


def test_disabling_an_account_signs_it_out_everywhere(client):
    admin = UserFactory(role=Role.ADMINISTRATOR)
    user = UserFactory()
    sign_in(client, user.email, PASSWORD)
    user.is_active = False
    user_save(user=user, actor=admin, before={"is_active": True})
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_session_signed_in_before_the_account_backend_stays_signed_in(client, camden):
    # Sessions signed in before the deploy that listed AccountBackend name Django's ModelBackend.
    user = UserFactory(role=Role.SOCIAL_WORKER, borough=camden, full_name="Sam Okafor")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("referral-list"))
    assert page.status_code == 200
    assert f"Sam Okafor</strong>, Social worker ({camden.name})" in page.content.decode()
    assert client.session[BACKEND_SESSION_KEY] == "eip.people.backends.AccountBackend"


def test_password_reset_sends_a_link_that_works_once(client):
    user = UserFactory(email="sam@eip.test")
    response = client.post(reverse("password_reset"), {"email": "sam@eip.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = urlsplit(link.strip()).path
    form_url = client.get(path).url  # Django swaps the token for a session marker
    response = client.post(
        form_url, {"new_password1": "a-brand-new-passphrase", "new_password2": "a-brand-new-passphrase"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-brand-new-passphrase")
    # The same link cannot be used again.
    assert b"This link has expired" in client.get(path, follow=True).content


def test_the_reset_request_sends_no_mail_itself_a_worker_does_after_the_response(client, monkeypatch):
    from eip.notifications import publish
    from eip.people.tasks import password_reset_mail

    user = UserFactory(email="sam@eip.test")
    handed = []
    monkeypatch.setattr(publish, "_eager", lambda task: False)  # as in production: a publisher thread
    monkeypatch.setattr(publish.publisher, "submit", lambda ids, tasks: handed.extend(tasks))
    response = client.post(reverse("password_reset"), {"email": "sam@eip.test"})
    assert response.status_code == 302
    assert mail.outbox == []  # no mail server on the request's path
    ((task, args),) = handed
    assert task is password_reset_mail and args[0] == user.pk
    # The worker makes the link and sends it.
    assert task(*args) is True
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    assert client.get(urlsplit(link.strip()).path).status_code == 302
    # An account closed meanwhile gets nothing.
    user.is_active = False
    user.save()
    assert task(*args) is False and len(mail.outbox) == 1


def test_password_reset_answers_the_same_for_unknown_addresses(client):
    UserFactory(email="sam@eip.test")
    known = client.post(reverse("password_reset"), {"email": "sam@eip.test"}, follow=True)
    unknown = client.post(reverse("password_reset"), {"email": "who@eip.test"}, follow=True)
    assert known.content == unknown.content
    assert len(mail.outbox) == 1


def test_a_reset_link_expires_after_an_hour(client, settings, monkeypatch):
    user = UserFactory()
    token = default_token_generator.make_token(user)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    later = default_token_generator._now() + timedelta(seconds=settings.PASSWORD_RESET_TIMEOUT + 1)
    monkeypatch.setattr(type(default_token_generator), "_now", lambda self: later)
    response = client.get(reverse("password_reset_confirm", args=[uid, token]), follow=True)
    assert b"This link has expired" in response.content


def test_weak_passwords_are_refused_with_a_message_beside_the_field(client):
    user = UserFactory()
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "password", "new_password2": "password"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "This password is too short" in body
    assert "govuk-error-message" in body


# Finding 2 of the security probe: the lockout dodged by changing the capitals of the address.
def spellings(address):
    """Five ways of typing one address: capitals, mixed case, surrounding spaces and tabs."""
    name, domain = address.split("@")
    return [
        address.upper(),
        f"{name.title()}@{domain.title()}",
        "".join(c.upper() if i % 2 else c for i, c in enumerate(address)),
        f"  {address}  ",
        f"\t{name.upper()}@{domain} ",
    ]


SPELLINGS = spellings("sw.camden@eip.test")


@pytest.mark.probe(2)
def test_failures_under_different_capitals_add_up_to_one_lockout(client):
    user = UserFactory(email="sw.camden@eip.test")
    for spelling in SPELLINGS:  # five failures, each spelled differently
        sign_in(client, spelling, "wrong-password-123")
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429 and b"too many attempts" in response.content
    assert "_auth_user_id" not in client.session


@pytest.mark.probe(2)
@pytest.mark.parametrize("spelling", SPELLINGS)
def test_a_locked_account_stays_locked_under_every_spelling(client, spelling):
    UserFactory(email="sw.camden@eip.test")
    for _ in range(5):
        sign_in(client, "sw.camden@eip.test", "wrong-password-123")
    # The right password, spelled another way, is refused while the account is locked.
    response = sign_in(client, spelling, PASSWORD)
    assert response.status_code == 429 and b"too many attempts" in response.content
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home")).status_code == 302


@pytest.mark.probe(2)
def test_an_address_with_no_account_is_counted_the_same_way(client):
    for spelling in spellings("nobody@eip.test"):
        sign_in(client, spelling, "x-wrong-password")
    assert sign_in(client, "Nobody@EIP.test", "x").status_code == 429


def test_a_success_clears_failures_made_under_another_spelling(client):
    user = UserFactory(email="sw.camden@eip.test")
    for _ in range(4):
        sign_in(client, "SW.Camden@EIP.test", "wrong-password-123")
    assert sign_in(client, "sw.camden@eip.test", PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        sign_in(client, "Sw.camden@eip.test", "wrong-password-123")
    assert sign_in(client, user.email, PASSWORD).status_code == 302


@pytest.mark.probe(10)
def test_a_reset_link_is_built_from_the_configured_address_not_the_host_header(client, settings):
    settings.EIP_BASE_URL = "https://eip.example.org/"
    UserFactory(email="sam@eip.test")
    response = client.post(
        reverse("password_reset"),
        {"email": "sam@eip.test"},
        HTTP_HOST="evil.example",
        HTTP_X_FORWARDED_HOST="evil.example",
    )
    assert response.status_code == 302
    body = mail.outbox[0].body
    assert "evil.example" not in body
    link = next(line for line in body.splitlines() if "/password/reset/" in line)
    assert link.startswith("https://eip.example.org/password/reset/")
    # And it still works.
    assert client.get(urlsplit(link).path).status_code == 302
