"""Referral intake rules: due dates, the ISA gate, the window rule, reminders, matching."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.models import Case
from eip.notifications.models import Notification
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from referrals import services
from referrals.models import IntakeDuty, Person, Referral, ReferralWindow
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_referral

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def at(*args):
    return datetime(*args, tzinfo=LONDON)


@pytest.fixture
def team(camden):
    people = {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden),
        "practitioner": UserFactory(role=Role.PRACTITIONER, full_name="Alex Morgan"),
        "practitioner2": UserFactory(role=Role.PRACTITIONER),
        "supervisor": UserFactory(role=Role.SUPERVISOR),
        "manager": UserFactory(role=Role.PROGRAMME_MANAGER),
    }
    # Both practitioners are on intake duty, so both are told about new referrals.
    for name in ("practitioner", "practitioner2"):
        IntakeDuty.objects.create(practitioner=people[name], set_by=people["supervisor"])
    return people


@pytest.mark.parametrize(
    "received, due",
    [
        # Thursday 24 December 2020, morning: 29, 30, 31 December (25 and 28 are bank holidays).
        (at(2020, 12, 24, 10, 0), date(2020, 12, 31)),
        # The same day after working hours counts from Tuesday 29: 30, 31 December, 4 January.
        (at(2020, 12, 24, 18, 30), date(2021, 1, 4)),
        # Wednesday 23 December 2020: 24, 29, 30 December.
        (at(2020, 12, 23, 9, 0), date(2020, 12, 30)),
        # Thursday 1 April 2021: Good Friday 2 and Easter Monday 5 April are holidays: 6, 7, 8.
        (at(2021, 4, 1, 11, 0), date(2021, 4, 8)),
        # Saturday 3 April 2021 (Easter weekend) counts from Tuesday 6: 7, 8, 9 April.
        (at(2021, 4, 3, 12, 0), date(2021, 4, 9)),
    ],
)
def test_the_acknowledgement_due_date_skips_weekends_and_bank_holidays(team, received, due):
    referral = make_referral(team["worker"], now=received)
    assert referral.acknowledgement_due == due
    assert referral.received_at == received
    assert referral.status == Referral.Status.SUBMITTED
    assert referral.reference == f"EIP-{received.year}-0001"


def test_references_are_numbered_in_order_within_a_year(team):
    first = make_referral(team["worker"], now=at(2020, 12, 30, 10))
    second = make_referral(team["worker"], now=at(2020, 12, 31, 10))
    third = make_referral(team["worker"], now=at(2021, 1, 4, 10))
    assert [first.reference, second.reference, third.reference] == [
        "EIP-2020-0001",
        "EIP-2020-0002",
        "EIP-2021-0001",
    ]


def test_a_borough_without_an_information_sharing_agreement_cannot_submit(client):
    hackney = BoroughFactory(name="Hackney", code="hackney", isa_in_place=False, isa_signed_on=None)
    spoc = UserFactory(role=Role.BOROUGH_SPOC, borough=hackney, full_name="Hana SPOC", email="hana@hackney.test")
    hackney.spoc = spoc
    hackney.save()
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=hackney)
    with pytest.raises(services.ReferralError, match="information sharing agreement"):
        make_referral(worker)
    assert not Referral.objects.exclude(status="draft").exists()
    client.force_login(worker, backend="eip.people.backends.AccountBackend")
    page = client.get(reverse("referral-new")).content.decode()
    assert "does not have an information sharing agreement" in page
    assert "Hana SPOC (hana@hackney.test)" in page
    assert 'name="client_first_name"' not in page


def test_a_referral_outside_the_window_needs_all_three_agreements(team):
    ReferralWindow.objects.create(name="Phase 1", opens_on=date(2020, 8, 19), closes_on=date(2020, 12, 31))
    inside = make_referral(team["worker"], now=at(2020, 12, 31, 10))
    late = make_referral(team["worker"], now=at(2021, 1, 5, 10), client_first_name="Other")
    assert not inside.outside_window and late.outside_window
    p = team["practitioner"]
    services.referral_acknowledge(referral=late, user=p, consultation_timeline="Next week")
    services.referral_link_person(referral=late, user=p, person=None)
    with pytest.raises(services.ReferralError, match="outside the referral window"):
        services.referral_accept(referral=late, user=p)
    for party in ("delivery_partner", "programme_lead"):
        services.referral_record_late_agreement(
            referral=late,
            user=p,
            party=party,
            agreed_by="Someone",
            agreed_on=date(2021, 1, 6),
            document=SimpleUploadedFile("agreement.pdf", b"%PDF-1.4"),
        )
    with pytest.raises(services.ReferralError, match="London Borough of Camden"):
        services.referral_accept(referral=late, user=p)
    services.referral_record_late_agreement(
        referral=late,
        user=p,
        party="fund_holder",
        agreed_by="Finance lead",
        agreed_on=date(2021, 1, 7),
        document=SimpleUploadedFile("agreement.pdf", b"%PDF-1.4"),
    )
    case = services.referral_accept(referral=late, user=p)
    assert case.stage == Case.Stage.AWAITING_CONSULTATION
    assert Referral.objects.get(pk=late.pk).status == Referral.Status.ACCEPTED


def test_with_no_window_configured_referrals_are_open(team):
    assert not make_referral(team["worker"], now=at(2026, 6, 1, 10)).outside_window


def test_practitioners_are_told_at_once_and_reminded_once_before_the_deadline(
    team, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2020, 12, 24, 10))
    with django_capture_on_commit_callbacks(execute=True):
        referral = make_referral(team["worker"])
    new = mail.outbox[:]
    assert sorted(m.to[0] for m in new) == sorted([team["practitioner"].email, team["practitioner2"].email])
    assert referral.reference in new[0].body and "Daniel" not in new[0].body
    mail.outbox.clear()
    # The day before the deadline (Wednesday 30 December, 09:00) — twice, as a repeated beat would.
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2020, 12, 30, 9, 30))
    reminders_send_due()
    reminders_send_due()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([team["practitioner"].email, team["practitioner2"].email])
    assert "must be acknowledged by Thursday 31 December 2020" in mail.outbox[0].body
    mail.outbox.clear()
    # After the deadline the supervisor and the programme manager are alerted, once, at 09:00
    # on the next working day: not on New Year's Day or the weekend, but Monday 4 January.
    for moment in [at(2021, 1, 1, 0), at(2021, 1, 1, 9), at(2021, 1, 2, 9), at(2021, 1, 3, 9), at(2021, 1, 4, 8, 59)]:
        monkeypatch.setattr("django.utils.timezone.now", lambda moment=moment: moment)
        reminders_send_due()
    assert mail.outbox == []
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2021, 1, 4, 9, 0))
    reminders_send_due()
    reminders_send_due()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([team["supervisor"].email, team["manager"].email])
    assert "overdue" in mail.outbox[0].body


def test_a_missed_sweep_catches_up_and_acknowledging_cancels_the_rest(team, monkeypatch):
    referral = make_referral(team["worker"], now=at(2020, 12, 24, 10))
    services.referral_acknowledge(
        referral=referral, user=team["practitioner"], consultation_timeline="Within 5 working days"
    )
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2021, 2, 1, 9, 0))
    mail.outbox.clear()
    reminders_send_due()
    # Only the referrer's acknowledgement and the initial alerts remain; no due/overdue ones.
    kinds = set(Notification.objects.filter(sent_at__isnull=False).values_list("kind", flat=True))
    assert "referral.acknowledgement_due" not in kinds
    assert "referral.acknowledgement_overdue" not in kinds
    assert all("overdue" not in m.body for m in mail.outbox)


def test_reminders_missed_while_workers_were_down_are_sent_when_they_return(team, monkeypatch):
    referral = make_referral(team["worker"], now=at(2020, 12, 24, 10))
    # Nothing ran for a week; the first sweep afterwards sends both due and overdue reminders.
    monkeypatch.setattr("django.utils.timezone.now", lambda: at(2021, 1, 8, 9, 0))
    mail.outbox.clear()
    reminders_send_due()
    kinds = Notification.objects.filter(subject_id=referral.pk, sent_at__isnull=False)
    assert kinds.filter(kind="referral.acknowledgement_due").count() == 2
    assert kinds.filter(kind="referral.acknowledgement_overdue").count() == 2


def test_the_referrer_sees_each_status_change(team):
    worker, p = team["worker"], team["practitioner"]
    referral = make_referral(worker)
    services.referral_acknowledge(referral=referral, user=p, consultation_timeline="By Friday")
    services.referral_request_information(referral=referral, user=p, request="Children's schools?")
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.MORE_INFO
    services.referral_submit(referral=referral, user=worker)
    assert Referral.objects.get(pk=referral.pk).status == Referral.Status.ACKNOWLEDGED
    services.referral_link_person(referral=referral, user=p, person=None)
    services.referral_accept(referral=referral, user=p)
    kinds = list(Notification.objects.filter(recipient=worker).order_by("pk").values_list("kind", flat=True))
    assert kinds == ["referral.acknowledged", "referral.more_info_requested", "referral.accepted"]


def test_decline_needs_a_reason_and_tells_the_referrer(team):
    referral = make_referral(team["worker"])
    with pytest.raises(services.ReferralIncomplete) as error:
        services.referral_decline(
            referral=referral,
            user=team["practitioner"],
            reason="other",
            details="",
            suggested_onward_referrals="",
        )
    assert "details" in error.value.errors
    services.referral_decline(
        referral=referral,
        user=team["practitioner"],
        reason="risk_too_high",
        details="",
        suggested_onward_referrals="Borough DVPP",
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED and referral.decided_by == team["practitioner"]
    with pytest.raises(services.ReferralError, match="already been declined"):
        services.referral_accept(referral=referral, user=team["practitioner"])


def test_acceptance_needs_acknowledgement_and_a_person(team):
    referral = make_referral(team["worker"])
    with pytest.raises(services.ReferralError) as refused:
        services.referral_accept(referral=referral, user=team["practitioner"])
    assert "Acknowledge the referral first" in str(refused.value)
    assert "link the referral to a person" in str(refused.value)


def test_the_same_person_referred_again_is_offered_as_a_match(team, sutton):
    p = team["practitioner"]
    first = make_referral(team["worker"])
    known = services.referral_link_person(referral=first, user=p, person=None)
    again = make_referral(team["worker"], client_first_name="daniel", client_last_name="HUGHES")
    stranger = make_referral(
        team["worker"],
        client_first_name="Sam",
        client_last_name="Jones",
        client_date_of_birth=date(1990, 1, 1),
    )
    matches = services.person_matches_for_referral(referral=again)
    assert [m.person for m in matches] == [known]
    assert matches[0].reasons == ("same name", "same date of birth", "same phone", "same postcode", "same borough")
    assert matches[0].score == 100
    assert services.person_matches_for_referral(referral=stranger) == []
    services.referral_link_person(referral=again, user=p, person=known)
    assert Person.objects.count() == 1
    assert known.referrals.count() == 2


def test_a_stale_draft_does_not_overwrite_a_newer_save(team):
    referral = services.referral_create(referrer=team["worker"])
    partner = referral.partner
    services.referral_save(referral=referral, partner=partner, children=[], user=team["worker"], expected_version=1)
    with pytest.raises(services.ReferralConflict, match="Someone else changed this referral"):
        services.referral_save(referral=referral, partner=partner, children=[], user=team["worker"], expected_version=1)


def test_an_unacknowledged_referral_reminds_each_working_day_until_it_is_acknowledged(team, monkeypatch):
    """Every duty reminds until it is done: after the first overdue alert, the practitioners on
    intake duty and the supervisor are reminded at 09:00 each working day, once, until someone
    acknowledges it; never at a weekend, with two beats running."""
    referral = make_referral(team["worker"], now=at(2020, 12, 24, 10))  # due Thursday 31 December
    sent = []
    day = date(2021, 1, 1)
    while day <= date(2021, 1, 13):
        for hour in (0, 9, 13, 18):
            moment = at(day.year, day.month, day.day, hour)
            monkeypatch.setattr("django.utils.timezone.now", lambda moment=moment: moment)
            if moment == at(2021, 1, 11, 13):  # Monday, after the day's reminder
                services.referral_acknowledge(
                    referral=referral, user=team["practitioner"], consultation_timeline="Soon"
                )
            mail.outbox.clear()
            reminders_send_due()
            reminders_send_due()
            sent += [(moment, m.to[0]) for m in mail.outbox if "still not acknowledged" in m.body]
        day += timedelta(days=1)
    # Monday 4 January is the first overdue alert (to the supervisor and the manager); then every
    # working day: Tuesday 5 to Friday 8, and Monday 11, not the weekend; none once acknowledged.
    days = [at(2021, 1, d, 9) for d in (5, 6, 7, 8, 11)]
    who = [team[name].email for name in ("practitioner", "practitioner2", "supervisor")]
    assert sorted(sent) == sorted((moment, email) for moment in days for email in who)
    body = Notification.objects.filter(kind="referral.acknowledgement_still_overdue").first().message
    assert referral.reference in body and "due by Thursday 31 December 2020" in body and "Daniel" not in body
