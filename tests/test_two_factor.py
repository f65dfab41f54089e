"""Two-factor sign-in: set up with an authenticator app, a code at every sign-in, single-use
recovery codes, and no page reachable without it."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from eip.people.models import Role
from tests.factories import PASSWORD, UserFactory
from tests.referral_factories import make_case

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


# Finding 1 of the security probe: the second factor taken over with the password alone.


def verify(client, user, drift=1):
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return client.post(reverse("two-factor-verify"), {"code": code_for(device, drift=drift)})


@pytest.fixture
def victim_case(camden):
    practitioner = UserFactory(role=Role.PRACTITIONER, full_name="Vic Tim")
    referrer = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    return practitioner, make_case(referrer, practitioner)


@pytest.mark.probe(1)
def test_the_password_alone_cannot_take_over_the_second_factor(client, settings, victim_case):
    """The probe's reproduction: sign in with the password, open set-up, confirm a new app."""
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    victim, case = victim_case
    set_up(client, victim)
    victims_app = TOTPDevice.objects.get(user=victim, confirmed=True)
    client.logout()
    sign_in(client, victim)  # the attacker knows the password, not the app

    page = client.get(reverse("two-factor-setup"))
    assert page.status_code == 403
    body = page.content.decode()
    assert "An administrator must reset your two-factor sign-in" in body
    assert 'data-testid="totp-secret"' not in body and "otpauth://" not in body
    # No key made, nothing stored for the attacker to confirm.
    assert list(TOTPDevice.objects.filter(user=victim)) == [victims_app]

    # Confirming anything is refused too, and the victim's app is untouched.
    attempt = client.post(reverse("two-factor-setup"), {"code": code_for(victims_app, drift=-1)})
    assert attempt.status_code == 403
    assert client.get(reverse("two-factor-setup")).status_code == 403
    assert list(TOTPDevice.objects.filter(user=victim)) == [victims_app]
    assert TOTPDevice.objects.get(pk=victims_app.pk).confirmed

    for page in ("case-detail", "case-partner"):
        response = client.get(reverse(page, args=[case.pk]))
        assert response.status_code == 302 and response.url.startswith(reverse("two-factor-verify"))


@pytest.mark.probe(1)
def test_a_set_up_started_before_the_first_enrolment_finished_cannot_take_it_over(settings, victim_case):
    """Two sessions at first enrolment (the attacker had the password early): once the
    person's own app is confirmed, the other session's set-up is refused."""
    from django.test import Client

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    victim, case = victim_case
    attacker, person = Client(), Client()
    sign_in(attacker, victim)
    sign_in(person, victim)
    attacker.get(reverse("two-factor-setup"))
    attackers_app = TOTPDevice.objects.get(user=victim, confirmed=False)
    person.get(reverse("two-factor-setup"))
    persons_app = TOTPDevice.objects.get(user=victim, confirmed=False)
    assert persons_app.pk != attackers_app.pk  # each session its own key, never a shared one
    codes = person.post(reverse("two-factor-setup"), {"code": code_for(persons_app)})
    assert "They will not be shown again" in codes.content.decode()

    assert attacker.post(reverse("two-factor-setup"), {"code": code_for(attackers_app)}).status_code == 403
    assert attacker.get(reverse("two-factor-setup")).status_code == 403
    assert list(TOTPDevice.objects.filter(user=victim)) == [TOTPDevice.objects.get(pk=persons_app.pk)]
    response = attacker.get(reverse("case-partner", args=[case.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor-verify"))
    assert person.get(reverse("case-partner", args=[case.pk])).status_code == 200


@pytest.mark.probe(1)
def test_a_verified_session_can_replace_its_own_app_and_the_old_one_stops_working(
    client, settings, django_capture_on_commit_callbacks
):
    from django.core import mail
    from django.test import Client

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory(role=Role.PRACTITIONER)
    first_codes = set_up(client, user)
    old_recovery = first_codes.split('data-testid="recovery-codes"><li>')[1].split("</li>")[0]
    old_app = TOTPDevice.objects.get(user=user, confirmed=True)
    elsewhere = Client()  # another session, verified with the old app
    sign_in(elsewhere, user)
    verify(elsewhere, user, drift=1)
    assert elsewhere.get(reverse("home")).status_code == 200

    page = client.get(reverse("two-factor-setup")).content.decode()
    assert "Set up a new authenticator app" in page and 'data-testid="totp-secret"' in page
    new_app = TOTPDevice.objects.get(user=user, confirmed=False)
    # Starting does not disturb the current app.
    assert TOTPDevice.objects.get(pk=old_app.pk).confirmed
    client.get(reverse("two-factor-setup"))  # a reload keeps the same key
    assert TOTPDevice.objects.get(user=user, confirmed=False).pk == new_app.pk

    with django_capture_on_commit_callbacks(execute=True):
        page = client.post(reverse("two-factor-setup"), {"code": code_for(new_app)}).content.decode()
    assert "They will not be shown again" in page
    assert list(TOTPDevice.objects.filter(user=user)) == [TOTPDevice.objects.get(pk=new_app.pk)]
    # The session verified with the old app is not verified any more, and the old codes are gone.
    response = elsewhere.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("two-factor-verify"))
    assert elsewhere.post(reverse("two-factor-verify"), {"code": old_recovery}).status_code == 200
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "authenticator app was changed" in mail.outbox[0].subject


@pytest.mark.probe(1)
def test_recovery_codes_are_shown_once_and_never_stored_where_a_reload_finds_them(client):
    user = UserFactory(role=Role.PRACTITIONER)
    sign_in(client, user)
    client.get(reverse("two-factor-setup"))
    code = code_for(TOTPDevice.objects.get(user=user))
    response = client.post(reverse("two-factor-setup"), {"code": code, "next": "/home/"})
    assert "no-store" in response["Cache-Control"]
    codes = response.content.decode().split('data-testid="recovery-codes">')[1].split("</ul>")[0]
    codes = [c.split("</li>")[0] for c in codes.split("<li>")[1:]]
    assert len(codes) == 10
    session = str(dict(client.session.items()))
    assert not any(c in session for c in codes)
    # The browser's "resubmit the form" on reload shows no codes.
    again = client.post(reverse("two-factor-setup"), {"code": code, "next": "/home/"}, follow=True)
    assert not any(c in again.content.decode() for c in codes)
    assert "They will not be shown again" not in again.content.decode()


@pytest.mark.probe(1)
def test_an_administrators_reset_removes_the_app_signs_out_tells_the_person_and_allows_a_new_enrolment(
    client, settings, django_capture_on_commit_callbacks
):
    from django.contrib.sessions.models import Session
    from django.core import mail
    from django.test import Client

    from eip.audit.models import AuditEvent
    from eip.notifications.models import Notification

    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory(role=Role.SUPERVISOR)
    admin = UserFactory(role=Role.ADMINISTRATOR)
    set_up(client, user)
    assert client.get(reverse("audit-log")).status_code == 200
    mail.outbox.clear()

    # Through the admin site, as the administrator role uses it.
    admin_client = Client()
    admin_client.force_login(admin, backend="eip.people.backends.AccountBackend")
    settings.EIP_REQUIRE_TWO_FACTOR = False  # the administrator's own second factor is not under test here
    listing = admin_client.get("/admin/people/user/")
    assert "Reset two-factor sign-in" in listing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/people/user/", {"action": "reset_two_factor", "_selected_action": [user.pk]}, follow=True
        )
    assert "Two-factor sign-in reset for 1 person" in response.content.decode()
    settings.EIP_REQUIRE_TWO_FACTOR = True

    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not Session.objects.filter(session_key=client.session.session_key).exists()
    event = AuditEvent.objects.filter(record_id=str(user.pk), detail__two_factor="reset").get()
    assert event.actor == admin
    assert Notification.objects.get(recipient=user, kind="people.two_factor_changed").sent_at
    assert [m.to for m in mail.outbox] == [[user.email]] and "reset" in mail.outbox[0].subject

    # Signed out; the next sign-in is a first enrolment again.
    assert client.get(reverse("audit-log")).url.startswith(reverse("login"))
    sign_in(client, user)
    assert client.get(reverse("audit-log")).url.startswith(reverse("two-factor-setup"))
    assert "They will not be shown again" in set_up(client, user)
    assert client.get(reverse("audit-log")).status_code == 200


def test_only_an_administrator_may_reset_someone_elses_second_factor():
    from django.core.exceptions import PermissionDenied

    from eip.people.two_factor import two_factor_reset

    user = UserFactory(role=Role.PRACTITIONER)
    for role in Role:
        if role != Role.ADMINISTRATOR:
            with pytest.raises(PermissionDenied):
                two_factor_reset(user=user, by=UserFactory(role=role))


@pytest.mark.probe(1)
def test_nobody_can_read_or_plant_anothers_second_factor_in_the_admin_site(client, settings):
    """Recovery codes and keys are shown once, to the person enrolling: not to administrators,
    who reset a lost app with the audited action instead of editing devices by hand."""
    user = UserFactory(role=Role.PRACTITIONER)
    codes_page = set_up(client, user)
    code = codes_page.split('data-testid="recovery-codes"><li>')[1].split("</li>")[0]
    device = TOTPDevice.objects.get(user=user)
    admin = UserFactory(role=Role.ADMINISTRATOR)
    client.force_login(admin, backend="eip.people.backends.AccountBackend")
    settings.EIP_REQUIRE_TWO_FACTOR = False
    for path in (
        "/admin/otp_totp/totpdevice/",
        f"/admin/otp_totp/totpdevice/{device.pk}/change/",
        "/admin/otp_totp/totpdevice/add/",
        "/admin/otp_static/staticdevice/",
        "/admin/otp_static/staticdevice/add/",
    ):
        assert client.get(path).status_code == 404, path
    page = client.get(f"/admin/people/user/{user.pk}/change/").content.decode()
    assert code not in page and device.key not in page
