"""The canary scan: every e-mail and text message the suite sends is kept, and when the run ends
it is searched for the partner's identifiers (name, phone number, address, postcode, date of
birth) of every partner the tests created, and, in messages to a client, for the words a
client's message must never carry (diary.reminders.NEVER_SAY: the phone may be shared). One
hit fails the run, however green its tests were.

What is recorded, and where (tests/conftest.py wires it up):
- e-mail reaching Django's test outbox (locmem), and e-mail and texts the GOV.UK Notify stand-in
  accepts (tests/notify_standin.py), and texts the local SMS backend keeps;
- the partners the factories make (tests/referral_factories.make_referral), and, to tell a
  partner's detail from one the client or a member of staff shares (a surname, the family
  home), every client's and staff member's details as they are saved. Both are kept per test
  file, and a file's messages are searched for the partners that file made.

Plain Python with no Django import: a pytest plugin (registered by tests/conftest.py) that
hands each pytest-xdist worker's result to the controller, which adds them up, prints
"messages scanned: N" and fails the run on a finding.
"""

import os
import re
from dataclasses import dataclass, field
from datetime import date

import pytest

# Words a message to a client must never carry; tests/conftest.py sets the application's own
# list (diary.reminders.NEVER_SAY). None: not checked.
NEVER_SAY: re.Pattern | None = None


@dataclass(frozen=True)
class Sent:
    channel: str  # "email" or "sms"
    to: tuple[str, ...]
    text: str  # subject, body, alternatives and text attachments, or a text's personalisation
    client_facing: bool
    test: str = ""  # the test that sent it


@dataclass
class Canaries:
    """A partner's details, and the same kinds of detail of people who are not a partner."""

    names: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    postcodes: set[str] = field(default_factory=set)
    birthdays: set[date] = field(default_factory=set)


SENT: list[Sent] = []
# Per test file: a partner one file makes is no partner of another file's tests, whose own
# client may have the same made-up phone number (each test's records are its own).
PARTNERS: dict[str, Canaries] = {}
NOT_PARTNERS: dict[str, Canaries] = {}  # clients and staff: their details are not a partner's canary
CLIENT_EMAILS: set[str] = set()  # a referral's client's e-mail address


def current_test() -> str:
    return os.environ.get("PYTEST_CURRENT_TEST", "").rsplit(" ", 1)[0]


def _test_file(test: str) -> str:
    return test.split("::", 1)[0]


def record(*, channel: str, to, text: str, client_facing: bool | None = None) -> None:
    """Keep one sent message. Every text goes to a client (session reminders); an e-mail does
    when it goes to a client's address."""
    to = tuple(str(address) for address in to)
    if client_facing is None:
        client_facing = channel == "sms" or any(address.strip().lower() in CLIENT_EMAILS for address in to)
    SENT.append(Sent(channel=channel, to=to, text=text, client_facing=client_facing, test=current_test()))


# A partner called May or August could not be told from a date; every message has dates.
CALENDAR_WORDS = frozenset(f"{date(2026, month, 1):%B}".lower() for month in range(1, 13)) | frozenset(
    f"{date(2026, 1, day):%A}".lower() for day in range(5, 12)
)


# A name: letters, with spaces, hyphens or apostrophes between them (not "000" or "<b>").
_NAME = re.compile(r"[^\W\d_]+(?:['’ -][^\W\d_]+)*")


def _add(canaries: Canaries, *, names=(), phone="", address="", postcode="", birthday=None) -> None:
    for name in names:
        name = " ".join(str(name or "").split()).lower()
        if len(name) >= 3 and name not in CALENDAR_WORDS and _NAME.fullmatch(name):
            canaries.names.add(name)
    if digits := phone_digits(phone or ""):
        canaries.phones.add(digits)
    for line in re.split(r"[,\n\r]+", address or ""):
        line = " ".join(line.split()).lower()
        if len(line) >= 6 and re.search(r"\d", line):  # the street line, not "London"
            canaries.addresses.add(line)
    if postcode := re.sub(r"\s+", "", postcode or "").upper():
        canaries.postcodes.add(postcode)
    if birthday:
        canaries.birthdays.add(birthday)


def register_partner(*, first_name="", last_name="", phone="", address="", postcode="", date_of_birth=None):
    _add(
        PARTNERS.setdefault(_test_file(current_test()), Canaries()),
        names=[first_name, last_name, f"{first_name} {last_name}"],
        phone=phone,
        address=address,
        postcode=postcode,
        birthday=date_of_birth,
    )


def register_not_partner(*, names=(), phone="", address="", postcode="", date_of_birth=None, client_email=""):
    """The client's or a member of staff's details: shared with a partner, they prove nothing."""
    not_partners = NOT_PARTNERS.setdefault(_test_file(current_test()), Canaries())
    _add(not_partners, names=[part for name in names for part in [name, *str(name or "").split()]], phone=phone)
    _add(not_partners, address=address, postcode=postcode, birthday=date_of_birth)
    if client_email:
        CLIENT_EMAILS.add(client_email.strip().lower())


def phone_digits(raw: str) -> str:
    """A UK phone number's digits in national form (07700900456), whatever way it was typed."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("0044"):
        digits = "0" + digits[4:]
    elif digits.startswith("44") and len(digits) == 12:
        digits = "0" + digits[2:]
    return digits if len(digits) >= 10 else ""


_PHONE_RUN = re.compile(r"\+?\(?\d[\d\s().-]{7,}\d")
_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)


def _date_forms(day: date) -> list[str]:
    return [
        day.isoformat(),
        f"{day:%d/%m/%Y}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day.day} {day:%B %Y}",
        f"{day.day} {day:%b %Y}",
        f"{day:%d %B %Y}",
    ]


def scan(sent: list[Sent], partners: Canaries, not_partners: Canaries, never_say: re.Pattern | None) -> list[str]:
    """What the messages give away: one line per finding, naming the message and its test."""
    names = partners.names - not_partners.names
    phones = partners.phones - not_partners.phones
    addresses = partners.addresses - not_partners.addresses
    postcodes = partners.postcodes - not_partners.postcodes
    birthdays = [(day, _date_forms(day)) for day in partners.birthdays - not_partners.birthdays]
    name_pattern = (
        re.compile(r"\b(" + "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True)) + r")\b", re.I)
        if names
        else None
    )
    findings = []
    for message in sent:
        found = []
        text = message.text
        flat = " ".join(text.split()).lower()
        if name_pattern and (hit := name_pattern.search(text)):
            found.append(f"a partner's name ({hit.group(0)!r})")
        runs = [phone_digits(run) or re.sub(r"\D", "", run) for run in _PHONE_RUN.findall(text)]
        if message.channel == "sms":
            runs += [phone_digits(to) for to in message.to]
        if phone := next((p for p in phones if any(p in run for run in runs)), None):
            found.append(f"a partner's phone number ({phone})")
        if address := next((a for a in addresses if a in flat), None):
            found.append(f"a partner's address ({address!r})")
        coded = {re.sub(r"\s+", "", p).upper() for p in _POSTCODE.findall(text)}
        if postcode := next(iter(coded & postcodes), None):
            found.append(f"a partner's postcode ({postcode})")
        if day := next((d for d, forms in birthdays if any(form.lower() in flat for form in forms)), None):
            found.append(f"a partner's date of birth ({day.isoformat()})")
        if message.client_facing and never_say is not None and (hit := never_say.search(text)):
            found.append(f"a word a client's message must never carry ({hit.group(0)!r})")
        if found:
            sender = message.test or "an unknown test"
            findings.append(f"{message.channel} to {', '.join(message.to)} sent by {sender}: {'; '.join(found)}")
    return findings


# --- the pytest plugin ---------------------------------------------------------------------

WORKER_KEY = "eip_message_scan"
# On the controller (or a run in one process): what every worker found, added up.
TOTAL = {"scanned": 0, "findings": []}


def scan_by_test_file(sent: list[Sent]) -> list[str]:
    """scan() each test file's messages against the partners that file made."""
    findings = []
    for test_file in dict.fromkeys(_test_file(message.test) for message in sent):
        findings += scan(
            [message for message in sent if _test_file(message.test) == test_file],
            PARTNERS.get(test_file, Canaries()),
            NOT_PARTNERS.get(test_file, Canaries()),
            NEVER_SAY,
        )
    return findings


def pytest_sessionfinish(session):
    scanned, findings = len(SENT), scan_by_test_file(SENT)
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:  # a pytest-xdist worker: the controller adds it up and decides
        workeroutput[WORKER_KEY] = {"scanned": scanned, "findings": findings}
        return
    TOTAL["scanned"] += scanned
    TOTAL["findings"] += findings
    if TOTAL["findings"]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    result = getattr(node, "workeroutput", {}).get(WORKER_KEY, {})
    TOTAL["scanned"] += result.get("scanned", 0)
    TOTAL["findings"] += result.get("findings", [])


def pytest_terminal_summary(terminalreporter):
    terminalreporter.section("Message canary scan")
    terminalreporter.write_line(f"messages scanned: {TOTAL['scanned']}")
    for finding in TOTAL["findings"]:
        terminalreporter.write_line(f"LEAK: {finding}", red=True)
    if TOTAL["findings"]:
        terminalreporter.write_line(
            f"The canary scan failed: {len(TOTAL['findings'])} message(s) carried what they must not.", red=True
        )
