"""Two records of one person: a practitioner proposes the merge, a supervisor confirms it,
referrals and cases move to the record kept, the merge is explained afterwards, and the
monitoring report counts the person once."""

import html
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import Case
from eip.audit.models import AuditEvent
from eip.people.models import Role
from evaluation.report import demographics, month_period
from referrals import matching, merging, services
from referrals.models import Person, PersonMerge
from tests.factories import UserFactory
from tests.referral_factories import make_case, make_referral

pytestmark = pytest.mark.django_db


def text(response):
    return html.unescape(response.content.decode())


@pytest.fixture
def team(camden):
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
        "supervisor": UserFactory(role=Role.SUPERVISOR, full_name="Sam Lee"),
    }


@pytest.fixture
def two_records(team):
    """The same man recorded twice: a case under one spelling, a referral under another."""
    case = make_case(team["worker"], team["practitioner"], client_first_name="Mohammed", client_last_name="Khan")
    later = make_referral(
        team["worker"], client_first_name="Muhammad", client_last_name="Khan", client_phone="020 7946 0123"
    )
    services.referral_acknowledge(referral=later, user=team["practitioner"], consultation_timeline="Soon")
    services.referral_link_person(referral=later, user=team["practitioner"], person=None)
    later.refresh_from_db()
    return case.person, later.person, case, later


def test_a_confirmed_merge_moves_referrals_and_cases_and_the_report_counts_one_person(team, two_records):
    kept, duplicate, case, later = two_records
    period = month_period(timezone.localdate().year, timezone.localdate().month)
    assert demographics(period)["individuals"] == 2

    merge = merging.person_merge_propose(kept=kept, merged=duplicate, user=team["practitioner"], reason="Same phone")
    assert later.person_id == duplicate.pk  # nothing moves on a proposal
    assert demographics(period)["individuals"] == 2
    merging.person_merge_decide(merge=merge, user=team["supervisor"], confirm=True)

    later.refresh_from_db()
    duplicate.refresh_from_db()
    assert later.person == kept
    assert Case.objects.get(pk=case.pk).person == kept
    assert duplicate.merged_into == kept
    assert demographics(period)["individuals"] == 1
    merge.refresh_from_db()
    assert merge.moved == {"referrals.referral": [later.pk]}
    explained = merging.person_merge_explanation(merge=merge)
    assert explained[0].startswith("Proposed by Alex Morgan on ") and explained[0].endswith(": Same phone")
    assert explained[1].startswith("Confirmed by Sam Lee on ")
    assert explained[2] == f"Moved to person {kept.pk}: 1 referral."
    event = AuditEvent.objects.get(record_type="referrals.personmerge", detail__event="merge confirmed")
    assert event.actor == team["supervisor"] and event.detail["moved"] == {"referrals.referral": [later.pk]}
    # The merged record is no longer offered as a match; the kept one is found by either spelling.
    found = matching.person_candidates(identity=matching.Identity("Muhammad", "Khan", date(1987, 5, 14)))
    assert [m.person for m in found] == [kept]


def test_the_case_of_the_merged_record_moves_too(team, two_records):
    kept, duplicate, case, later = two_records
    merge = merging.person_merge_propose(kept=duplicate, merged=kept, user=team["practitioner"], reason="Same man")
    merging.person_merge_decide(merge=merge, user=team["supervisor"], confirm=True)
    assert Case.objects.get(pk=case.pk).person == duplicate
    merge.refresh_from_db()
    assert merge.moved["cases.case"] == [case.pk]


def test_a_merge_needs_a_second_person_who_is_a_supervisor(team, two_records):
    kept, duplicate, *_ = two_records
    proposer = UserFactory(role=Role.SUPERVISOR)
    merge = merging.person_merge_propose(kept=kept, merged=duplicate, user=proposer, reason="Same man")
    with pytest.raises(merging.MergeError, match="someone other than the person who proposed it"):
        merging.person_merge_decide(merge=merge, user=proposer, confirm=True)
    with pytest.raises(merging.MergeError, match="Only a supervisor"):
        merging.person_merge_decide(merge=merge, user=team["practitioner"], confirm=True)
    with pytest.raises(merging.MergeError, match="already waiting"):
        merging.person_merge_propose(kept=kept, merged=duplicate, user=team["practitioner"], reason="Again")
    with pytest.raises(merging.MergeIncomplete):
        merging.person_merge_decide(merge=merge, user=team["supervisor"], confirm=False, note=" ")
    merging.person_merge_decide(merge=merge, user=team["supervisor"], confirm=False, note="Different fathers' names")
    duplicate.refresh_from_db()
    assert duplicate.merged_into is None
    assert PersonMerge.objects.get().status == PersonMerge.Status.REJECTED


def test_practitioner_proposes_and_supervisor_confirms_on_screen(team, two_records, client):
    kept, duplicate, case, later = two_records
    client.force_login(team["practitioner"], backend="eip.people.backends.AccountBackend")
    page = text(client.get(reverse("person-detail", args=[kept.pk])))
    assert "Muhammad Khan" in page or "Khan, born" in page
    assert "first name is another spelling of the same name" in page
    refused = client.post(reverse("person-merge-propose", args=[kept.pk]), {"other": str(duplicate.pk), "reason": ""})
    assert refused.status_code == 400
    assert "Say why these are the same person" in text(refused)
    response = client.post(
        reverse("person-merge-propose", args=[kept.pk]), {"other": str(duplicate.pk), "reason": "Same phone and DOB"}
    )
    merge = PersonMerge.objects.get()
    assert response.url == reverse("person-merge-detail", args=[merge.pk])
    # The proposer cannot confirm it, and is not offered to.
    assert "Save the decision" not in text(client.get(response.url))
    assert client.post(reverse("person-merge-decide", args=[merge.pk]), {"decision": "confirm"}).status_code == 403

    client.force_login(team["supervisor"], backend="eip.people.backends.AccountBackend")
    assert "Save the decision" in text(client.get(response.url))
    client.post(reverse("person-merge-decide", args=[merge.pk]), {"decision": "confirm"})
    page = text(client.get(response.url))
    assert "Confirmed by Sam Lee" in page and f"Moved to person {kept.pk}: 1 referral." in page
    later.refresh_from_db()
    assert later.person == kept
    assert AuditEvent.objects.filter(record_type="referrals.personmerge", action=AuditEvent.Action.VIEWED).exists()


def test_a_record_not_offered_cannot_be_merged(team, two_records, client, camden):
    kept, *_ = two_records
    stranger = Person.objects.create(first_name="Priya", last_name="Sharma", borough=camden)
    client.force_login(team["practitioner"], backend="eip.people.backends.AccountBackend")
    response = client.post(reverse("person-merge-propose", args=[kept.pk]), {"other": str(stranger.pk), "reason": "x"})
    assert response.status_code == 400
    assert "Select the record that is the same person" in text(response)
    assert not PersonMerge.objects.exists()
