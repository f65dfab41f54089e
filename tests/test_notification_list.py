"""The in-app notification list: filtered by topic and by unread, and marked read in bulk."""

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from eip.notifications.models import Notification
from eip.people.models import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def note(user, kind, message, read=False):
    now = timezone.now()
    return Notification.objects.create(
        recipient=user, kind=kind, key=message, message=message, due_at=now, sent_at=now, read_at=now if read else None
    )


@pytest.fixture
def practitioner(client):
    user = UserFactory(role=Role.PRACTITIONER)
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    return user


def page(client, **query):
    return html.unescape(client.get(reverse("notification-list"), query).content.decode())


def test_the_list_filters_by_topic_and_by_unread(client, practitioner):
    note(practitioner, "referral.new", "New referral EIP-2026-0001")
    note(practitioner, "case.meeting_overdue", "Meeting due on case EIP-2026-0002")
    note(practitioner, "case.consent_withdrawn", "Consent withdrawn on case EIP-2026-0003", read=True)
    everything = page(client)
    assert all(f"EIP-2026-000{n}" in everything for n in (1, 2, 3))
    assert '<option value="case">Cases</option>' in everything and "Referrals</option>" in everything
    cases = page(client, topic="case")
    assert "EIP-2026-0001" not in cases and "EIP-2026-0002" in cases and "EIP-2026-0003" in cases
    unread_cases = page(client, topic="case", show="unread")
    assert "EIP-2026-0002" in unread_cases and "EIP-2026-0003" not in unread_cases
    # A topic the user has nothing about is ignored rather than showing an empty page.
    assert "EIP-2026-0001" in page(client, topic="accommodation")


def test_selected_notifications_are_marked_read_in_bulk_and_only_ones_own(client, practitioner):
    mine = [note(practitioner, "case.meeting_overdue", f"Meeting due on case EIP-2026-000{n}") for n in (1, 2, 3)]
    theirs = note(UserFactory(role=Role.PRACTITIONER), "case.meeting_overdue", "Someone else's")
    response = client.post(
        reverse("notification-read-bulk"),
        {"notification": [mine[0].pk, mine[1].pk, theirs.pk], "back": "/notifications/?show=unread"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/notifications/?show=unread"
    assert "2 notifications marked as read." in html.unescape(response.content.decode())
    read = set(Notification.objects.filter(read_at__isnull=False).values_list("pk", flat=True))
    assert read == {mine[0].pk, mine[1].pk}
    unread = page(client, show="unread")
    assert "EIP-2026-0003" in unread and "EIP-2026-0001" not in unread


def test_marking_none_says_what_to_do_and_an_outside_return_address_is_ignored(client, practitioner):
    response = client.post(reverse("notification-read-bulk"), {"back": "https://elsewhere.example/"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("notification-list")
    assert "Select the notifications to mark as read." in html.unescape(response.content.decode())


def test_mark_all_as_read_takes_every_unread_one_the_filter_shows_on_every_page(client, practitioner):
    for n in range(30):  # more than one page
        note(practitioner, "case.meeting_overdue", f"Meeting due on case EIP-2026-{n:04d}")
    referral = note(practitioner, "referral.new", "New referral EIP-2026-0100")
    page_one = page(client, topic="case")
    assert "Mark all 30 unread shown as read" in page_one
    response = client.post(
        reverse("notification-read-bulk"),
        {"all": "1", "topic": "case", "back": "/notifications/?topic=case"},
        follow=True,
    )
    assert "30 notifications marked as read." in html.unescape(response.content.decode())
    assert Notification.objects.filter(read_at__isnull=True).get() == referral


def test_a_kind_without_a_dot_is_its_own_topic(client, practitioner):
    note(practitioner, "partner_follow_up", "Case EIP-2026-0001: the partner's follow-up is due")
    note(practitioner, "case.closed", "Case EIP-2026-0002 closed")
    followups = page(client, topic="partner_follow_up")
    assert "EIP-2026-0001" in followups and "EIP-2026-0002" not in followups
