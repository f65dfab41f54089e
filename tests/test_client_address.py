"""Finding 9 of the security probe: the address in the audit trail cannot be chosen by the
client. X-Forwarded-For counts only when it comes from a configured proxy."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory
from django.urls import reverse

from eip.audit.middleware import client_ip_of
from eip.audit.models import AuditEvent
from eip.settings.base import env_networks
from tests.factories import PASSWORD, UserFactory


def signed_in_from(client, **meta):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD}, **meta)
    assert response.status_code == 302
    return AuditEvent.objects.get(action=AuditEvent.Action.SIGNED_IN, actor=user).ip_address


@pytest.mark.probe(9)
@pytest.mark.django_db
def test_without_configured_proxies_a_forwarded_address_is_ignored(client, settings):
    settings.EIP_TRUSTED_PROXIES = []
    assert signed_in_from(client, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="198.51.100.99") == "203.0.113.7"


@pytest.mark.probe(9)
@pytest.mark.django_db
def test_a_client_that_is_not_our_proxy_cannot_choose_its_address(client, settings):
    settings.EIP_TRUSTED_PROXIES = ["10.0.0.0/8"]
    ip = signed_in_from(client, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="10.1.2.3, 198.51.100.99")
    assert ip == "203.0.113.7"


@pytest.mark.probe(9)
@pytest.mark.django_db
def test_behind_our_proxy_the_client_is_the_right_most_address_that_is_not_a_proxy(client, settings):
    settings.EIP_TRUSTED_PROXIES = ["10.0.0.0/8", "192.0.2.10"]
    # The client wrote "198.51.100.99" itself; the two proxies appended 203.0.113.7 and 10.0.0.5.
    ip = signed_in_from(client, REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.99, 203.0.113.7, 10.0.0.5")
    assert ip == "203.0.113.7"


@pytest.mark.probe(9)
@pytest.mark.django_db
def test_a_forwarded_value_that_is_not_an_address_is_neither_stored_nor_a_crash(client, settings):
    settings.EIP_TRUSTED_PROXIES = []
    assert signed_in_from(client, REMOTE_ADDR="203.0.113.7", HTTP_X_FORWARDED_FOR="<script>") == "203.0.113.7"


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ([], "203.0.113.7", "", "203.0.113.7"),
        ([], "", "198.51.100.1", None),
        (["10.0.0.1"], "10.0.0.1", "", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "garbage", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "198.51.100.1, garbage", "10.0.0.1"),
        (["10.0.0.1"], "10.0.0.1", "garbage, 198.51.100.1", "198.51.100.1"),
        (["10.0.0.0/8"], "10.0.0.1", "10.0.0.2, 10.0.0.3", "10.0.0.2"),
        (["10.0.0.0/8"], "::ffff:10.0.0.1", "198.51.100.1", "198.51.100.1"),
        (["2001:db8::/32"], "2001:db8::1", "2001:db8:ffff::1, 2a00:1450::1", "2a00:1450::1"),
        (["2001:db8::/32"], "2a00:1450::1", "198.51.100.1", "2a00:1450::1"),
    ],
)
def test_the_client_address_rules(settings, proxies, remote, forwarded, expected):
    settings.EIP_TRUSTED_PROXIES = proxies
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip_of(request) == expected


def test_the_setting_accepts_addresses_and_networks_and_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("EIP_TRUSTED_PROXIES", " 10.0.0.1, 172.16.0.0/12 ,2001:db8::/32")
    assert env_networks("EIP_TRUSTED_PROXIES") == ["10.0.0.1", "172.16.0.0/12", "2001:db8::/32"]
    monkeypatch.setenv("EIP_TRUSTED_PROXIES", "")
    assert env_networks("EIP_TRUSTED_PROXIES") == []
    monkeypatch.setenv("EIP_TRUSTED_PROXIES", "10.0.0.1,proxy.internal")
    with pytest.raises(ImproperlyConfigured, match="proxy.internal"):
        env_networks("EIP_TRUSTED_PROXIES")


@pytest.mark.django_db
def test_the_lockout_logs_the_same_address(client, settings):
    from axes.models import AccessAttempt

    settings.EIP_TRUSTED_PROXIES = ["10.0.0.5"]
    client.post(
        reverse("login"),
        {"username": "x@eip.test", "password": "wrong-password-1"},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="203.0.113.7",
    )
    assert AccessAttempt.objects.get().ip_address == "203.0.113.7"
