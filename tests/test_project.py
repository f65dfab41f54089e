"""The project's set-up: configuration from the environment, the broker choice, demo data."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from case_documents.models import CaseDocument
from case_notes.models import CaseNote
from cases.models import Case
from diary.models import Appointment
from eip.celery import broker_transport_options
from eip.people.models import Role, User
from referrals.models import Referral

ROOT = Path(__file__).resolve().parent.parent


def run_manage(*args, **env):
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL", "CELERY_"))
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "eip.settings.production",
    "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/eip",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "EIP_PSEUDONYM_KEY": secrets.token_urlsafe(32),
    "DJANGO_ALLOWED_HOSTS": "eip.example",
    "EIP_BASE_URL": "https://eip.example",
}


def test_production_settings_pass_the_deployment_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_with_single_sign_on_passes_the_checks_and_refuses_half_a_configuration():
    sso = {
        "EIP_OIDC_ISSUER": "https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0",
        "EIP_OIDC_CLIENT_ID": "6731de76-14a6-49ae-97bc-6eba6914391e",
        "EIP_OIDC_CLIENT_SECRET": secrets.token_urlsafe(30),
        "EIP_PASSWORD_SIGN_IN": "0",
    }
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION, **sso)
    assert result.returncode == 0 and "no issues" in result.stdout, result.stdout + result.stderr
    result = run_manage("check", **PRODUCTION, **{**sso, "EIP_OIDC_CLIENT_SECRET": ""})
    assert result.returncode != 0
    assert "Single sign-on needs EIP_OIDC_ISSUER, EIP_OIDC_CLIENT_ID and EIP_OIDC_CLIENT_SECRET" in result.stderr


@pytest.mark.probe(11)
def test_production_collects_the_built_assets(tmp_path):
    # The manifest storage fails when the compiled CSS refers to a file the asset build did not
    # copy (MoJ Frontend's images once were missing); this is the step a deployment runs.
    result = run_manage("collectstatic", "--noinput", "-v", "0", EIP_STATIC_ROOT=str(tmp_path), **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    manifest = (tmp_path / "staticfiles.json").read_text()
    assert "dist/app.css" in manifest
    assert "dist/govuk-assets/images/icon-progress-tick.svg" in manifest


@pytest.mark.parametrize(
    "missing", ["DJANGO_SECRET_KEY", "DATABASE_URL", "REDIS_URL", "EIP_PSEUDONYM_KEY", "EIP_BASE_URL"]
)
def test_production_refuses_to_start_without_its_secrets(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_manage("check", **env)
    assert result.returncode != 0
    assert "must be set in production" in result.stderr


def test_the_default_broker_needs_no_server(tmp_path):
    options = broker_transport_options("filesystem://", tmp_path)
    assert all(Path(options[k]).is_dir() for k in ("data_folder_in", "data_folder_out", "processed_folder"))


def test_a_redis_broker_times_out_instead_of_hanging():
    assert broker_transport_options("redis://127.0.0.1:6379/0", Path("/nonexistent"))["socket_timeout"] == 2


@pytest.mark.django_db
def test_demo_data_gives_a_login_for_every_role_and_can_run_twice(settings, capsys):
    settings.EIP_ALLOW_DEMO_DATA = True
    call_command("demo_data")
    call_command("demo_data")
    output = capsys.readouterr().out
    assert {user.role for user in User.objects.all()} == set(Role)
    for role in Role:
        assert role.label in output
    assert set(Referral.objects.values_list("status", flat=True)) == set(Referral.Status)
    stages = set(Case.objects.values_list("stage", flat=True))
    assert {"awaiting_consultation", "awaiting_consent", "intervention", "disengaged"} <= stages
    assert User.objects.filter(email="sw.camden@eip.example").count() == 1
    # The journal of the case on track, once: one note with the partner, one shared with the referrer.
    assert CaseNote.objects.count() == 3
    assert (
        CaseNote.objects.filter(partner_related=True).count() == CaseNote.objects.exclude(shared_at=None).count() == 1
    )
    # The case file of the case on track, once: a consent form, and a letter marked as about the partner.
    assert sorted(CaseDocument.objects.values_list("category", "partner_information")) == [
        ("consent_form", False),
        ("correspondence", True),
    ]
    # The diary of the case on track, once: its next session and professionals meeting planned.
    assert sorted(Appointment.objects.values_list("kind", "status")) == [("meeting", "planned"), ("session", "planned")]
