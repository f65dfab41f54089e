"""Web hardening: the security headers, the absolute session lifetime, escaping in charts."""

import time

import pytest
from django.urls import reverse

from assessments.charts import _bars
from eip.people.middleware import SIGNED_IN_AT
from eip.people.models import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_every_page_carries_a_content_security_policy_without_inline_script(client):
    response = client.get(reverse("login"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "<script>" not in response.content.decode() and "onclick" not in response.content.decode()


def test_a_session_ends_after_its_absolute_lifetime_however_active(client, settings):
    settings.EIP_SESSION_ABSOLUTE_SECONDS = 3600
    user = UserFactory(role=Role.PRACTITIONER)
    client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session[SIGNED_IN_AT] = int(time.time()) - 3601
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    assert client.get(reverse("home")).status_code == 302


def test_chart_labels_are_escaped():
    svg = str(_bars([("<script>alert(1)</script>", [("intake", 1)])], maximum=3, ticks=[0], summary='x" onload="y'))
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    assert 'onload="y' not in svg
