"""Break the glass: emergency access to a case outside one's normal rights needs a reason,
lasts 24 hours, is audited and alerts the supervisors."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import EmergencyAccess
from eip.audit.models import AuditEvent
from eip.notifications.models import Notification
from eip.people.models import Role
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db


def test_emergency_access_needs_a_reason_alerts_supervisors_and_expires(client, camden, sutton):
    case = make_case(UserFactory(role=Role.SOCIAL_WORKER, borough=camden), UserFactory(role=Role.PRACTITIONER))
    supervisor = UserFactory(role=Role.SUPERVISOR)
    stranger = UserFactory(role=Role.SOCIAL_WORKER, borough=sutton, full_name="Sid Stranger")
    client.force_login(stranger, backend="django.contrib.auth.backends.ModelBackend")
    not_found = client.get(reverse("case-detail", args=[case.pk]))
    assert not_found.status_code == 404 and b"ask for emergency access" in not_found.content
    assert b"Daniel" not in not_found.content
    short = client.post(reverse("case-break-glass", args=[case.pk]), {"reason": "need it"})
    assert b"Explain why you need this case now" in short.content
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404
    response = client.post(
        reverse("case-break-glass", args=[case.pk]),
        {"reason": "Police called about the family tonight; practitioner unreachable"},
    )
    assert response.status_code == 302
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 200
    event = AuditEvent.objects.get(action="permission_changed", actor=stranger)
    assert event.detail["break_glass"] and "Police called" in event.detail["reason"]
    alert = Notification.objects.get(kind="case.break_glass")
    assert alert.recipient == supervisor and "Sid Stranger" in alert.message
    EmergencyAccess.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 404


def test_the_form_does_not_reveal_whether_a_case_exists(client, camden):
    client.force_login(
        UserFactory(role=Role.SOCIAL_WORKER, borough=camden), backend="django.contrib.auth.backends.ModelBackend"
    )
    existing = make_case(UserFactory(role=Role.SOCIAL_WORKER, borough=camden), UserFactory(role=Role.PRACTITIONER))
    assert client.get(reverse("case-break-glass", args=[existing.pk])).status_code == 200
    assert client.get(reverse("case-break-glass", args=[99999])).status_code == 200
