"""Uploaded documents: stored and served by what their bytes are, never by the uploaded name,
under a generated name in the media folder, and always downloaded, never shown inline."""

import functools
import io
import re
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from eip.people.models import Role
from referrals import services
from referrals.models import LateReferralAgreement
from tests.factories import UserFactory
from tests.referral_factories import make_referral

pytestmark = [pytest.mark.django_db, pytest.mark.probe(8)]

ROOT = Path(__file__).resolve().parent.parent
GENERATED = re.compile(r"referrals/agreements/\d{4}/\d{2}/[0-9a-f]{32}\.(pdf|png|jpg|docx)")
PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"


def _docx(extra=("word/document.xml",)):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        for name in extra:
            archive.writestr(name, "<w:document/>")
    return out.getvalue()


@pytest.fixture
def late(camden, client):
    worker = UserFactory(role=Role.SOCIAL_WORKER, borough=camden)
    practitioner = UserFactory(role=Role.PRACTITIONER)
    referral = make_referral(worker)
    referral.outside_window = True
    referral.save()
    client.force_login(practitioner, backend="eip.people.backends.AccountBackend")
    return {"referral": referral, "practitioner": practitioner, "client": client}


def _upload(late, name, content, party="delivery_partner"):
    return late["client"].post(
        reverse("referral-late-agreement", args=[late["referral"].pk]),
        {
            "party": party,
            "agreed_by": "Programme lead",
            "agreed_on_0": "6",
            "agreed_on_1": "1",
            "agreed_on_2": "2021",
            "document": SimpleUploadedFile(name, content, content_type="text/html"),
        },
    )


def _download(late, agreement):
    return late["client"].get(
        reverse("referral-agreement-document", args=[late["referral"].pk, agreement.pk]),
    )


def test_a_pdf_named_html_is_stored_and_served_as_a_pdf_download(late):
    response = _upload(late, "agreement.html", b"%PDF-1.4 the written agreement")
    assert response.status_code == 302
    agreement = LateReferralAgreement.objects.get()
    assert GENERATED.fullmatch(agreement.document.name), agreement.document.name
    # Stored in the temporary media folder of the tests, never in the source tree.
    assert Path(agreement.document.path).is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert not Path(agreement.document.path).is_relative_to(ROOT)
    download = _download(late, agreement)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"] == (
        f'attachment; filename="{late["referral"].reference}-agreement-delivery_partner.pdf"'
    )
    assert b"".join(download.streaming_content) == b"%PDF-1.4 the written agreement"


@pytest.mark.parametrize(
    "name, content",
    [
        ("agreement.pdf", PAGE),
        ("agreement.pdf", b"  %PDF-1.4 with something before it"),
        ("agreement.docx", _docx(extra=("xl/workbook.xml",))),  # a spreadsheet, not a Word document
        ("agreement.docx", b"PK\x03\x04 not really a zip"),
    ],
)
def test_a_file_that_is_not_a_document_is_refused_beside_the_field(late, name, content):
    response = _upload(late, name, content)
    assert response.status_code == 200
    assert "The file must be a PDF, Word document, PNG or JPEG" in response.content.decode()
    assert not LateReferralAgreement.objects.exists()


@pytest.mark.parametrize(
    "name, content, extension, content_type",
    [
        ("scan.html", b"\x89PNG\r\n\x1a\n....", ".png", "image/png"),
        ("photo", b"\xff\xd8\xff\xe0....", ".jpg", "image/jpeg"),
        ("letter.exe", _docx(), ".docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_each_accepted_type_is_named_and_served_by_its_content(late, name, content, extension, content_type):
    assert _upload(late, name, content).status_code == 302
    agreement = LateReferralAgreement.objects.get()
    assert GENERATED.fullmatch(agreement.document.name) and agreement.document.name.endswith(extension)
    download = _download(late, agreement)
    assert download["Content-Type"] == content_type
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Disposition"].endswith(f'{extension}"')


def test_records_saved_without_the_form_follow_the_same_rule(late):
    # The admin site, the importer or a shell save the model directly: the model applies the rule.
    common = {
        "referral": late["referral"],
        "agreed_by": "Someone",
        "agreed_on": date(2021, 1, 6),
        "recorded_by": late["practitioner"],
    }
    with pytest.raises(ValidationError), transaction.atomic():
        LateReferralAgreement.objects.create(
            party="delivery_partner", document=SimpleUploadedFile("agreement.pdf", PAGE), **common
        )
    assert not LateReferralAgreement.objects.exists()
    agreement = LateReferralAgreement(
        party="programme_lead", document=SimpleUploadedFile("agreement.pdf", PAGE), **common
    )
    with pytest.raises(ValidationError) as refused:
        agreement.full_clean()
    assert refused.value.message_dict["document"] == ["The file must be a PDF, Word document, PNG or JPEG"]
    stored = LateReferralAgreement.objects.create(
        party="fund_holder", document=ContentFile(b"%PDF-1.7", name="agreement.html"), **common
    )
    assert GENERATED.fullmatch(stored.document.name)


def test_the_agreement_service_refuses_what_the_form_would_beside_each_field(late):
    """The importer, the admin site or an API call the service, not the form: the service says
    what is missing or wrong, keyed by field, and stores nothing."""
    record = functools.partial(
        services.referral_record_late_agreement, referral=late["referral"], user=late["practitioner"]
    )
    with pytest.raises(services.ReferralIncomplete) as missing:
        record(party="", agreed_by=" ", agreed_on=None, document=None)
    assert missing.value.errors == {
        "party": "Select whose agreement this is",
        "agreed_by": "Enter the name of the person who agreed",
        "agreed_on": "Enter the date of the agreement",
        "document": "Attach the written agreement",
    }
    with pytest.raises(services.ReferralIncomplete) as not_a_document:
        record(
            party="delivery_partner",
            agreed_by="Someone",
            agreed_on=date(2021, 1, 6),
            document=SimpleUploadedFile("agreement.pdf", PAGE),
        )
    assert not_a_document.value.errors == {"document": "The file must be a PDF, Word document, PNG or JPEG"}
    assert not LateReferralAgreement.objects.exists()


def test_a_document_stored_before_the_rule_is_never_served_as_a_page(late):
    agreement = LateReferralAgreement.objects.create(
        referral=late["referral"],
        party="delivery_partner",
        agreed_by="Someone",
        agreed_on=date(2021, 1, 6),
        recorded_by=late["practitioner"],
        document=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
    )
    # As an upload accepted under the old rule (by its name) would lie on disk.
    old_name = default_storage.save("referrals/agreements/2026/11/agreement.html", ContentFile(PAGE))
    LateReferralAgreement.objects.filter(pk=agreement.pk).update(document=old_name)
    agreement.refresh_from_db()
    download = _download(late, agreement)
    assert download["Content-Type"] == "application/octet-stream"
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment;")
    assert download["Content-Disposition"].endswith('.bin"')


@pytest.mark.parametrize("configured", ["", "uploads"])
def test_the_media_folder_never_depends_on_the_directory_a_process_starts_in(configured, tmp_path):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DJANGO_SETTINGS_MODULE="eip.settings.local", EIP_MEDIA_ROOT=configured)
    script = "import django; django.setup(); from django.conf import settings; print(settings.MEDIA_ROOT)"
    printed = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    media = Path(printed)
    assert media.is_absolute() and not media.is_relative_to(tmp_path)
    assert media == (ROOT / configured if configured else ROOT / "var" / "media")


def test_a_stored_document_is_readable_by_the_service_alone(late):
    assert _upload(late, "agreement.pdf", b"%PDF-1.4 private").status_code == 302
    stored = Path(LateReferralAgreement.objects.get().document.path)
    assert stored.stat().st_mode & 0o777 == 0o600
    assert stored.parent.stat().st_mode & 0o777 == 0o700


def test_a_body_larger_than_the_cap_is_refused_before_it_is_read(late, settings):
    """Decided from Content-Length alone: a body that would explode if read is never touched."""
    from django.test.client import ClientHandler

    class Unreadable:
        def read(self, *args):
            raise AssertionError("the body was read")

        readline = read

    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": reverse("referral-late-agreement", args=[late["referral"].pk]),
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": Unreadable(),
        "wsgi.errors": io.StringIO(),
        "CONTENT_TYPE": "multipart/form-data; boundary=x",
        "CONTENT_LENGTH": str(settings.EIP_MAX_REQUEST_BYTES + 1),
    }
    # The whole middleware stack, as a WSGI server would call it (the test client sets the length itself).
    response = ClientHandler()(environ)
    assert response.status_code == 413
    page = response.content.decode()
    assert "The file is too big" in page and "Documents must be 10 MB or smaller" in page
    assert not LateReferralAgreement.objects.exists()


def test_a_document_over_10_mb_within_the_cap_is_refused_beside_the_field(late, settings):
    assert settings.EIP_MAX_REQUEST_BYTES > 10 * 1024 * 1024 + 64 * 1024  # room for the form around it
    response = _upload(late, "agreement.pdf", b"%PDF-1.4 " + b"x" * (10 * 1024 * 1024))
    assert response.status_code == 200
    assert "The file must be 10 MB or smaller" in response.content.decode()
