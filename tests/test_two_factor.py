"""Two-factor sign-in: set up with an authenticator app, a code at every sign-in, single-use
recovery codes, and no page reachable without it."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from eip.people.models import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def required(settings):
    settings.EIP_REQUIRE_TWO_FACTOR = True


def code_for(device, drift=0):
    # drift=1: the next 30-second window's code. A code already used cannot be used again, and the
    # device accepts one window either side.
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"


def sign_in(client, user):
    return client.post(reverse("login"), {"username": user.email, "password": PASSWORD})


def set_up(client, user):
    sign_in(client, user)
    client.get(reverse("two-factor-setup"))
    device = TOTPDevice.objects.get(user=user)
    page = client.post(reverse("two-factor-setup"), {"code": code_for(device), "next": "/home/"})
    return page.content.decode()


def test_a_first_sign_in_must_set_up_the_app_before_seeing_anything(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # django-otp slows retries after a wrong code; not under test here
    user = UserFactory(role=Role.PRACTITIONER)
    sign_in(client, user)
    response = client.get(reverse("referral-list"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor-setup"))
    page = client.get(reverse("two-factor-setup")).content.decode()
    assert "Set up two-factor sign-in" in page and 'data-testid="totp-secret"' in page
    wrong = client.post(reverse("two-factor-setup"), {"code": "000000"}).content.decode()
    assert "The code is not right" in wrong and "govuk-error-summary" in wrong
    codes_page = client.post(
        reverse("two-factor-setup"), {"code": code_for(TOTPDevice.objects.get(user=user))}
    ).content.decode()
    assert codes_page.count("<li>") >= 10 and "They will not be shown again" in codes_page
    assert client.get(reverse("referral-list")).status_code == 200


def test_every_later_sign_in_needs_a_code(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory(role=Role.SUPERVISOR)
    set_up(client, user)
    client.logout()
    sign_in(client, user)
    response = client.get(reverse("audit-log"))
    assert response.url.startswith(reverse("two-factor-verify"))
    assert "The code is not right" in client.post(reverse("two-factor-verify"), {"code": "123456"}).content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post(reverse("two-factor-verify"), {"code": code_for(device, drift=1), "next": "/audit/"})
    assert response.status_code == 302 and response.url == "/audit/"
    assert client.get(reverse("audit-log")).status_code == 200


def test_a_recovery_code_works_once(client):
    user = UserFactory(role=Role.FINANCE)
    page = set_up(client, user)
    code = page.split('data-testid="recovery-codes"><li>')[1].split("</li>")[0]
    for expected in (True, False):
        client.logout()
        sign_in(client, user)
        response = client.post(reverse("two-factor-verify"), {"code": code})
        assert (response.status_code == 302) is expected


def test_the_next_address_cannot_send_people_off_site(client):
    user = UserFactory(role=Role.PRACTITIONER)
    set_up(client, user)
    client.logout()
    sign_in(client, user)
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    response = client.post(
        reverse("two-factor-verify"), {"code": code_for(device, drift=1), "next": "https://evil.example/"}
    )
    assert response.url == "/home/"


def test_production_cannot_switch_it_off():
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "eip" / "settings" / "production.py").read_text()
    assert text.rstrip().endswith("EIP_REQUIRE_TWO_FACTOR = True")
