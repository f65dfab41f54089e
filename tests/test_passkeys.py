"""Passkeys as a second factor beside the authenticator app: added at first enrolment or after
passing the current second factor, used instead of a code, bound to EIP's own address, slowed
down after failures like codes, listed, named and removed by their owner, and removed by an
administrator's reset. Real WebAuthn signatures from a software authenticator
(tests/passkey_authenticator.py); the Chromium test is tests/test_browser_passkeys.py."""

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from eip.audit.models import AuditEvent
from eip.notifications.models import Notification
from eip.people.models import Passkey, Role
from eip.people.two_factor import two_factor_reset
from tests.factories import UserFactory
from tests.passkey_authenticator import SoftPasskey, make_passkey
from tests.test_two_factor import code_for, set_up, sign_in

pytestmark = pytest.mark.django_db

BASE_URL = "https://eip.example.org"


@pytest.fixture(autouse=True)
def required(settings):
    settings.EIP_REQUIRE_TWO_FACTOR = True
    settings.EIP_BASE_URL = BASE_URL
    settings.ALLOWED_HOSTS = ["eip.example.org", "testserver"]


@pytest.fixture
def client():
    return Client(HTTP_HOST="eip.example.org", secure=True)


def post_json(client, name, data=None, **query):
    url = reverse(name)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return client.post(url, json.dumps(data or {}), content_type="application/json")


def add_passkey(client, passkey):
    options = post_json(client, "passkey-add-begin")
    assert options.status_code == 200, options.content
    return post_json(client, "passkey-add-complete", passkey.create(options.json()))


def use_passkey(client, passkey, **query):
    options = post_json(client, "passkey-sign-in-begin")
    assert options.status_code == 200, options.content
    return post_json(client, "passkey-sign-in-complete", passkey.get(options.json()), **query)


def verified(client) -> bool:
    # A page behind the second factor opens only for a session that has passed it.
    return client.get(reverse("borough-list")).status_code == 200


def test_a_first_enrolment_can_use_a_passkey_instead_of_an_app_and_the_next_sign_in_uses_it(client):
    user = UserFactory(role=Role.PRACTITIONER)
    sign_in(client, user)
    setup_page = client.get(reverse("two-factor-setup")).content.decode()
    assert "Or use a passkey" in setup_page and 'id="otp_webauthn_config"' in setup_page
    passkey = SoftPasskey(BASE_URL)
    added = add_passkey(client, passkey)
    assert added.status_code == 200
    stored = Passkey.objects.get(user=user)
    # Next: name it, then on to where the person was going.
    assert added.json()["redirect_url"].startswith(reverse("passkey-name", args=[stored.pk]))
    assert verified(client)
    response = client.post(reverse("passkey-name", args=[stored.pk]), {"name": "Work laptop", "next": "/home/"})
    assert response.url == "/home/"
    stored.refresh_from_db()
    assert stored.name == "Work laptop"
    assert AuditEvent.objects.filter(record_id=str(user.pk), detail__two_factor="passkey added").exists()
    # A first enrolment is not news to the person; only a passkey added to a set-up account is.
    assert not Notification.objects.filter(recipient=user).exists()

    client.post(reverse("logout"))
    sign_in(client, user)
    assert client.get(reverse("borough-list")).url.startswith(reverse("two-factor-verify"))
    page = client.get(reverse("two-factor-verify")).content.decode()
    # Only passkeys: no code box to type into.
    assert "Use your passkey" in page and 'name="code"' not in page
    assert not verified(client)
    response = use_passkey(client, passkey, next="/boroughs/")
    assert response.status_code == 200 and response.json()["redirect_url"] == "/boroughs/"
    assert verified(client)
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_the_password_alone_cannot_add_a_passkey_to_an_account_with_an_app(client):
    user = UserFactory(role=Role.SUPERVISOR)
    set_up(client, user)
    client.post(reverse("logout"))
    sign_in(client, user)  # the password, not the code
    assert post_json(client, "passkey-add-begin").status_code == 403
    # Nor by skipping the first step with an answer made for some earlier challenge.
    forged = SoftPasskey(BASE_URL).create({"challenge": "AAAA"})
    assert post_json(client, "passkey-add-complete", forged).status_code == 403
    assert not Passkey.objects.filter(user=user).exists()
    assert not verified(client)


def test_a_session_that_passed_the_app_adds_a_passkey_the_person_is_told_and_either_signs_in(
    client, settings, django_capture_on_commit_callbacks
):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory(role=Role.PRACTITIONER)
    set_up(client, user)
    passkey = SoftPasskey(BASE_URL)
    with django_capture_on_commit_callbacks(execute=True):
        assert add_passkey(client, passkey).status_code == 200
    assert Notification.objects.filter(recipient=user, kind="people.two_factor_changed").count() == 1
    device = TOTPDevice.objects.get(user=user)

    client.post(reverse("logout"))
    sign_in(client, user)
    page = client.get(reverse("two-factor-verify")).content.decode()
    assert "Use your passkey" in page and 'name="code"' in page  # either will do
    assert use_passkey(client, passkey).status_code == 200
    assert verified(client)

    client.post(reverse("logout"))
    sign_in(client, user)
    client.post(reverse("two-factor-verify"), {"code": code_for(device, drift=1)})
    assert verified(client)


def test_the_relying_party_is_eip_base_url_whatever_host_the_request_names(client, settings):
    user = UserFactory(role=Role.PRACTITIONER)
    sign_in(client, user)
    settings.ALLOWED_HOSTS = ["*"]
    hostile = Client(HTTP_HOST="eip-login.example.net", secure=True)
    hostile.cookies = client.cookies
    options = post_json(hostile, "passkey-add-begin").json()
    assert options["rp"] == {"name": "EIP case management", "id": "eip.example.org"}


def test_an_answer_collected_by_a_look_alike_site_is_refused_and_counted(client, settings):
    """Phishing: the person's real passkey, used on a page at another address, signs that
    address into its answer, and EIP refuses it."""
    user = UserFactory(role=Role.PRACTITIONER)
    sign_in(client, user)
    passkey = SoftPasskey(BASE_URL)
    add_passkey(client, passkey)
    client.post(reverse("logout"))
    sign_in(client, user)
    phished = SoftPasskey("https://eip-login.example.net", rp_id="eip.example.org")
    phished.key, phished.credential_id = passkey.key, passkey.credential_id
    response = use_passkey(client, phished)
    assert response.status_code == 403
    assert "did not work" in response.json()["detail"]
    assert not verified(client)
    assert Passkey.objects.get(user=user).throttling_failure_count == 1
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SIGN_IN_FAILED, record_id=str(user.pk), detail__second_factor="passkey"
    ).exists()


def test_failed_passkey_attempts_slow_later_ones_down_as_wrong_codes_do(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 1  # django-otp's default: wait 1, 2, 4, 8 … seconds
    user = UserFactory(role=Role.PRACTITIONER)
    sign_in(client, user)
    passkey, spare = SoftPasskey(BASE_URL), SoftPasskey(BASE_URL)
    add_passkey(client, passkey)
    client.get(reverse("two-factor-verify"))
    assert add_passkey(client, spare).status_code == 200
    client.post(reverse("logout"))
    sign_in(client, user)

    stranger = SoftPasskey(BASE_URL)  # a passkey EIP has never seen
    for _ in range(3):
        assert use_passkey(client, stranger).status_code == 403
        Passkey.objects.filter(user=user).update(throttling_failure_timestamp=timezone.now() - timedelta(hours=1))
    assert set(Passkey.objects.filter(user=user).values_list("throttling_failure_count", flat=True)) == {3}
    Passkey.objects.filter(user=user).update(throttling_failure_timestamp=timezone.now())
    # The right passkey, or the other one, is refused until the wait is over.
    for key in (passkey, spare):
        refused = use_passkey(client, key)
        assert refused.status_code == 429 and "Try again after" in refused.json()["detail"]
    assert not verified(client)
    Passkey.objects.filter(user=user).update(throttling_failure_timestamp=timezone.now() - timedelta(seconds=5))
    assert use_passkey(client, passkey).status_code == 200
    assert verified(client)
    assert set(Passkey.objects.filter(user=user).values_list("throttling_failure_count", flat=True)) == {0}


def test_an_answer_cannot_be_replayed_and_another_persons_passkey_does_not_sign_in(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    alex, sam = UserFactory(role=Role.PRACTITIONER), UserFactory(role=Role.PRACTITIONER)
    alex_key, sam_key = SoftPasskey(BASE_URL), SoftPasskey(BASE_URL)
    sign_in(client, alex)
    add_passkey(client, alex_key)
    other = Client(HTTP_HOST="eip.example.org", secure=True)
    sign_in(other, sam)
    add_passkey(other, sam_key)

    client.post(reverse("logout"))
    sign_in(client, alex)
    assert use_passkey(client, sam_key).status_code == 403
    assert not verified(client)
    options = post_json(client, "passkey-sign-in-begin").json()
    answer = alex_key.get(options)
    assert post_json(client, "passkey-sign-in-complete", answer).status_code == 200
    client.post(reverse("logout"))
    sign_in(client, alex)
    post_json(client, "passkey-sign-in-begin")
    assert post_json(client, "passkey-sign-in-complete", answer).status_code == 403
    assert not verified(client)


def test_people_see_name_and_remove_only_their_own_passkeys_and_never_their_last_second_factor(client, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    user = UserFactory(role=Role.PRACTITIONER)
    sign_in(client, user)
    add_passkey(client, SoftPasskey(BASE_URL))
    first = Passkey.objects.get(user=user)
    client.post(reverse("passkey-name", args=[first.pk]), {"name": "Work laptop"})
    someone_elses = make_passkey(UserFactory(role=Role.PRACTITIONER), name="Their phone")

    listing = client.get(reverse("passkey-list")).content.decode()
    assert "Work laptop" in listing and "Their phone" not in listing
    for name in ("passkey-name", "passkey-remove"):
        assert client.get(reverse(name, args=[someone_elses.pk])).status_code == 404
        assert client.post(reverse(name, args=[someone_elses.pk]), {"name": "Mine now"}).status_code == 404
    someone_elses.refresh_from_db()
    assert someone_elses.name == "Their phone"

    # A blank name is refused next to the field, and the passkey keeps its name.
    page = client.post(reverse("passkey-name", args=[first.pk]), {"name": "  "}).content.decode()
    assert "Enter a name for the passkey" in page
    first.refresh_from_db()
    assert first.name == "Work laptop"

    # The only second factor stays: otherwise the password alone could enrol a new one.
    response = client.post(reverse("passkey-remove", args=[first.pk]), follow=True)
    assert "You cannot remove your only passkey" in response.content.decode()
    assert Passkey.objects.filter(pk=first.pk).exists()

    add_passkey(client, SoftPasskey(BASE_URL))
    assert (
        "Passkey “Work laptop” removed."
        in client.post(reverse("passkey-remove", args=[first.pk]), follow=True).content.decode()
    )
    assert list(Passkey.objects.filter(user=user).values_list("name", flat=True)) == ["Passkey 2"]
    assert AuditEvent.objects.filter(record_id=str(user.pk), detail__two_factor="passkey removed").exists()


def test_an_administrators_reset_removes_passkeys_too(client):
    user = UserFactory(role=Role.PRACTITIONER)
    sign_in(client, user)
    passkey = SoftPasskey(BASE_URL)
    add_passkey(client, passkey)
    removed = two_factor_reset(user=user, by=UserFactory(role=Role.ADMINISTRATOR))
    assert removed == 1 and not Passkey.objects.filter(user=user).exists()
    # Signed out; the old passkey does not sign in, and the next sign-in is a first enrolment.
    assert client.get(reverse("borough-list")).url.startswith(reverse("login"))
    sign_in(client, user)
    assert client.get(reverse("borough-list")).url.startswith(reverse("two-factor-setup"))
    assert post_json(client, "passkey-sign-in-begin").status_code == 400


def test_someone_with_only_a_passkey_adds_an_app_keeps_the_passkey_and_is_told(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(role=Role.PRACTITIONER)
    sign_in(client, user)
    passkey = SoftPasskey(BASE_URL)
    add_passkey(client, passkey)
    page = client.get(reverse("two-factor-setup")).content.decode()
    assert "Or use a passkey" not in page  # only at first enrolment
    assert '<h1 class="govuk-heading-l">Add an authenticator app</h1>' in page
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    with django_capture_on_commit_callbacks(execute=True):
        codes = client.post(reverse("two-factor-setup"), {"code": code_for(device)}).content.decode()
    assert "They will not be shown again" in codes
    assert "An authenticator app was added" in Notification.objects.get(recipient=user).message
    assert Passkey.objects.filter(user=user).exists()
    client.post(reverse("logout"))
    sign_in(client, user)
    assert use_passkey(client, passkey).status_code == 200


@pytest.mark.parametrize("body", [b"not json", b"[1, 2]", b'{"id": 5, "response": "x"}', b"\xff\xfe"])
def test_a_malformed_answer_gets_a_plain_refusal_not_an_error(client, body):
    user = UserFactory(role=Role.PRACTITIONER)
    sign_in(client, user)  # a first enrolment: adding is open
    client.post(reverse("passkey-add-begin"))
    response = client.post(reverse("passkey-add-complete"), body, content_type="application/json")
    assert response.status_code == 400 and "not added" in response.json()["detail"]
    assert not Passkey.objects.filter(user=user).exists()

    add_passkey(client, SoftPasskey(BASE_URL))
    client.post(reverse("logout"))
    sign_in(client, user)
    client.post(reverse("passkey-sign-in-begin"))
    response = client.post(reverse("passkey-sign-in-complete"), body, content_type="application/json")
    assert response.status_code in (400, 403) and response.json()["detail"]
    assert not verified(client)


def test_the_admin_list_counts_a_passkey_as_two_factor_set_up(client, settings):
    user = UserFactory(role=Role.PRACTITIONER, full_name="Pat Passkey-Only")
    sign_in(client, user)
    add_passkey(client, SoftPasskey(BASE_URL))
    admin = UserFactory(role=Role.ADMINISTRATOR)
    admin_client = Client(HTTP_HOST="eip.example.org", secure=True)
    admin_client.force_login(admin, backend="eip.people.backends.AccountBackend")
    settings.EIP_REQUIRE_TWO_FACTOR = False  # the administrator's own second factor is not under test here
    listing = admin_client.get("/admin/people/user/?q=Passkey-Only").content.decode()
    row = listing.split("Pat Passkey-Only</a>")[1].split("</tr>")[0]
    cell = row.split('class="field-two_factor_set_up"')[1].split("</td>")[0]
    assert 'alt="True"' in cell
