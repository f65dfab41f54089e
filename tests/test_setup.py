"""The production first-run command: the programme's boroughs, organisations and fund and the
first administrator, idempotent, and never printing a secret."""

import io
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from accommodation.models import Fund
from eip.audit.models import AuditEvent
from eip.people.models import Borough, Organisation, Role, User

pytestmark = pytest.mark.django_db
PASSWORD = "a-long-Administrator-passphrase-7"


def _setup(monkeypatch, password=PASSWORD, email="Admin@Council.example.org"):
    monkeypatch.setenv("EIP_ADMIN_PASSWORD", password)
    out = io.StringIO()
    call_command("eip_setup", "--admin-email", email, "--admin-name", "Pat Admin", stdout=out)
    return out.getvalue()


def test_first_run_sets_up_the_programme_and_its_first_administrator(monkeypatch):
    Fund.objects.all().delete()
    output = _setup(monkeypatch)
    assert Borough.objects.count() == 10
    assert set(Borough.objects.values_list("code", flat=True)) >= {"camden", "barking-dagenham", "waltham-forest"}
    assert not Borough.objects.filter(isa_in_place=True).exists()  # agreements are recorded when signed
    assert Organisation.objects.filter(name="Cranstoun", kind=Organisation.Kind.DELIVERY_PARTNER).exists()
    # Every borough's council; Camden's is also the fund holder.
    councils = set(Organisation.objects.filter(name__startswith="London Borough of").values_list("name", flat=True))
    assert councils == {f"London Borough of {b.name}" for b in Borough.objects.all()}
    fund = Fund.objects.get()
    assert (fund.total, fund.places, fund.starts_on, fund.ends_on) == (14000, 10, date(2020, 8, 1), None)
    admin = User.objects.get(email="admin@council.example.org")
    assert admin.role == Role.ADMINISTRATOR and admin.is_staff and admin.is_superuser
    assert admin.check_password(PASSWORD)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.CREATED, record_id=str(admin.pk)).exists()
    assert PASSWORD not in output
    assert "admin@council.example.org created" in output


def test_running_it_again_changes_nothing(monkeypatch):
    _setup(monkeypatch)
    before = (Borough.objects.count(), Organisation.objects.count(), Fund.objects.count(), User.objects.count())
    output = _setup(monkeypatch, password="a-different-passphrase-for-sure-9")
    after = (Borough.objects.count(), Organisation.objects.count(), Fund.objects.count(), User.objects.count())
    assert before == after
    assert User.objects.get(email="admin@council.example.org").check_password(PASSWORD)  # not reset
    assert "already exists; unchanged" in output


def test_a_weak_password_is_refused_and_nothing_is_half_done(monkeypatch):
    with pytest.raises(CommandError, match="not strong enough"):
        _setup(monkeypatch, password="password")
    assert not User.objects.exists()


def test_without_a_password_and_no_terminal_it_says_what_to_do(monkeypatch):
    monkeypatch.delenv("EIP_ADMIN_PASSWORD", raising=False)
    monkeypatch.setattr("sys.stdin", io.StringIO())
    with pytest.raises(CommandError, match="EIP_ADMIN_PASSWORD"):
        call_command("eip_setup", "--admin-email", "a@b.example", "--admin-name", "A B")


def test_an_existing_account_that_is_not_an_administrator_is_not_promoted(monkeypatch):
    User.objects.create_user(email="admin@council.example.org", password=PASSWORD, role=Role.PRACTITIONER)
    with pytest.raises(CommandError, match="not an administrator"):
        _setup(monkeypatch)
    assert User.objects.get(email="admin@council.example.org").role == Role.PRACTITIONER
