"""Accommodation money as Camden finance handles it at month end: the fund's phases, money
shown one way, every placement and invoice reachable, commitments that follow reality,
move-on payments, the month's CSV and fund statement, and reminders on working days."""

import csv
import io
import subprocess
import threading
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.core import mail
from django.db import connection, connections
from django.template import engines
from django.urls import reverse

from accommodation import documents, services
from accommodation.models import Fund, Placement
from eip.money import sterling
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from eip.workdays import WARNING, is_working_day, reminder_delivery_at
from tests.accommodation_factories import case_ready_for_accommodation, propose, request_for
from tests.factories import UserFactory

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
        "finance": UserFactory(role=Role.FINANCE, full_name="Dana Price"),
        "admin": UserFactory(role=Role.ADMINISTRATOR),
        "programme_manager": UserFactory(role=Role.PROGRAMME_MANAGER),
    }


@pytest.fixture
def fund(db):
    Fund.objects.all().delete()
    return Fund.objects.create(name="Phase 1", total=Decimal("14000.00"), places=10)


def approved(people, **propose_args):
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    placement = propose(request_for(case, people["practitioner"]), people["housing"], **propose_args)
    return services.placement_decide(placement=placement, user=people["finance"], approve=True)


# --- money shown one way ------------------------------------------------------------------


def test_sterling_has_thousands_separators_and_pence():
    assert sterling(Decimal("14000")) == "£14,000.00"
    assert sterling(Decimal("1736")) == "£1,736.00"
    assert sterling("12320.5") == "£12,320.50"
    assert sterling(Decimal("-120.5")) == "-£120.50"
    assert sterling(0) == "£0.00"
    assert sterling(None) == ""
    assert engines["django"].from_string("{{ amount|sterling }}").render({"amount": Decimal("1234567.891")}) == (
        "£1,234,567.89"
    )


def test_every_template_shows_money_through_the_one_filter():
    """A pound sign followed by a raw value ('£{{ x }}', '£{{ x|floatformat:2 }}') reads £14000.00."""
    offenders = []
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text()
        if "£{{" in text.replace(" ", "") or "£{%" in text.replace(" ", ""):
            offenders.append(str(template))
    assert offenders == []


# --- fund phases --------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_existing_fund_is_phase_one_from_the_programme_start(fund):
    assert (fund.starts_on, fund.ends_on) == (date(2020, 8, 1), None)
    assert services.fund_for(date(2021, 3, 1)) == fund
    assert services.active_fund(date(2026, 11, 30)) == fund


@pytest.mark.django_db
def test_a_placement_starting_in_a_past_phase_charges_that_phase_not_todays(people, fund):
    phase_2 = services.fund_phase_open(
        name="Phase 2", starts_on=date(2026, 4, 1), total=Decimal("20000.00"), places=12, user=people["admin"]
    )
    fund.refresh_from_db()
    assert fund.ends_on == date(2026, 3, 31)  # phase 1 closes the day before
    old = approved(people, nights=28)  # starts 1 February 2026: phase 1
    new = approved(people, nights=10, start_on=date(2026, 4, 1), planned_end_on=date(2026, 4, 11))
    assert (old.fund, new.fund) == (fund, phase_2)
    assert services.fund_position(fund)["committed"] == Decimal("1680.00")
    assert services.fund_position(phase_2)["committed"] == Decimal("600.00")
    assert services.fund_position(phase_2)["places_left"] == 11
    # A phase's own cap: phase 1 is full at its cap even though phase 2 has money.
    fund.total = Decimal("2000.00")
    fund.save()
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    late = propose(request_for(case, people["practitioner"]), people["housing"], nightly_rate=Decimal("50"), nights=10)
    with pytest.raises(services.AccommodationError, match="only £320.00 of the £2,000.00 fund remains"):
        services.placement_decide(placement=late, user=people["finance"], approve=True)


@pytest.mark.django_db
def test_a_start_date_no_phase_covers_is_refused_next_to_the_start(people, fund):
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    with pytest.raises(services.AccommodationIncomplete) as refused:
        propose(
            request_for(case, people["practitioner"]),
            people["housing"],
            start_on=date(2020, 7, 1),
            planned_end_on=date(2020, 7, 8),
        )
    assert "No phase of the accommodation fund covers 1 July 2020" in refused.value.errors["start_on"]


@pytest.mark.django_db
def test_a_new_phase_cannot_overlap_or_strand_a_placement(people, fund):
    approved(people, nights=28)  # 1 February to 1 March 2026, charged to phase 1
    with pytest.raises(services.AccommodationIncomplete) as straddles:
        services.fund_phase_open(
            name="Phase 2", starts_on=date(2026, 1, 15), total=Decimal("1"), places=1, user=people["admin"]
        )
    assert "1 placement charged to Phase 1 starts on or after 15 January 2026" in straddles.value.errors["starts_on"]
    with pytest.raises(services.AccommodationIncomplete) as before:
        services.fund_phase_open(
            name="Phase 0", starts_on=date(2019, 1, 1), total=Decimal("1"), places=1, user=people["admin"]
        )
    assert "must start after every other phase" in before.value.errors["starts_on"]
    assert Fund.objects.count() == 1 and Fund.objects.get().ends_on is None


@pytest.mark.django_db
def test_an_administrator_opens_a_phase_in_the_admin(people, fund, client):
    admin = UserFactory(role=Role.ADMINISTRATOR, is_staff=True, is_superuser=True)
    client.force_login(admin, backend="eip.people.backends.AccountBackend")
    add = reverse("admin:accommodation_fund_add")
    refused = client.post(add, {"name": "Phase 2", "starts_on": "1/1/2019", "total": "20000", "places": "12"})
    assert refused.status_code == 200 and "must start after every other phase" in refused.content.decode()
    response = client.post(add, {"name": "Phase 2", "starts_on": "2027-04-01", "total": "20000", "places": "12"})
    assert response.status_code == 302, response.content.decode()[:3000]
    phase_2 = Fund.objects.get(name="Phase 2")
    assert (phase_2.starts_on, phase_2.total, phase_2.places) == (date(2027, 4, 1), Decimal("20000.00"), 12)
    fund.refresh_from_db()
    assert fund.ends_on == date(2027, 3, 31)


# --- every placement and invoice reachable ------------------------------------------------


def _invoice(placement, people, reference="INV-1", amount="840.00", received_on=date(2026, 2, 15), **extra):
    return services.invoice_record(
        placement=placement,
        user=people["finance"],
        reference=reference,
        amount=Decimal(amount),
        received_on=received_on,
        **extra,
    )


@pytest.mark.django_db
def test_an_invoice_number_is_refused_twice_from_the_same_provider(people, fund):
    first, second = approved(people), approved(people)
    _invoice(first, people, reference="TRV-0042")
    with pytest.raises(services.AccommodationIncomplete) as refused:
        _invoice(second, people, reference="trv-0042 ")
    assert refused.value.errors["reference"].startswith("Invoice trv-0042 from Camden Travel Inn is already recorded")
    other = approved(people, provider="Holloway Rooms")
    _invoice(other, people, reference="TRV-0042")  # another provider's numbering


@pytest.mark.django_db
def test_an_invoice_over_what_was_approved_needs_a_reason_and_commits_the_excess(people, fund):
    placement = approved(people)  # £1,680 approved
    _invoice(placement, people, amount="1000.00")
    with pytest.raises(services.AccommodationIncomplete) as refused:
        _invoice(placement, people, reference="INV-2", amount="780.00")
    assert refused.value.errors["over_approved_reason"].startswith(
        "This brings the placement's invoices to £1,780.00, more than the £1,680.00 approved"
    )
    _invoice(placement, people, reference="INV-2", amount="780.00", over_approved_reason="Damage to the room")
    placement.refresh_from_db()
    assert placement.committed == Decimal("1780.00")
    assert services.fund_position(fund)["remaining"] == Decimal("12220.00")
    assert placement.request.case.events.filter(kind="invoice_over_approved").exists()


@pytest.mark.django_db
def test_an_over_approved_invoice_cannot_overspend_the_fund(people, fund):
    fund.total = Decimal("1700.00")
    fund.save()
    placement = approved(people)  # £1,680 of £1,700
    with pytest.raises(services.AccommodationError, match="only £20.00 of the £1,700.00 fund remains"):
        _invoice(placement, people, amount="1800.00", over_approved_reason="Damage")


@pytest.mark.django_db
def test_finance_finds_every_placement_by_state_borough_and_month(people, fund, client, sutton):
    current = approved(people)  # 1 February to 1 March 2026
    march = approved(people, start_on=date(2026, 3, 10), planned_end_on=date(2026, 3, 20))
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    waiting = propose(request_for(case, people["practitioner"]), people["housing"])
    client.force_login(people["finance"], backend="eip.people.backends.AccountBackend")
    url = reverse("finance-overview")
    page = client.get(url).content.decode()
    for placement in (current, march, waiting):
        assert reverse("finance-placement", args=[placement.pk]) in page
    feb = client.get(url, {"month": "2026-02"}).content.decode()
    assert reverse("finance-placement", args=[current.pk]) in feb
    assert reverse("finance-placement", args=[march.pk]) not in feb
    other = client.get(url, {"borough": sutton.pk}).content.decode()
    assert "finance-placement" not in other and "None matching the filters" in other
    assert "10 Hotel Street" not in page  # finance never sees the address


@pytest.mark.django_db
def test_finance_records_and_pays_an_invoice_on_an_ended_placement(people, fund, client):
    placement = approved(people)
    services.placement_end(
        placement=placement, user=people["practitioner"], ended_on=date(2026, 2, 20), move_on="family_friends"
    )
    client.force_login(people["finance"], backend="eip.people.backends.AccountBackend")
    url = reverse("finance-placement", args=[placement.pk])
    ended = client.get(reverse("finance-overview")).content.decode()
    assert url in ended.split('id="state-ended"')[1].split('id="state-rejected"')[0]
    bad = client.post(
        url,
        {
            "form": "invoice",
            "reference": "",
            "amount": "abc",
            "received_on_0": "21",
            "received_on_1": "2",
            "received_on_2": "2026",
        },
    ).content.decode()
    assert "Enter the invoice number" in bad and "Enter an amount in pounds" in bad
    response = client.post(
        url,
        {
            "form": "invoice",
            "reference": "TRV-9",
            "amount": "1140",
            "received_on_0": "21",
            "received_on_1": "2",
            "received_on_2": "2026",
        },
    )
    assert response.status_code == 302
    invoice = placement.invoices.get()
    unpaid = client.get(reverse("invoices-unpaid")).content.decode()
    assert "TRV-9" in unpaid and "£1,140.00 in total" in unpaid
    client.post(
        url, {"form": "payment", "invoice": invoice.pk, "paid_on_0": "25", "paid_on_1": "2", "paid_on_2": "2026"}
    )
    invoice.refresh_from_db()
    assert invoice.paid_on == date(2026, 2, 25)
    assert "Every invoice recorded has been paid" in client.get(reverse("invoices-unpaid")).content.decode()
    assert services.fund_position(fund)["spent"] == Decimal("1140.00")


@pytest.mark.django_db
def test_the_unpaid_list_shows_age_and_total_and_pays_from_the_list(people, fund, client):
    placement = approved(people)
    _invoice(placement, people, reference="A-1", amount="500", received_on=date(2026, 2, 8))
    _invoice(placement, people, reference="A-2", amount="734.5", received_on=date(2026, 2, 15))
    client.force_login(people["finance"], backend="eip.people.backends.AccountBackend")
    page = client.get(reverse("invoices-unpaid")).content.decode()
    assert "£1,234.50 in total" in page
    today = date.today()
    assert f"{(today - date(2026, 2, 8)).days} days" in page
    first = placement.invoices.get(reference="A-1")
    response = client.post(reverse("invoice-pay", args=[placement.pk, first.pk]), {"back": "unpaid"})
    assert response.url == reverse("invoices-unpaid")
    assert "£734.50 in total" in client.get(reverse("invoices-unpaid")).content.decode()


# --- commitments that follow reality ------------------------------------------------------


@pytest.mark.django_db
def test_an_early_end_releases_the_unused_nights_and_the_timeline_says_so(people, fund):
    placement = approved(people)  # 28 nights at £60 from 1 February: £1,680
    services.placement_end(
        placement=placement, user=people["practitioner"], ended_on=date(2026, 2, 11), move_on="family_friends"
    )
    placement.refresh_from_db()
    assert (placement.committed, placement.released) == (Decimal("600.00"), Decimal("1080.00"))  # 10 nights used
    position = services.fund_position(fund)
    assert (position["committed"], position["released"], position["remaining"]) == (
        Decimal("600.00"),
        Decimal("1080.00"),
        Decimal("13400.00"),
    )
    event = placement.request.case.events.get(kind="placement_commitment_released")
    assert event.summary == (
        "Placement ended 18 nights early: commitment reduced to £600.00 and £1,080.00 returned to the "
        "accommodation fund"
    )
    # The programme counts people: the place stays used unless the setting frees it.
    assert position["people"] == 1


@pytest.mark.django_db
def test_a_placement_ended_before_it_began_releases_every_night(people, fund):
    placement = approved(people)  # from 1 February 2026
    services.placement_end(
        placement=placement, user=people["practitioner"], ended_on=date(2026, 1, 30), move_on="family_friends"
    )
    placement.refresh_from_db()
    assert (placement.committed, placement.released) == (Decimal("0.00"), Decimal("1680.00"))
    event = placement.request.case.events.get(kind="placement_commitment_released")
    assert event.summary.startswith("Placement ended 28 nights early: commitment reduced to £0.00 and £1,680.00")


@pytest.mark.django_db
def test_the_setting_lets_an_early_end_free_its_place(people, fund, settings):
    settings.EIP_EARLY_END_FREES_PLACE = True
    placement = approved(people)
    services.placement_end(
        placement=placement, user=people["practitioner"], ended_on=date(2026, 2, 11), move_on="family_friends"
    )
    assert services.fund_position(fund)["people"] == 0


@pytest.mark.django_db
def test_an_early_end_never_releases_what_is_already_invoiced(people, fund):
    placement = approved(people)
    _invoice(placement, people, amount="900.00")
    services.placement_end(
        placement=placement, user=people["practitioner"], ended_on=date(2026, 2, 11), move_on="family_friends"
    )
    placement.refresh_from_db()
    assert (placement.committed, placement.released) == (Decimal("900.00"), Decimal("780.00"))


@pytest.mark.django_db
def test_a_final_invoice_settles_an_ended_placement_at_what_was_invoiced(people, fund):
    placement = approved(people)
    with pytest.raises(services.AccommodationIncomplete) as early:
        _invoice(placement, people, amount="500.00", final=True)
    assert "once the placement has ended" in early.value.errors["final"]
    services.placement_end(
        placement=placement, user=people["practitioner"], ended_on=date(2026, 2, 11), move_on="family_friends"
    )
    _invoice(placement, people, amount="550.00", final=True)  # the provider charged less than 10 nights
    placement.refresh_from_db()
    assert (placement.committed, placement.released) == (Decimal("550.00"), Decimal("1130.00"))
    assert services.fund_position(fund)["remaining"] == Decimal("13450.00")


# --- move-on payments and accommodation found another way ---------------------------------


def _pay(request, people, **extra):
    args = dict(
        kind="deposit",
        payee_type="private_landlord",
        payee="R. Patel Lettings",
        address="Flat 2, 5 New Road, London N7 0ZZ",
        amount=Decimal("950.00"),
        due_on=date(2026, 2, 10),
        distance_miles=Decimal("3.0"),
    )
    args.update(extra)
    return services.move_on_payment_propose(request=request, user=people["housing"], **args)


@pytest.mark.django_db
def test_a_move_on_deposit_after_a_hotel_week_uses_the_same_fund_and_place(people, fund):
    fund.places = 1
    fund.save()
    hotel = approved(people, nights=7)  # £420
    deposit = _pay(hotel.request, people)
    deposit = services.placement_decide(placement=deposit, user=people["finance"], approve=True)
    position = services.fund_position(fund)
    assert (position["committed"], position["people"]) == (Decimal("1370.00"), 1)  # one person, one place
    assert (deposit.fund, deposit.get_kind_display(), deposit.get_payee_type_display()) == (
        fund,
        "Deposit",
        "Private landlord",
    )
    assert services.current_placement(hotel.request.case) == hotel  # the payment is not a stay
    hotel.request.refresh_from_db()
    assert hotel.request.status == "approved"
    text = documents.agreement_html(deposit)
    assert "Move-on payment agreement" in text and "Deposit of £950.00" in text and "private landlord" in text
    events = list(hotel.request.case.events.values_list("summary", flat=True))
    assert "Move-on payment (deposit) approved by finance (£950.00)" in events


@pytest.mark.django_db
def test_a_move_on_payment_needs_its_payee_type_and_amount(people, fund):
    case = case_ready_for_accommodation(people["worker"], people["practitioner"])
    request = request_for(case, people["practitioner"])
    with pytest.raises(services.AccommodationIncomplete) as refused:
        _pay(request, people, payee_type="", amount=None, kind="hotel_bnb")
    assert set(refused.value.errors) == {"payee_type", "amount", "kind"}


@pytest.mark.django_db
def test_the_report_names_move_on_payments_and_accommodation_found_another_way(people, fund):
    from evaluation.report import Period, monitoring_report

    hotel = approved(people, nights=7)
    services.placement_decide(placement=_pay(hotel.request, people), user=people["finance"], approve=True)
    other = case_ready_for_accommodation(people["worker"], people["practitioner"])
    services.accommodation_found_elsewhere_record(
        case=other, user=people["practitioner"], route="own_private_rental", found_on=date(2026, 2, 3)
    )
    with pytest.raises(services.AccommodationIncomplete) as refused:
        services.accommodation_found_elsewhere_record(
            case=other, user=people["practitioner"], route="other", found_on=date(2026, 2, 3)
        )
    assert refused.value.errors == {"details": "Say how the client found accommodation"}
    report = monitoring_report(period=Period(date(2026, 2, 1), date(2026, 2, 28)))
    assert report["monitoring"]["received_accommodation"] == 1  # a hotel week then a deposit: one person
    assert report["monitoring"]["found_accommodation_another_way"] == 1
    assert report["accommodation"]["placements"] == 1
    assert report["accommodation"]["move_on_payments"] == [{"kind": "Deposit", "payments": 1, "amount": "950.00"}]
    assert report["accommodation"]["found_another_way"] == {"Their own private rental": 1}


# --- month end ----------------------------------------------------------------------------


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True).stdout


@pytest.mark.django_db
def test_the_months_ledger_csv_has_the_money_and_no_client(people, fund, client):
    early = approved(people)
    services.placement_end(
        placement=early, user=people["practitioner"], ended_on=date(2026, 2, 11), move_on="family_friends"
    )
    paid = _invoice(early, people, reference="TRV-1", amount="600.00", received_on=date(2026, 2, 12))
    services.invoice_pay(invoice=paid, user=people["finance"], paid_on=date(2026, 3, 2))
    deposit = services.placement_decide(placement=_pay(early.request, people), user=people["finance"], approve=True)
    _invoice(deposit, people, reference="RP-7", amount="950.00", received_on=date(2026, 1, 30))  # January
    client.force_login(people["finance"], backend="eip.people.backends.AccountBackend")
    response = client.get(reverse("finance-month-csv"), {"month": "2026-02"})
    assert response.status_code == 200 and response["Content-Type"] == "text/csv"
    text = response.content.decode()
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "Placement", "Case reference", "Borough", "Type", "Provider or payee", "Invoice number",
        "Start", "End", "Nights", "Amount", "Received", "Paid", "Phase",
    ]  # fmt: skip
    reference = early.request.case.reference
    assert rows[1:] == [
        [f"P{early.pk}", reference, "Camden", "Hotel or B&B", "Camden Travel Inn", "TRV-1",
         "2026-02-01", "2026-02-11", "10", "600.00", "2026-02-12", "2026-03-02", "Phase 1"],
    ]  # fmt: skip
    march = list(
        csv.reader(io.StringIO(client.get(reverse("finance-month-csv"), {"month": "2026-03"}).content.decode()))
    )
    assert [r[5] for r in march[1:]] == ["TRV-1"]  # paid in March
    referral = early.request.case.referral
    for hidden in (referral.client_first_name, referral.client_last_name, "Hotel Street", "N1 1AA", "New Road",
                   "Arguments escalating"):  # fmt: skip
        assert hidden not in text, hidden


@pytest.mark.django_db
def test_the_fund_statement_pdf_reads_back_by_borough_in_sterling(people, fund, client, tmp_path):
    early = approved(people)
    services.placement_end(
        placement=early, user=people["practitioner"], ended_on=date(2026, 2, 11), move_on="family_friends"
    )
    services.invoice_pay(
        invoice=_invoice(early, people, amount="600.00"), user=people["finance"], paid_on=date(2026, 2, 20)
    )
    client.force_login(people["programme_manager"], backend="eip.people.backends.AccountBackend")
    response = client.get(reverse("fund-statement-pdf"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(_pdf_text(response.content, tmp_path).split())
    assert "Total available £14,000.00" in text
    assert "Committed £600.00" in text and "Spent (invoices paid) £600.00" in text
    assert "Released (placements ended early or settled) £1,080.00" in text and "Remaining £13,400.00" in text
    assert "Camden 1 £600.00 £600.00 £1,080.00" in text
    referral = early.request.case.referral
    for hidden in (referral.client_first_name, referral.client_last_name, "Hotel Street", early.request.case.reference):
        assert hidden not in text, hidden


@pytest.mark.django_db
def test_the_forecast_counts_current_commitments_and_room_for_average_placements(people, fund):
    from accommodation.finance import fund_forecast

    fund.total = Decimal("5000.00")
    fund.save()
    current = approved(people)  # £1,680 to 1 March
    _invoice(current, people, amount="480.00")
    ended = approved(people, nights=10)  # £600
    services.placement_end(
        placement=ended, user=people["practitioner"], ended_on=date(2026, 2, 11), move_on="family_friends"
    )
    forecast = fund_forecast(fund)
    assert forecast["current_committed"] == Decimal("1680.00")
    assert forecast["current_not_invoiced"] == Decimal("1200.00")
    assert forecast["average_placement"] == Decimal("1140.00")  # (1,680 + 600) / 2
    assert forecast["more_placements"] == 2  # £2,720 remaining / £1,140


# --- reminders on working days ------------------------------------------------------------


@pytest.mark.django_db
def test_a_month_of_expiry_reminders_lands_on_working_days_at_nine_each_once(people, fund, monkeypatch):
    """May 2026: weekends, and bank holidays on Monday 4 and Monday 25 May. Placements end on
    awkward days; the sweeper runs four times a day, twice each time, for the whole month."""
    ends = [date(2026, 5, d) for d in (5, 11, 13, 16, 17, 26, 29)] + [date(2026, 6, 1)]
    for end in ends:
        approved(people, start_on=end - timedelta(days=21), planned_end_on=end)
    sent = []
    day = date(2026, 4, 24)
    while day <= date(2026, 6, 1):
        for hour in (7, 9, 13, 18):
            mail.outbox.clear()
            now = datetime(day.year, day.month, day.day, hour, tzinfo=LONDON)
            monkeypatch.setattr("django.utils.timezone.now", lambda now=now: now)
            reminders_send_due()
            reminders_send_due()
            sent += [(day, hour, m.to[0], m.body) for m in mail.outbox if "temporary accommodation" in m.body]
        day += timedelta(days=1)
    assert sent, "no reminder was sent"
    assert all(is_working_day(day) and hour == 9 for day, hour, _, _ in sent), [
        (d, h) for d, h, _, _ in sent if not is_working_day(d) or h != 9
    ]
    keys = [(to, body) for _, _, to, body in sent]
    assert len(keys) == len(set(keys)), "a reminder was sent twice"
    # Each placement: one message per distinct working day among its 7, 3 and 1-day reminders,
    # to the practitioner and the housing SPOC.
    expected = 0
    for end in ends:
        days = {reminder_delivery_at(day=end - timedelta(days=n), timing=WARNING).date() for n in (7, 3, 1)}
        expected += 2 * len(days)
    assert len(sent) == expected
    # Tuesday 26 May: the 1-day reminder (Monday 25, a bank holiday) and the 3-day one (Saturday
    # 23) both come on Friday 22 May, as one message saying four days.
    tuesday = [body for day, _, to, body in sent if "Tuesday 26 May 2026" in body and to == people["housing"].email]
    assert [d for d, _, to, body in sent if "Tuesday 26 May 2026" in body and to == people["housing"].email] == [
        date(2026, 5, 19),
        date(2026, 5, 22),
    ]
    assert "(4 days from the reminder)" in tuesday[1]


@pytest.mark.fault
@pytest.mark.django_db(transaction=True)
def test_approvals_releases_and_deposits_racing_never_overspend_the_fund(people, fund, monkeypatch, sutton):
    """An early end releasing money, a move-on deposit and another borough's placement, all
    decided at the same moment: whatever the order, the fund is never overspent and nothing
    is lost (every release and every commitment is in the figures)."""
    if connection.vendor != "postgresql":
        pytest.fail("This test proves row locking on PostgreSQL; run the suite on PostgreSQL.")
    fund.total = Decimal("3300.00")
    fund.save()
    hotel = approved(people)  # £1,680 in Camden; £1,620 remains
    deposit = _pay(hotel.request, people)  # £950 for the same person
    sutton.housing_spoc = UserFactory(role=Role.HOUSING_SPOC, borough=sutton)
    sutton.save()
    other = case_ready_for_accommodation(UserFactory(role=Role.SOCIAL_WORKER, borough=sutton), people["practitioner"])
    stay = propose(request_for(other, people["practitioner"]), sutton.housing_spoc)  # £1,680
    check, end = services._check_fund, services.invoiced_total

    def slow(original):
        def slowed(*args, **kwargs):
            result = original(*args, **kwargs)
            time.sleep(0.4)  # hold the window between reading the fund and writing, as a busy server might
            return result

        return slowed

    monkeypatch.setattr(services, "_check_fund", slow(check))
    monkeypatch.setattr(services, "invoiced_total", slow(end))
    barrier, outcomes = threading.Barrier(3), {}

    def run(name, action):
        try:
            barrier.wait()
            action()
            outcomes[name] = "done"
        except services.AccommodationError as refused:
            outcomes[name] = str(refused)
        finally:
            connections.close_all()

    actions = {
        "release": lambda: services.placement_end(
            placement=hotel, user=people["practitioner"], ended_on=date(2026, 2, 11), move_on="private_rented"
        ),
        "deposit": lambda: services.placement_decide(placement=deposit, user=people["finance"], approve=True),
        "stay": lambda: services.placement_decide(placement=stay, user=people["finance"], approve=True),
    }
    threads = [threading.Thread(target=run, args=item) for item in actions.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    print("OUTCOMES", outcomes)
    assert outcomes["release"] == "done" and outcomes["deposit"] == "done"
    hotel.refresh_from_db()
    assert (hotel.committed, hotel.released) == (Decimal("600.00"), Decimal("1080.00"))
    position = services.fund_position(fund)
    committed = sum(p.committed for p in Placement.objects.filter(fund=fund, status__in=["approved", "ended"]))
    assert position["committed"] == committed <= fund.total
    # The stay fits only once the release is in: £3,300 - £600 - £950 = £1,750 >= £1,680.
    if outcomes["stay"] == "done":
        assert position["remaining"] == Decimal("70.00")
    else:
        # Refused before the release: first of all (£1,620 left) or after the deposit (£670 left).
        assert "only £1,620.00" in outcomes["stay"] or "only £670.00" in outcomes["stay"]
        assert position["remaining"] == Decimal("1750.00")
