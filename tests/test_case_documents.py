"""Documents on a case: uploaded by the practitioner holding it, checked by their bytes and their
name, stored under a generated name and read only through the app; listed and downloaded with
every read audited; a document holding the partner's or children's information kept from the
borough SPOC, the client's subject access export and every restricted role; withdrawn with a
reason rather than deleted; cleared with the case under the retention policy."""

import io
import re
import zipfile
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from case_documents import services
from case_documents.models import CaseDocument
from cases.kernel import CaseError, CaseIncomplete
from cases.retention import case_anonymise
from data_protection import services as sar_services
from data_protection.selectors import subject_access_review_facts
from eip.audit.models import AuditEvent
from eip.people.models import Role
from tests.factories import UserFactory
from tests.referral_factories import make_case

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4 a signed consent form"
PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"
JPEG = b"\xff\xd8\xff\xe0 a photo of a letter"
GENERATED = re.compile(r"cases/documents/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|png|jpg|docx)")


def docx(text: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(
            "word/document.xml",
            f'<w:document><w:body><w:p><w:r><w:t xml:space="preserve">{text}</w:t></w:r></w:p></w:body></w:document>',
        )
    return out.getvalue()


@pytest.fixture
def case(users):
    return make_case(users[Role.SOCIAL_WORKER], users[Role.PRACTITIONER])


def add(case, user, title="Consent form signed by the client", name="consent.pdf", content=PDF, **extra):
    fields = {"category": "consent_form", "partner_information": False, **extra}
    return services.case_document_add(
        case=case, user=user, title=title, file=SimpleUploadedFile(name, content), **fields
    )


def tab(client, user, case):
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    response = client.get(reverse("case-documents", args=[case.pk]))
    assert response.status_code == 200
    return response.content.decode()


def download(client, user, document):
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    return client.get(reverse("case-document-download", args=[document.case_id, document.pk]))


def post_upload(client, user, case, name, content, **fields):
    client.force_login(user, backend="eip.people.backends.AccountBackend")
    data = {"category": "correspondence", "title": "Letter from the GP", **fields}
    data["file"] = SimpleUploadedFile(name, content, content_type="application/pdf")
    return client.post(reverse("case-documents", args=[case.pk]), data)


def test_an_upload_is_stored_under_a_generated_name_and_goes_on_the_timeline_without_its_description(case, users):
    document = add(case, users[Role.PRACTITIONER], name="Chloe Hughes consent.pdf")
    assert GENERATED.fullmatch(document.file.name), document.file.name
    assert "Chloe" not in document.file.name and document.size == len(PDF)
    assert default_storage.open(document.file.name).read() == PDF
    event = case.events.get(kind="document_added")
    assert event.summary == "Document added: consent form" and not event.partner_related
    audit = AuditEvent.objects.get(record_type="cases.case", detail__event="document_added")
    assert audit.detail["case_document"] == document.pk and audit.actor == users[Role.PRACTITIONER]
    restricted = add(case, users[Role.PRACTITIONER], "Letter about the partner", partner_information=True)
    assert case.events.get(kind="document_added", partner_related=True).summary == "Document added: consent form"
    assert restricted.partner_information


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("letter.pdf", PAGE, "must be a PDF, Word document, PNG or JPEG"),
        ("photo.pdf", JPEG, "name ends in .pdf but it is a JPEG image"),
        ("letter.html", PDF, "name must end in .pdf, .docx, .png, .jpg or .jpeg"),
        ("letter", PDF, "name must end in .pdf"),
        ("letter.exe", b"MZ\x90\x00 a program", "name must end in .pdf"),
        ("notes.docx", b"PK\x03\x04 not really a zip", "must be a PDF, Word document, PNG or JPEG"),
    ],
)
def test_a_file_is_judged_by_its_bytes_and_its_name_and_refused_beside_the_field(
    case, users, client, name, content, message
):
    response = post_upload(client, users[Role.PRACTITIONER], case, name, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "govuk-error-summary" in page
    field = page[page.index('id="div_id_file"') :]
    field = field[: field.index('id="div_id_partner_information"')]  # the file's form group, to the next field
    assert "govuk-error-message" in field and message in field
    # What was typed stays; nothing was stored.
    assert 'value="Letter from the GP"' in page
    assert not CaseDocument.objects.exists()
    with pytest.raises(CaseIncomplete) as refused:
        add(case, users[Role.PRACTITIONER], name=name, content=content)
    assert message in refused.value.errors["file"]


def test_an_upload_needs_a_type_a_description_and_a_file_and_fits_the_size_limit(case, users, settings):
    with pytest.raises(CaseIncomplete) as refused:
        services.case_document_add(
            case=case, user=users[Role.PRACTITIONER], category="", title=" ", file=None, partner_information=False
        )
    assert set(refused.value.errors) == {"category", "title", "file"}
    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4" + b"0" * (10 * 1024 * 1024))
    with pytest.raises(CaseIncomplete) as refused:
        services.case_document_add(case=case, user=users[Role.PRACTITIONER], category="other", title="Scan", file=big)
    assert "10 MB or smaller" in refused.value.errors["file"]
    assert not CaseDocument.objects.exists()


def test_a_practitioner_uploads_through_the_tab_and_downloads_the_file_as_an_attachment(case, users, client):
    practitioner = users[Role.PRACTITIONER]
    response = post_upload(client, practitioner, case, "scan.jpeg", JPEG, category="consent_form")
    assert response.status_code == 302
    document = CaseDocument.objects.get()
    assert document.category == "consent_form" and document.file.name.endswith(".jpg")
    page = tab(client, practitioner, case)
    assert "Letter from the GP" in page and "Document uploaded." in page
    response = download(client, practitioner, document)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == JPEG
    assert response["Content-Type"] == "image/jpeg" and response["X-Content-Type-Options"] == "nosniff"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;") and f"{case.reference}-consent-form-{document.pk}.jpg" in disposition
    exported = AuditEvent.objects.get(action=AuditEvent.Action.EXPORTED, actor=practitioner)
    assert exported.record_type == "case_documents.casedocument" and exported.record_id == str(document.pk)
    assert "Letter from the GP" not in exported.record_label


def test_a_partner_document_is_listed_and_opened_only_by_those_who_may_see_the_partner(case, users, client):
    practitioner = users[Role.PRACTITIONER]
    plain = add(case, practitioner, "Canary-plain: letter from the GP")
    partner = add(case, practitioner, "Canary-partner: letter from her IDVA", partner_information=True)
    for role in (Role.PRACTITIONER, Role.SUPERVISOR):
        page = tab(client, users[role], case)
        assert "Canary-plain" in page and "Canary-partner" in page and "Restricted: partner" in page
        assert download(client, users[role], partner).status_code == 200
    spoc = users[Role.BOROUGH_SPOC]
    page = tab(client, spoc, case)
    assert "Canary-plain" in page and "Canary-partner" not in page and "Restricted" not in page
    assert "Upload a document" not in page and "Withdraw" not in page
    assert download(client, spoc, partner).status_code == 404
    assert download(client, spoc, plain).status_code == 200
    listed = AuditEvent.objects.get(record_type="case_documents.casedocument", actor=spoc, action="viewed")
    assert listed.detail["listed"] == [str(plain.pk)]
    # The timeline on the overview says nothing of the partner document to the SPOC either.
    client.force_login(spoc, backend="eip.people.backends.AccountBackend")
    overview = client.get(reverse("case-detail", args=[case.pk])).content.decode()
    assert overview.count("Document added: consent form") == 1
    # No one else opens the tab or a file; the practitioner who does not hold the case neither.
    outsiders = [users[r] for r in (Role.SOCIAL_WORKER, Role.HOUSING_SPOC, Role.FINANCE, Role.EVALUATOR)]
    outsiders += [users[Role.PROGRAMME_MANAGER], UserFactory(role=Role.PRACTITIONER)]
    for user in outsiders:
        client.force_login(user, backend="eip.people.backends.AccountBackend")
        assert client.get(reverse("case-documents", args=[case.pk])).status_code in (403, 404)
        assert download(client, user, plain).status_code in (403, 404)


def test_the_guard_refuses_the_borough_spoc_a_word_document_naming_the_partner(case, users, client):
    practitioner = users[Role.PRACTITIONER]
    unmarked = add(
        case,
        practitioner,
        "Letter from housing",
        name="letter.docx",
        content=docx("Chloe Hughes rang on 07700 900456."),
    )
    response = download(client, users[Role.BOROUGH_SPOC], unmarked)
    assert response.status_code == 403
    assert b"Chloe" not in response.content and b"900456" not in response.content
    refused = AuditEvent.objects.get(action=AuditEvent.Action.OUTBOUND_REFUSED)
    assert refused.detail["document"] == "a case document" and refused.detail["audience"] == "borough"
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED, actor=users[Role.BOROUGH_SPOC]).exists()
    # Those allowed the partner section still open it.
    assert download(client, practitioner, unmarked).status_code == 200
    clean = add(case, practitioner, "Letter from the GP", name="gp.docx", content=docx("The client attended."))
    assert download(client, users[Role.BOROUGH_SPOC], clean).status_code == 200


def test_a_withdrawn_document_stays_listed_for_the_team_and_only_a_supervisor_opens_it(case, users, client):
    practitioner, supervisor = users[Role.PRACTITIONER], users[Role.SUPERVISOR]
    document = add(case, practitioner, "Consent form for another client")
    url = reverse("case-document-withdraw", args=[case.pk, document.pk])
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 200 and "Say why the document is being withdrawn" in response.content.decode()
    response = client.post(url, {"reason": "Uploaded to the wrong case"})
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.withdrawn and document.withdrawn_by == practitioner and document.file
    page = tab(client, practitioner, case)
    assert "Withdrawn" in page and "Uploaded to the wrong case" in page and "Consent form for another client" in page
    assert download(client, practitioner, document).status_code == 404
    # The borough SPOC no longer sees it at all, nor its description or the reason.
    assert "Consent form for another client" not in tab(client, users[Role.BOROUGH_SPOC], case)
    assert download(client, users[Role.BOROUGH_SPOC], document).status_code == 404
    assert download(client, supervisor, document).status_code == 200
    assert case.events.filter(kind="document_withdrawn").count() == 1
    with pytest.raises(CaseError):
        services.case_document_withdraw(document=document, user=practitioner, reason="Again")


def test_marking_a_document_as_partner_information_hides_it_from_the_spoc_and_cannot_be_undone(case, users, client):
    practitioner = users[Role.PRACTITIONER]
    document = add(case, practitioner, "Canary-later: letter that turns out to name her")
    assert "Canary-later" in tab(client, users[Role.BOROUGH_SPOC], case)
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    response = client.post(reverse("case-document-restrict", args=[case.pk, document.pk]))
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.partner_information
    assert "Canary-later" not in tab(client, users[Role.BOROUGH_SPOC], case)
    assert case.events.get(kind="document_restricted").partner_related
    page = tab(client, practitioner, case)
    assert "Mark as partner information" not in page


def test_the_subject_access_export_lists_the_clients_documents_and_withholds_the_rest(case, users):
    practitioner = users[Role.PRACTITIONER]
    add(case, practitioner, "Consent form signed by the client")
    add(case, practitioner, "Canary-partner: letter from her IDVA", partner_information=True)
    wrong = add(case, practitioner, "Canary-withdrawn: another client's form")
    services.case_document_withdraw(document=wrong, user=practitioner, reason="Wrong case")
    add(case, practitioner, "Letter naming Chloe Hughes")
    sar = sar_services.subject_access_request_prepare(case=case, user=practitioner, received_on=timezone.localdate())
    html = sar.content_html
    assert "Consent form: Consent form signed by the client" in html
    assert "Canary-partner" not in html and "Canary-withdrawn" not in html and "Chloe" not in html
    assert "Documents marked as holding information about the partner" in html  # said, the same for every case
    facts = dict(subject_access_review_facts(sar=sar)["withheld_counts"])
    assert facts["Documents about the partner or children"] == 1


def test_anonymising_the_case_clears_the_descriptions_and_deletes_the_files(
    case, users, django_capture_on_commit_callbacks
):
    practitioner = users[Role.PRACTITIONER]
    document = add(case, practitioner, "Letter naming Chloe Hughes")
    withdrawn = add(case, practitioner, "Another", name="b.pdf")
    services.case_document_withdraw(document=withdrawn, user=practitioner, reason="Wrong case, Chloe's")
    stored = [document.file.name, withdrawn.file.name]
    case.stage, case.closure_reason, case.closed_at = "closed", "completed", timezone.now()
    case.save()
    with django_capture_on_commit_callbacks(execute=True):
        case_anonymise(case=case)
    for row in (document, withdrawn):
        row.refresh_from_db()
        assert row.title == "" and not row.file
    assert withdrawn.withdrawal_reason == "Anonymised"
    assert not any(default_storage.exists(name) for name in stored)
    with pytest.raises(CaseError):
        add(case, practitioner)


def test_the_documents_tab_costs_the_same_queries_for_1_and_50_documents(case, users, client):
    practitioner = users[Role.PRACTITIONER]
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    url = reverse("case-documents", args=[case.pk])

    def queries():
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    first = add(case, practitioner)
    services.case_document_withdraw(document=first, user=practitioner, reason="Duplicate")
    one = queries()
    CaseDocument.objects.bulk_create(
        CaseDocument(
            case=case,
            category="correspondence",
            title=f"Letter {i}",
            file=first.file.name,
            size=10,
            partner_information=i % 3 == 0,
            uploaded_by=UserFactory(role=Role.PRACTITIONER) if i % 10 == 0 else practitioner,
            uploaded_at=timezone.now() - timedelta(days=i),
            **(
                {"withdrawn_at": timezone.now(), "withdrawn_by": practitioner, "withdrawal_reason": "x"}
                if i % 7 == 0
                else {}
            ),
        )
        for i in range(49)
    )
    assert CaseDocument.objects.filter(case=case).count() == 50
    assert queries() == one
    page = client.get(url).content.decode()
    assert page.count('data-testid="case-document"') == 50


def test_the_file_is_stored_before_the_case_is_locked_and_removed_if_the_record_is_not_made(case, users, monkeypatch):
    """Writing to object storage can take seconds: the case is not held locked meanwhile, so a
    colleague recording a session on it is not kept waiting; a record that fails leaves no file."""
    steps, stored = [], []
    default_storage.exists("")  # the lazy default storage made, to reach its class
    storage_type = type(default_storage._wrapped)
    storage_save = storage_type._save

    def save(storage, name, content):
        steps.append("stored")
        stored.append(storage_save(storage, name, content))
        return stored[-1]

    monkeypatch.setattr(storage_type, "_save", save)
    lock = services.case_lock
    monkeypatch.setattr(services, "case_lock", lambda c: (steps.append("case locked"), lock(c))[1])
    document = add(case, users[Role.PRACTITIONER])
    assert steps == ["stored", "case locked"] and default_storage.exists(document.file.name)

    def refused(*args, **kwargs):
        raise CaseError("The timeline could not be written")

    monkeypatch.setattr(services, "case_event_record", refused)
    with pytest.raises(CaseError):
        add(case, users[Role.PRACTITIONER], name="second.pdf")
    assert len(stored) == 2 and not default_storage.exists(stored[1])
    assert CaseDocument.objects.filter(case=case).count() == 1
