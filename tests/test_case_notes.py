"""Case notes (the practitioner's journal): written with who, how and when; on the timeline and
audited; corrected by the author within the window and by an addendum after it; searchable and
paged; notes about the partner kept from the borough SPOC, the client's subject access export,
housing, finance and every restricted output; and a note shared with the referrer reaches the
social worker as a link through GOV.UK Notify, never as the note's text."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from case_notes import services
from case_notes.models import CaseNote
from cases.kernel import CaseError, CaseIncomplete
from cases.retention import case_anonymise
from data_protection import services as sar_services
from eip import outbound
from eip.audit.models import AuditEvent
from eip.notifications.models import Notification
from eip.notifications.tasks import reminders_send_due
from eip.people.models import Role
from tests import test_access
from tests.factories import UserFactory
from tests.notify_standin import API_KEY, NotifyStandIn
from tests.referral_factories import make_case
from tests.test_partner_matters import _pages

pytestmark = pytest.mark.django_db

records = test_access.records  # the URL x role table's fixture, for the page walks below

CLIENT_NOTE = "Phoned the client: agreed to move Thursday's session to Friday at ten."
PARTNER_NOTE = "Canary-note: the partner is staying with her aunt in Hastings until the move."
TICKED_NOTE = "Canary-ticked: the school says the children are frightened of the arguments."


@pytest.fixture
def case(users):
    return make_case(users[Role.SOCIAL_WORKER], users[Role.PRACTITIONER])


def write(case, user, text=CLIENT_NOTE, contacted="client", **extra):
    fields = {"contact_at": timezone.now() - timedelta(hours=1), "contacted": contacted, "method": "phone"}
    return services.case_note_write(case=case, user=user, text=text, **{**fields, **extra})


def at(moment, monkeypatch):
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def page_text(client, user, case, **params):
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    response = client.get(reverse("case-notes", args=[case.pk]), params)
    assert response.status_code == 200
    return response.content.decode()


def test_a_note_goes_on_the_timeline_and_the_audit_without_its_text(case, users):
    note = write(case, users[Role.PRACTITIONER])
    event = case.events.get(kind="note")
    assert event.summary == "Case note: phone call with the client" and not event.partner_related
    assert CLIENT_NOTE not in event.summary
    audit = AuditEvent.objects.filter(record_type="cases.case", record_id=str(case.pk), detail__event="note").get()
    assert audit.detail["case_note"] == note.pk and audit.actor == users[Role.PRACTITIONER]
    partner = write(case, users[Role.PRACTITIONER], PARTNER_NOTE, contacted="partner")
    assert partner.partner_related
    assert case.events.get(kind="note", partner_related=True).summary == "Case note: phone call with the partner"


def test_a_note_needs_its_text_and_cannot_be_in_the_future(case, users):
    with pytest.raises(CaseIncomplete) as refused:
        write(case, users[Role.PRACTITIONER], "  ", contact_at=timezone.now() + timedelta(hours=2))
    assert set(refused.value.errors) == {"text", "contact_day"}
    assert not CaseNote.objects.exists()


def test_the_author_corrects_within_the_window_and_after_it_adds_an_addendum(case, users, monkeypatch, client):
    author, colleague = users[Role.PRACTITIONER], UserFactory(role=Role.PRACTITIONER, full_name="Cover Colleague")
    written = timezone.now()
    at(written, monkeypatch)
    note = write(case, author, "Phoned the client: session moved to Thursdy.")
    fields = {"contact_at": note.contact_at, "contacted": "client", "method": "phone"}

    at(written + timedelta(minutes=29), monkeypatch)
    with pytest.raises(CaseError):  # not the author
        services.case_note_correct(note=note, user=colleague, text="Changed by someone else", **fields)
    services.case_note_correct(note=note, user=author, text="Phoned the client: session moved to Thursday.", **fields)
    note.refresh_from_db()
    assert note.text.endswith("Thursday.") and note.corrected_at == written + timedelta(minutes=29)
    assert case.events.filter(kind="note_corrected").count() == 1

    at(written + services.CORRECTION_WINDOW + timedelta(seconds=1), monkeypatch)
    with pytest.raises(CaseError, match="Add an addendum"):
        services.case_note_correct(note=note, user=author, text="Too late", **fields)
    addendum = services.case_note_add_addendum(note=note, user=colleague, text="The client rang back: Friday instead.")
    note.refresh_from_db()
    assert note.text == "Phoned the client: session moved to Thursday." and addendum.corrects == note
    assert case.events.filter(kind="note_addendum").count() == 1
    # Both are shown, the addendum beneath the original; the author is offered only the addendum now.
    page = page_text(client, author, case)
    assert page.index("session moved to Thursday.") < page.index("Friday instead.")
    assert "Addendum by Cover Colleague" in page
    response = client.get(reverse("case-note-correct", args=[case.pk, note.pk]))
    assert "Add an addendum" in response.content.decode() and "Save the correction" not in response.content.decode()


def test_correcting_and_adding_through_the_screens(case, users, client):
    author = users[Role.PRACTITIONER]
    client.force_login(author, backend="eip.people.backends.AccountBackend")
    url = reverse("case-notes", args=[case.pk])
    # A contact a few minutes ago (at 09:15 it would be in the future for a run before 09:15).
    when = timezone.localtime() - timedelta(minutes=5)
    at = when.strftime("%H:%M")
    form = {
        "contact_day_0": when.day,
        "contact_day_1": when.month,
        "contact_day_2": when.year,
        "contact_time": at,
        "contacted": "social_worker",
        "method": "video",
        "text": "",
    }
    response = client.post(url, form)
    assert response.status_code == 200 and "Write the note" in response.content.decode()  # told, nothing lost
    assert f'value="{at}"' in response.content.decode()
    response = client.post(url, {**form, "text": "Weekly catch-up with the social worker."})
    assert response.status_code == 302
    note = CaseNote.objects.get()
    assert timezone.localtime(note.contact_at).strftime("%H:%M") == at and note.method == "video"
    correct = reverse("case-note-correct", args=[case.pk, note.pk])
    response = client.post(correct, {**form, "text": "Weekly catch-up with the social worker and her manager."})
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.text.endswith("her manager.") and note.corrected_at is not None
    CaseNote.objects.filter(pk=note.pk).update(written_at=timezone.now() - timedelta(hours=1))  # the window passes
    assert client.post(correct, {"text": "Manager is on leave next week."}).status_code == 302
    assert note.addenda.get().text == "Manager is on leave next week."


def test_who_sees_which_notes(case, users, client):
    practitioner = users[Role.PRACTITIONER]
    write(case, practitioner)
    write(case, practitioner, PARTNER_NOTE, contacted="partner")
    write(case, practitioner, TICKED_NOTE, contacted="professional", partner_information=True)
    write(case, practitioner, "Canary-shared: attended every session this week.", share_with_referrer=True)
    for role in (Role.PRACTITIONER, Role.SUPERVISOR):
        page = page_text(client, users[role], case)
        assert all(text in page for text in (CLIENT_NOTE.split(":")[0], PARTNER_NOTE, TICKED_NOTE))
    spoc = page_text(client, users[Role.BOROUGH_SPOC], case)
    assert CLIENT_NOTE.split(":")[0] in spoc and "Canary-shared" in spoc
    assert PARTNER_NOTE not in spoc and TICKED_NOTE not in spoc and "Hastings" not in spoc
    # Searching for the partner note's words tells the SPOC nothing, not even that it exists.
    assert "No notes match your search" in page_text(client, users[Role.BOROUGH_SPOC], case, q="Hastings")
    worker = page_text(client, users[Role.SOCIAL_WORKER], case)
    assert "Canary-shared" in worker and CLIENT_NOTE.split(":")[0] not in worker and PARTNER_NOTE not in worker
    assert "Write a note" not in worker and "Write a note" not in spoc
    # No one else opens the tab; another borough's SPOC is told it is not there.
    for role in (Role.HOUSING_SPOC, Role.FINANCE, Role.EVALUATOR, Role.PROGRAMME_MANAGER):
        client.force_login(users[role], backend="eip.people.backends.AccountBackend")
        assert client.get(reverse("case-notes", args=[case.pk])).status_code == 403


def test_notes_are_searched_and_paged_newest_first(case, users, client):
    practitioner = users[Role.PRACTITIONER]
    base = timezone.now() - timedelta(days=30)
    for i in range(25):
        write(case, practitioner, f"Routine contact number {i:02d}.", contact_at=base + timedelta(days=i))
    old = write(case, practitioner, "Talked about the DVPP waiting list.", contact_at=base - timedelta(days=1))
    services.case_note_add_addendum(note=old, user=practitioner, text="Place offered from March.")
    first = page_text(client, practitioner, case)
    assert first.index("number 24") < first.index("number 23") and "number 04" not in first
    second = page_text(client, practitioner, case, page=2)
    assert "number 04" in second and "DVPP waiting list" in second
    found = page_text(client, practitioner, case, q="offered from march")  # an addendum's words find its note
    assert "DVPP waiting list" in found and "Routine contact" not in found and "1 note containing" in found


def test_every_read_of_the_notes_page_is_audited_with_the_notes_shown(case, users, client):
    practitioner = users[Role.PRACTITIONER]
    shown = write(case, practitioner)
    hidden = write(case, practitioner, PARTNER_NOTE, contacted="partner")
    page_text(client, users[Role.BOROUGH_SPOC], case)
    listed = AuditEvent.objects.get(record_type="case_notes.casenote", actor=users[Role.BOROUGH_SPOC])
    assert listed.action == AuditEvent.Action.VIEWED and listed.detail["listed"] == [str(shown.pk)]
    assert str(hidden.pk) not in listed.detail["listed"]
    assert AuditEvent.objects.filter(
        actor=users[Role.BOROUGH_SPOC], record_type="cases.case", detail__page="case-notes"
    ).exists()


def test_the_subject_access_export_has_the_clients_notes_and_withholds_the_partners(case, users):
    practitioner = users[Role.PRACTITIONER]
    write(case, practitioner)
    write(case, practitioner, PARTNER_NOTE, contacted="partner")
    write(case, practitioner, TICKED_NOTE, contacted="professional", partner_information=True)
    plain = write(case, practitioner, "Spoke with the GP about the client's sleep.", contacted="professional")
    services.case_note_add_addendum(
        note=plain, user=practitioner, text="Canary-addendum: partner moving out Friday.", partner_information=True
    )
    sar = sar_services.subject_access_request_prepare(case=case, user=practitioner, received_on=timezone.localdate())
    assert "agreed to move Thursday" in sar.content_html and "client&#x27;s sleep" in sar.content_html
    for canary in ("Canary-note", "Hastings", "Canary-ticked", "Canary-addendum"):
        assert canary not in sar.content_html
    assert "Case notes of contact with the partner" in sar.content_html  # said, the same for every case


def test_a_partner_notes_text_is_refused_to_every_restricted_audience(case, users):
    write(case, users[Role.PRACTITIONER], PARTNER_NOTE + " She asked us not to tell him.", contacted="partner")
    quoted = "Booking notes: she asked us not to tell him."  # one sentence, quoted on its own
    for audience in ("client", "housing", "finance", "evaluator", "borough"):
        with pytest.raises(outbound.OutboundRefused) as refused:
            outbound.outbound_release(content=quoted, audience=audience, channel="download", concerning=[case])
        assert [line.split(",")[0] for line in refused.value.explanation()] == ["a case note about the partner"]
    released = outbound.outbound_release(content=quoted, audience="practitioner", channel="download", concerning=[case])
    assert released is not None


def test_housing_and_finance_read_no_note_on_any_page(records, users, client):
    case = records["case"]
    write(case, users[Role.PRACTITIONER], PARTNER_NOTE, contacted="partner")
    write(case, users[Role.PRACTITIONER], "Canary-plain: the client is looking for work.")
    for role in (Role.HOUSING_SPOC, Role.FINANCE):
        pages = _pages(role, users, records, client)
        assert pages, role
        assert [name for name, page in pages.items() if "Canary-" in page or "Hastings" in page] == []


def test_a_partner_note_is_never_shared_and_a_shared_note_reaches_the_referrer_as_a_link(case, users, client, settings):
    practitioner, worker = users[Role.PRACTITIONER], users[Role.SOCIAL_WORKER]
    with pytest.raises(CaseIncomplete) as refused:
        write(case, practitioner, PARTNER_NOTE, contacted="partner", share_with_referrer=True)
    assert "never sent to the referrer" in refused.value.errors["share_with_referrer"]
    with pytest.raises(CaseIncomplete):
        write(case, practitioner, TICKED_NOTE, partner_information=True, share_with_referrer=True)
    assert not CaseNote.objects.exists()

    templates = {"email": "f33517ff-2a88-4f6e-b855-c550268ce08a"}
    with NotifyStandIn(set(templates.values())) as notify:
        settings.NOTIFY_API_KEY, settings.NOTIFY_BASE_URL, settings.NOTIFY_TEMPLATES = API_KEY, notify.url, templates
        settings.EIP_EMAIL_TRANSPORT = "eip.notifications.govuk_notify.NotifyEmailBackend"
        note = write(
            case,
            practitioner,
            "Canary-update: attended all three sessions; working on calm-down plans.",
            share_with_referrer=True,
        )
        assert note.shared_at is not None
        assert case.events.filter(kind="progress_update").exists()
        reminders_send_due()
        sent = [m for m in notify.sent if "progress update" in m["personalisation"]["subject"]]
    assert [m["to"] for m in sent] == [worker.email]
    body = sent[0]["personalisation"]["body"]
    assert case.reference in body and f"/cases/{case.pk}/notes/#note-{note.pk}" in body
    assert "Canary-update" not in body + sent[0]["personalisation"]["subject"]
    assert Notification.objects.get(kind="case.progress_update").sent_at is not None
    # The social worker follows the link and reads the update inside EIP; the read is audited.
    assert "Canary-update" in page_text(client, worker, case)
    assert AuditEvent.objects.filter(actor=worker, record_type="case_notes.casenote").exists()


def test_the_notes_tab_costs_the_same_queries_for_1_and_200_notes(case, users, client):
    practitioner = users[Role.PRACTITIONER]
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    url = reverse("case-notes", args=[case.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = write(case, practitioner)
    services.case_note_add_addendum(note=first, user=practitioner, text="An addendum.")
    one = queries()
    contact_at = timezone.now() - timedelta(days=1)
    CaseNote.objects.bulk_create(
        CaseNote(
            case=case,
            contact_at=contact_at,
            contacted="partner" if i % 3 == 0 else "client",
            method="phone",
            text=f"Note {i}",
            partner_related=i % 3 == 0,
            written_by=practitioner,
            written_at=timezone.now(),
        )
        for i in range(199)
    )
    assert CaseNote.objects.filter(corrects__isnull=True).count() == 200
    assert queries() == one


def test_anonymising_the_case_clears_every_note(case, users):
    note = write(case, users[Role.PRACTITIONER], PARTNER_NOTE, contacted="partner")
    case.stage, case.closure_reason, case.closed_at = "closed", "completed", timezone.now()
    case.save()
    case_anonymise(case=case)
    note.refresh_from_db()
    assert note.text == ""
    with pytest.raises(CaseError):
        write(case, users[Role.PRACTITIONER])


def test_an_addendum_to_a_shared_update_reaches_the_referrer_unless_it_is_about_the_partner(case, users, client):
    practitioner, worker = users[Role.PRACTITIONER], users[Role.SOCIAL_WORKER]
    note = write(case, practitioner, "Canary-update: attended both sessions.", share_with_referrer=True)
    services.case_note_add_addendum(note=note, user=practitioner, text="Canary-fix: one session, not two.")
    services.case_note_add_addendum(
        note=note, user=practitioner, text="Canary-private: partner says he phoned her.", partner_information=True
    )
    told = Notification.objects.filter(recipient=worker, kind="case.progress_update").order_by("pk")
    assert [n.message.split(" on case")[0] for n in told] == [
        "There is a new progress update",
        "An addendum has been added to a progress update",
    ]
    page = page_text(client, worker, case)
    assert "Canary-update" in page and "Canary-fix" in page and "Canary-private" not in page
