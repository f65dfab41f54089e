"""Temporary accommodation: the rules for requesting, booking and paying, the capped fund
(also under concurrent approvals on PostgreSQL), expiry reminders, move-on, and what housing
and finance can and cannot see. The agreement PDF is read back as text."""

import subprocess
import threading
import time
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection, connections
from django.urls import reverse

from accommodation import documents, services
from accommodation.models import Fund, Placement
from cases.models import Case
from cases.selectors import caseload_for_user, due_items
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from tests.accommodation_factories import case_ready_for_accommodation, propose, request_for
from tests.factories import BoroughFactory, UserFactory
from tests.referral_factories import make_case

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def people(db, camden):
    housing = UserFactory(role=Role.HOUSING_SPOC, borough=camden, full_name="Hana Housing")
    camden.housing_spoc = housing
    camden.save()
    return {
        "worker": UserFactory(role=Role.SOCIAL_WORKER, borough=camden),
        "practitioner": UserFactory(role=Role.PRACTITIONER),
        "housing": housing,
        "finance": UserFactory(role=Role.FINANCE),
    }


@pytest.fixture
def fund(db):
    Fund.objects.all().delete()
    return Fund.objects.create(name="Phase 1", total=Decimal("14000.00"), places=10)


def approved(people, **propose_args):
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    placement = propose(request_for(case, people["practitioner"]), people["housing"], **propose_args)
    return services.placement_decide(placement=placement, user=people["finance"], approve=True)


@pytest.mark.django_db
def test_no_accommodation_without_both_consents_and_scenario_planning(people, fund):
    case = make_case(people["worker"], people["practitioner"])
    Case.objects.filter(pk=case.pk).update(stage=Case.Stage.INTERVENTION, intervention_started_on=date(2026, 1, 12))
    with pytest.raises(services.AccommodationError) as refused:
        request_for(Case.objects.get(pk=case.pk), people["practitioner"])
    assert "The client's consent is needed." in str(refused.value)
    assert "The partner's consent is needed." in str(refused.value)
    ready = case_ready_for_accommodation(people["worker"], people["practitioner"])
    with pytest.raises(services.AccommodationIncomplete) as missing:
        request_for(ready, people["practitioner"], scenario_planning="", housing_options_explained=False)
    assert set(missing.value.errors) == {"scenario_planning", "housing_options_explained"}


@pytest.mark.django_db
def test_a_placement_is_at_most_four_weeks_and_out_of_borough_needs_a_reason(people, fund):
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    request = request_for(case, people["practitioner"])
    with pytest.raises(services.AccommodationIncomplete) as too_long:
        propose(request, people["housing"], nights=29)
    assert "at most four weeks" in too_long.value.errors["planned_end_on"]
    with pytest.raises(services.AccommodationIncomplete) as unexplained:
        propose(request, people["housing"], out_of_borough=True)
    assert "out_of_borough_justification" in unexplained.value.errors
    placement = propose(request, people["housing"], nights=28)
    assert placement.committed == Decimal("1680.00")  # 28 nights at £60


@pytest.mark.django_db
def test_the_fund_tracks_committed_spent_and_remaining_by_borough(people, fund):
    first = approved(people, nightly_rate=Decimal("60.00"), nights=28)  # £1,680
    approved(people, fixed_amount=Decimal("950.00"))  # deposit £950
    invoice = services.invoice_record(
        placement=first,
        user=people["finance"],
        reference="INV-1",
        amount=Decimal("840.00"),
        received_on=date(2026, 2, 15),
    )
    services.invoice_record(
        placement=first,
        user=people["finance"],
        reference="INV-2",
        amount=Decimal("840.00"),
        received_on=date(2026, 3, 1),
    )
    services.invoice_pay(invoice=invoice, user=people["finance"], paid_on=date(2026, 2, 20))
    position = services.fund_position(fund)
    assert position == {
        "total": Decimal("14000.00"),
        "committed": Decimal("2630.00"),
        "released": Decimal("0"),
        "spent": Decimal("840.00"),
        "remaining": Decimal("11370.00"),
        "places": 10,
        "people": 2,
        "places_left": 8,
    }
    assert services.fund_by_borough(fund) == [
        {
            "borough": "Camden",
            "committed": Decimal("2630.00"),
            "placements": 2,
            "spent": Decimal("840.00"),
            "released": Decimal("0"),
        }
    ]


@pytest.mark.django_db
def test_a_commitment_over_the_fund_or_its_places_is_refused_with_the_figures(people, fund):
    fund.total, fund.places = Decimal("2000.00"), 2
    fund.save()
    approved(people, nightly_rate=Decimal("60.00"), nights=28)  # £1,680, £320 left
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    too_dear = propose(
        request_for(case, people["practitioner"]), people["housing"], nightly_rate=Decimal("50"), nights=7
    )
    with pytest.raises(services.AccommodationError) as refused:
        services.placement_decide(placement=too_dear, user=people["finance"], approve=True)
    assert "would commit £350.00 but only £320.00 of the £2,000.00 fund remains" in str(refused.value)
    services.placement_decide(placement=too_dear, user=people["finance"], approve=False, notes="Too dear")
    cheaper = propose(too_dear.request, people["housing"], nightly_rate=Decimal("40"), nights=7)  # £280
    services.placement_decide(placement=cheaper, user=people["finance"], approve=True)
    third = case_ready_for_accommodation(people["worker"], people["practitioner"])
    small = propose(request_for(third, people["practitioner"]), people["housing"], fixed_amount=Decimal("10"))
    with pytest.raises(services.AccommodationError, match="The fund's 2 places are all committed"):
        services.placement_decide(placement=small, user=people["finance"], approve=True)


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_two_finance_officers_approving_at_once_cannot_overspend_the_fund(people, fund, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.fail("This test proves row locking on PostgreSQL; run the suite on PostgreSQL.")
    fund.total = Decimal("2000.00")
    fund.save()
    # Two boroughs, so nothing but the fund is shared between the two approvals.
    sutton = BoroughFactory(name="Sutton", code="sutton")
    sutton.housing_spoc = UserFactory(role=Role.HOUSING_SPOC, borough=sutton)
    sutton.save()
    placements = []
    for worker, housing in (
        (people["worker"], people["housing"]),
        (UserFactory(role=Role.SOCIAL_WORKER, borough=sutton), sutton.housing_spoc),
    ):
        case = case_ready_for_accommodation(worker, people["practitioner"])
        placements.append(propose(request_for(case, people["practitioner"]), housing))  # £1,680 each
    barrier, outcomes = threading.Barrier(2), []
    check = services._check_fund

    def slow_check(*args):
        # Hold the window between checking the fund and committing open, as a busy server might.
        check(*args)
        time.sleep(0.5)

    monkeypatch.setattr(services, "_check_fund", slow_check)

    def approve(placement):
        try:
            barrier.wait()
            services.placement_decide(placement=placement, user=people["finance"], approve=True)
            outcomes.append("approved")
        except services.AccommodationError as refused:
            outcomes.append(str(refused))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(p,)) for p in placements]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    print("OUTCOMES", outcomes)
    assert outcomes.count("approved") == 1 and len(outcomes) == 2
    assert "only £320.00" in next(o for o in outcomes if o != "approved")
    assert Placement.objects.filter(status="approved").count() == 1
    assert services.fund_position(fund)["remaining"] == Decimal("320.00")


@pytest.mark.django_db
def test_expiry_reminders_go_7_3_and_1_days_before_the_end_once_each(people, fund, monkeypatch):
    approved(people, nights=28)  # 1 February to 1 March 2026
    sent = []
    for day in (20, 21, 22, 25, 26, 27, 28):  # February, at 10:00; the sweeper runs twice each time
        mail.outbox.clear()
        monkeypatch.setattr("django.utils.timezone.now", lambda d=day: datetime(2026, 2, d, 10, tzinfo=LONDON))
        reminders_send_due()
        reminders_send_due()
        sent += [(day, m.to[0]) for m in mail.outbox if "accommodation" in m.body]
    recipients = sorted([people["practitioner"].email, people["housing"].email])
    # 7 days before is Sunday 22 and 1 day before is Saturday 28: both come on the Friday before,
    # at 09:00, so nobody meets them first on Monday, after the placement has ended.
    assert sorted(sent) == [(20, r) for r in recipients] + [(26, r) for r in recipients] + [(27, r) for r in recipients]


@pytest.mark.django_db
def test_an_extension_needs_a_reason_and_finance_and_moves_the_reminders(people, fund):
    placement = approved(people, nights=28)
    with pytest.raises(services.AccommodationIncomplete):
        services.extension_request(
            placement=placement, user=people["practitioner"], new_end_on=date(2026, 3, 8), reason=""
        )
    extension = services.extension_request(
        placement=placement,
        user=people["practitioner"],
        new_end_on=date(2026, 3, 8),
        reason="Private room available from 8 March",
    )
    assert extension.additional_cost == Decimal("420.00")  # 7 nights at £60
    services.extension_decide(extension=extension, user=people["finance"], approve=True)
    placement.refresh_from_db()
    assert placement.planned_end_on == date(2026, 3, 8)
    assert services.fund_position(placement.fund)["committed"] == Decimal("2100.00")
    from eip.notifications.models import Notification

    pending = Notification.objects.filter(kind="accommodation.ending", cancelled_at__isnull=True, sent_at__isnull=True)
    # 1 and 7 March are a Sunday and a Saturday: those reminders come on the Friday before.
    assert {n.due_at.date() for n in pending} == {date(2026, 2, 27), date(2026, 3, 5), date(2026, 3, 6)}


@pytest.mark.django_db
def test_returning_home_needs_a_review_and_unsafe_return_needs_protective_steps(people, fund):
    placement = approved(people)
    with pytest.raises(services.AccommodationIncomplete) as missing:
        services.placement_end(
            placement=placement, user=people["practitioner"], ended_on=date(2026, 3, 1), move_on="returned_home"
        )
    assert "return-home review" in missing.value.errors["move_on"]
    with pytest.raises(services.AccommodationIncomplete) as unsafe:
        services.return_home_review_record(
            placement=placement,
            user=people["practitioner"],
            reviewed_on=date(2026, 2, 26),
            risks_to_children="Low",
            risks_to_adults="Moderate",
            support_package="Weekly calls",
            return_is_safe=False,
        )
    assert "protective_steps" in unsafe.value.errors
    services.return_home_review_record(
        placement=placement,
        user=people["practitioner"],
        reviewed_on=date(2026, 2, 26),
        risks_to_children="Low",
        risks_to_adults="Low",
        support_package="Weekly calls",
        return_is_safe=True,
    )
    ended = services.placement_end(
        placement=placement, user=people["practitioner"], ended_on=date(2026, 3, 1), move_on="returned_home"
    )
    assert ended.status == "ended" and ended.request.status == "ended"


@pytest.mark.django_db
def test_the_caseload_shows_days_left_and_an_overdue_move_on(people, fund):
    placement = approved(people)
    row = caseload_for_user(user=people["practitioner"]).get(pk=placement.request.case.pk)
    item = [i for i in due_items(row, today=date(2026, 2, 20)) if "Accommodation" in i.what][0]
    assert (item.what, item.overdue) == ("Accommodation ends (9 days left)", False)
    late = [i for i in due_items(row, today=date(2026, 3, 2)) if "Accommodation" in i.what][0]
    assert (late.what, late.overdue) == ("Accommodation move-on", True)


@pytest.mark.django_db
def test_the_caseload_counts_a_placement_overdue_on_its_own_case_only(people, fund):
    # Placement ids and case ids deliberately out of step: the overdue condition once compared
    # them, so it said the same of every case, whichever case's placement had ended.
    from accommodation.due import placement_overdue

    for _ in range(3):
        make_case(people["worker"], people["practitioner"])
    housed = approved(people).request.case
    elsewhere = case_ready_for_accommodation(people["worker"], people["practitioner"])
    later = propose(
        request_for(elsewhere, people["practitioner"]),
        people["housing"],
        start_on=date(2026, 3, 1),
        planned_end_on=date(2026, 3, 29),
    )
    services.placement_decide(placement=later, user=people["finance"], approve=True)
    cases = Case.objects.filter(practitioner=people["practitioner"])

    def overdue_on(day):
        return set(cases.filter(placement_overdue(day)).values_list("pk", flat=True))

    assert overdue_on(date(2026, 2, 20)) == set()
    assert overdue_on(date(2026, 3, 2)) == {housed.pk}  # 1 February + 28 nights has passed
    assert overdue_on(date(2026, 4, 1)) == {housed.pk, elsewhere.pk}


@pytest.mark.document_scan
@pytest.mark.django_db
def test_the_agreement_pdf_names_the_client_and_never_the_partner_or_children(people, fund, tmp_path):
    placement = approved(people)
    pdf = tmp_path / "agreement.pdf"
    pdf.write_bytes(documents.agreement_pdf(placement))
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Temporary accommodation agreement" in text and "Daniel Hughes" in text
    assert "10 Hotel Street" in text and "Sunday 1 March 2026" in text
    referral = placement.request.case.referral
    partner = referral.partner
    for secret in (partner.first_name, partner.phone, "12 Example Road", "NW1 0AA", "Chloe", "Child in Need", "aged 6"):
        assert secret not in text, secret


def test_the_pdf_fetcher_refuses_files_and_the_network():
    fetcher = documents.StaticOnlyFetcher()
    for url in ("file:///etc/passwd", "http://example.com/x.css", "https://127.0.0.1/"):
        with pytest.raises(ValueError, match="Refused"):
            fetcher(url)


@pytest.mark.django_db
def test_housing_sees_what_a_booking_needs_and_never_the_case_or_the_partner(people, fund, client, sutton):
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    request = request_for(case, people["practitioner"], housing_notes="Uses a wheelchair")
    client.force_login(people["housing"], backend="eip.people.backends.AccountBackend")
    page = client.get(reverse("housing-request", args=[request.pk])).content.decode()
    assert "Daniel Hughes" in page and "Within a mile of NW1 0AA" in page and "Uses a wheelchair" in page
    for hidden in ("Chloe", "07700 900456", "Arguments escalating at home", "Escalating arguments over child contact"):
        assert hidden not in page, hidden
    assert client.get(reverse("case-detail", args=[case.pk])).status_code == 403
    assert client.get(reverse("case-assessments", args=[case.pk])).status_code == 403
    other = UserFactory(role=Role.HOUSING_SPOC, borough=sutton)
    client.force_login(other, backend="eip.people.backends.AccountBackend")
    assert client.get(reverse("housing-request", args=[request.pk])).status_code == 404


@pytest.mark.django_db
def test_finance_sees_placements_and_money_but_not_the_case_or_the_address(people, fund, client):
    placement = approved(people)
    client.force_login(people["finance"], backend="eip.people.backends.AccountBackend")
    page = client.get(reverse("finance-placement", args=[placement.pk])).content.decode()
    assert "Camden Travel Inn" in page and "£1,680.00" in page
    for hidden in ("10 Hotel Street", "Chloe", "Arguments escalating", "Daniel"):
        assert hidden not in page, hidden
    for url in (
        reverse("case-detail", args=[placement.request.case.pk]),
        reverse("case-assessments", args=[placement.request.case.pk]),
        reverse("referral-detail", args=[placement.request.case.referral.pk]),
    ):
        assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_the_case_offers_the_agreement_only_to_those_who_may_download_it(people, fund, client_for):
    placement = approved(people)
    page_url = reverse("case-accommodation", args=[placement.request.case_id])
    pdf = reverse("agreement-pdf", args=[placement.pk])
    assert f'href="{pdf}"' in client_for(people["practitioner"]).get(page_url).content.decode()
    # The social worker follows the placement on the case but the agreement is not theirs to hand out.
    page = client_for(people["worker"]).get(page_url).content.decode()
    assert placement.provider in page and pdf not in page
    assert client_for(people["worker"]).get(pdf).status_code == 403
