"""Uploaded documents in production live in a private, encrypted S3-compatible bucket that every
web server shares (EIP_STORAGE=s3), and are still read only through the app: after the permission
check and the audit. Tested against moto's S3 server over HTTP; no network."""

import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from case_documents.models import CaseDocument
from eip.audit.models import AuditEvent
from eip.people.models import Role
from eip.settings.base import document_storage
from referrals.models import LateReferralAgreement
from tests.fault_tools import free_port
from tests.object_store import client, create_private_bucket, s3_environment, s3_server
from tests.referral_factories import make_case
from tests.test_uploads import _download, _upload, late  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def endpoint():
    with s3_server(free_port()) as url:
        yield url


@pytest.fixture
def bucket(endpoint, settings, monkeypatch):
    name = f"eip-{uuid.uuid4().hex[:12]}"
    create_private_bucket(endpoint, name)
    for key, value in s3_environment(endpoint, name).items():
        monkeypatch.setenv(key, value)
    settings.STORAGES = {**settings.STORAGES, "default": document_storage("s3")}
    return name


def _objects(endpoint, bucket):
    return [item["Key"] for item in client(endpoint).list_objects_v2(Bucket=bucket).get("Contents", [])]


def _media_files():
    return [path for path in Path(django_settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_an_upload_is_kept_encrypted_in_the_private_bucket_and_downloaded_through_the_app(late, endpoint, bucket):  # noqa: F811
    on_disk_before = _media_files()
    assert _upload(late, "agreement.html", b"%PDF-1.4 the written agreement").status_code == 302
    agreement = LateReferralAgreement.objects.get()

    # In the bucket under the generated name, nowhere on this server's disk.
    assert _objects(endpoint, bucket) == [agreement.document.name]
    assert _media_files() == on_disk_before
    s3 = client(endpoint)
    stored = s3.head_object(Bucket=bucket, Key=agreement.document.name)
    assert stored["ServerSideEncryption"] == "AES256"
    grants = s3.get_object_acl(Bucket=bucket, Key=agreement.document.name)["Grants"]
    assert [grant["Permission"] for grant in grants] == ["FULL_CONTROL"]
    assert all(grant["Grantee"]["Type"] == "CanonicalUser" for grant in grants)  # the owner; no AllUsers

    download = _download(late, agreement)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert download["Content-Disposition"].startswith("attachment;")
    assert b"".join(download.streaming_content) == b"%PDF-1.4 the written agreement"
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.EXPORTED, actor=late["practitioner"], detail__agreement=agreement.pk
    ).exists()


def test_someone_without_the_permission_gets_nothing_from_the_bucket(late, bucket, client):  # noqa: F811
    from eip.people.models import Role
    from tests.factories import UserFactory

    assert _upload(late, "agreement.pdf", b"%PDF-1.4 canary-7f3a").status_code == 302
    agreement = LateReferralAgreement.objects.get()
    client.force_login(UserFactory(role=Role.FINANCE), backend="eip.people.backends.AccountBackend")
    response = client.get(f"/referrals/{late['referral'].pk}/agreements/{agreement.pk}/document/")
    assert response.status_code in (403, 404)
    assert b"canary-7f3a" not in response.content
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORTED).exists()


def test_readiness_checks_the_bucket(client, endpoint, bucket, settings):
    response = client.get("/readyz")
    assert response.status_code == 200 and "storage: ok" in response.content.decode()
    assert _objects(endpoint, bucket) == []  # the probe tidies up after itself

    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**document_storage("s3"), "OPTIONS": {**document_storage("s3")["OPTIONS"], "bucket_name": "gone"}},
    }
    response = client.get("/readyz")
    assert response.status_code == 503 and "storage: failing" in response.content.decode()


def test_the_storage_setting_refuses_what_it_cannot_do(monkeypatch):
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="neither"):
        document_storage("nfs")
    monkeypatch.delenv("EIP_S3_BUCKET", raising=False)
    with pytest.raises(ImproperlyConfigured, match="EIP_S3_BUCKET"):
        document_storage("s3")
    monkeypatch.setenv("EIP_S3_BUCKET", "documents")
    monkeypatch.setenv("EIP_S3_ENCRYPTION", "none")
    with pytest.raises(ImproperlyConfigured, match="EIP_S3_ENCRYPTION"):
        document_storage("s3")
    monkeypatch.setenv("EIP_S3_ENCRYPTION", "aws:kms")
    monkeypatch.setenv("EIP_S3_KMS_KEY_ID", "alias/eip-documents")
    assert document_storage("s3")["OPTIONS"]["object_parameters"] == {
        "ServerSideEncryption": "aws:kms",
        "SSEKMSKeyId": "alias/eip-documents",
    }


def test_a_case_document_lives_in_the_bucket_and_the_partner_mark_holds_there_too(endpoint, bucket, users):
    web = Client()
    case = make_case(users[Role.SOCIAL_WORKER], users[Role.PRACTITIONER])
    on_disk_before = _media_files()
    web.force_login(users[Role.PRACTITIONER], backend="eip.people.backends.AccountBackend")
    for title, partner in (("Consent form", ""), ("Canary-partner letter", "on")):
        response = web.post(
            reverse("case-documents", args=[case.pk]),
            {
                "category": "correspondence",
                "title": title,
                "partner_information": partner,
                "file": SimpleUploadedFile("letter.pdf", f"%PDF-1.4 {title}".encode()),
            },
        )
        assert response.status_code == 302
    plain, marked = CaseDocument.objects.order_by("pk")
    assert sorted(_objects(endpoint, bucket)) == sorted([plain.file.name, marked.file.name])
    assert _media_files() == on_disk_before
    assert client(endpoint).head_object(Bucket=bucket, Key=marked.file.name)["ServerSideEncryption"] == "AES256"

    # Streamed from the bucket by the app, after the check: the SPOC gets the plain one only.
    web.force_login(users[Role.BOROUGH_SPOC], backend="eip.people.backends.AccountBackend")
    response = web.get(reverse("case-document-download", args=[case.pk, plain.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4 Consent form"
    response = web.get(reverse("case-document-download", args=[case.pk, marked.pk]))
    assert response.status_code == 404 and b"Canary" not in response.content
