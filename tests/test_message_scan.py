"""The canary scan of every e-mail and text message the suite sends (tests/message_scan.py): it
finds a partner's name, phone number, address, postcode or date of birth in any message, in any
of the ways they are written, and the words a client's message must never carry; a finding
fails the whole run, also when the messages were sent on pytest-xdist workers."""

import re
from datetime import date
from pathlib import Path

import pytest

from diary.reminders import NEVER_SAY
from tests.message_scan import Canaries, Sent, _add, scan

pytest_plugins = ["pytester"]

REPO = Path(__file__).resolve().parent.parent


def canaries(**details) -> Canaries:
    found = Canaries()
    _add(found, **details)
    return found


PARTNER = canaries(
    names=["Chloe", "Hughes", "Chloe Hughes"],
    phone="07700 900456",
    address="4 Canary Wharf Mews, London",
    postcode="E14 5AB",
    birthday=date(1990, 3, 2),
)
# The client shares the partner's surname: "Hughes" alone gives nothing away.
CLIENT = canaries(names=["Daniel", "Hughes"], phone="07700 900123", address="12 Example Road", postcode="NW1 0AA")


def email(text, to="worker@eip.test", client_facing=False):
    return Sent(channel="email", to=(to,), text=text, client_facing=client_facing, test="tests/test_x.py::test_y")


@pytest.mark.parametrize(
    "text, finding",
    [
        ("Referral EIP-2026-0004: chloe asked for a call back", "a partner's name ('chloe')"),
        ("Call her on +44 7700 900 456 after 5pm", "a partner's phone number (07700900456)"),
        ("Call (07700) 900-456", "a partner's phone number (07700900456)"),
        ("Placement near 4  Canary Wharf Mews?", "a partner's address ('4 canary wharf mews')"),
        ("Exclusion zone around e145ab", "a partner's postcode (E145AB)"),
        ("Born 2 March 1990", "a partner's date of birth (1990-03-02)"),
        ("DOB 02/03/1990", "a partner's date of birth (1990-03-02)"),
        ("dob: 1990-03-02", "a partner's date of birth (1990-03-02)"),
    ],
)
def test_the_scan_finds_a_partners_detail_however_it_is_written(text, finding):
    [found] = scan([email(text)], PARTNER, CLIENT, NEVER_SAY)
    assert found == f"email to worker@eip.test sent by tests/test_x.py::test_y: {finding}"


def test_the_scan_passes_what_gives_no_partner_away():
    clean = [
        email("There is a new progress update on case EIP-2026-0004. Sign in to EIP to read it."),
        email("Daniel Hughes's session on Tuesday 3 March at 10am; call 07700 900123"),  # the client's own
        email("No professionals meeting since 2 March 2026; referral received 2026-03-02 10:15"),
    ]
    assert scan(clean, PARTNER, CLIENT, NEVER_SAY) == []


def test_a_text_to_the_partners_number_is_found_whatever_it_says():
    text = Sent(channel="sms", to=("+447700900456",), text="Tuesday 10am, Sam", client_facing=True)
    assert scan([text], PARTNER, CLIENT, NEVER_SAY) == [
        "sms to +447700900456 sent by an unknown test: a partner's phone number (07700900456)"
    ]


def test_the_words_a_client_must_never_read_are_looked_for_in_messages_to_clients_only():
    words = "Your Early Intervention session about domestic abuse is on Tuesday"
    to_client = Sent(channel="sms", to=("07700900123",), text=words, client_facing=True)
    [found] = scan([to_client], PARTNER, CLIENT, NEVER_SAY)
    assert "a word a client's message must never carry ('Early Intervention')" in found
    # Staff e-mail names the programme (the subject starts "EIP:") and may say "partner".
    staff = email("EIP: the partner's consent is due on case EIP-2026-0004")
    assert scan([staff], PARTNER, CLIENT, NEVER_SAY) == []


LEAKING_RUN = """
from tests import message_scan


def test_a_text_gives_the_partner_away():
    message_scan.register_partner(first_name="Rosalind", last_name="Hughes", phone="07700 900456")
    message_scan.register_not_partner(names=["Daniel Hughes"])
    message_scan.record(channel="sms", to=["07700900123"], text="Tuesday 10am. Rosalind: call 0044 7700 900456")


def test_a_clean_email():
    message_scan.record(channel="email", to=["sw@eip.test"], text="Case EIP-2026-0001 has an update")


def test_another_clean_email():
    message_scan.record(channel="email", to=["sw@eip.test"], text="Hughes: case EIP-2026-0002")
"""


@pytest.mark.parametrize("workers", [[], ["-n", "2"]], ids=["one process", "two xdist workers"])
def test_a_planted_canary_fails_the_run_and_every_message_is_counted(pytester, monkeypatch, workers):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makeconftest('pytest_plugins = ["tests.message_scan"]')
    pytester.makepyfile(test_sending=LEAKING_RUN)
    result = pytester.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider", *workers)
    result.assert_outcomes(passed=3)  # every test passed, and still the run fails
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    output = result.stdout.str()
    assert "messages scanned: 3" in output
    assert re.search(
        r"LEAK: sms to 07700900123 sent by test_sending.py::test_a_text_gives_the_partner_away: "
        r"a partner's name \('Rosalind'\); a partner's phone number \(07700900456\)",
        output,
    )
    assert "The canary scan failed: 1 message(s)" in output


def test_a_run_that_leaks_nothing_passes(pytester, monkeypatch):
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makeconftest('pytest_plugins = ["tests.message_scan"]')
    pytester.makepyfile(test_sending=LEAKING_RUN.replace("0044 7700 900456", "0800 123 4567").replace("Rosalind", ""))
    result = pytester.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider", "-n", "2")
    assert result.ret == pytest.ExitCode.OK
    assert "messages scanned: 3" in result.stdout.str() and "LEAK" not in result.stdout.str()


def test_another_files_partner_is_no_canary_for_a_file_whose_client_has_the_same_made_up_number(pytester, monkeypatch):
    # Test files make their people independently: one file's partner may have the number another
    # file gives its client. Each file's messages are searched for the partners it made.
    monkeypatch.setenv("PYTHONPATH", str(REPO))
    pytester.makeconftest('pytest_plugins = ["tests.message_scan"]')
    pytester.makepyfile(
        test_a_partner="""
from tests import message_scan

def test_makes_a_partner():
    message_scan.register_partner(first_name="Rosalind", last_name="Hughes", phone="07700 900999")
""",
        test_b_client="""
from tests import message_scan

def test_texts_its_own_client():
    message_scan.record(channel="sms", to=["+447700900999"], text="Your appointment is on Tuesday at 10am.")
""",
    )
    result = pytester.runpytest_subprocess("-p", "no:django", "-p", "no:cacheprovider")
    assert result.ret == pytest.ExitCode.OK, result.stdout.str()
    assert "messages scanned: 1" in result.stdout.str() and "LEAK" not in result.stdout.str()
