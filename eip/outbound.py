"""The outbound guard: the one function every document and message passes before it leaves.

E-mails, the accommodation agreement, the subject access export, the monitoring report (PDF,
CSV, JSON), the evaluator's CSVs, calendar files, and any SMS added later are handed to
outbound_release() with who they are for and which cases they concern. The guard checks them
against the third-party identifiers of those cases: the partner's and children's names, phone
numbers, e-mail addresses, streets and postcodes, and safe-contact text, normalised so that the
ordinary variants match ("+44 7700 900999" is 07700 900999, "Larkspur Rd" is 7 Larkspur Road,
"nw10aa" is NW1 0AA). If one appears in an output meant for the client, housing, finance, the
funder, the evaluator or the borough SPOC, or in any e-mail or SMS whoever receives it (they
leave the secure system), the output is refused: nothing is sent, the user is told what kind of
identifier was found and where (never the value), supervisors are alerted, and the refusal is
audited. Documents made for practitioners, supervisors and social workers pass untouched, and
so does anything built only from allowed fields. A document that carries partner details by
design (the MARAC and IDVA risk packs) is declared with restricted_output(): the guard releases
it only to the audiences and over the channels declared, whatever it holds.

The subject access export is redacted with the same normalisation and matching (redactor()),
so what it withholds and what the guard refuses cannot drift apart.

The core imports no pathway app: apps register from AppConfig.ready() where the identifiers of
a referral come from (identifier_source) and which referrals a record concerns (concern_of), as
they register permission rules with eip.access.

Enforcement: the e-mail backend (ReleasedOnlyEmailBackend) sends only messages released here,
unchanged since; OutboundMiddleware refuses any file response that was not built by a release.
"""

import csv
import hashlib
import heapq
import io
import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from html.parser import HTMLParser
from typing import NamedTuple

import phonenumbers
from django.core.exceptions import ImproperlyConfigured
from django.core.mail.backends.base import BaseEmailBackend
from django.db import models

from eip import spreadsheets

# --- who an output is for --------------------------------------------------------------

# audience -> (how the explanation names it, whether third-party identifiers are refused)
AUDIENCES: dict[str, tuple[str, bool]] = {
    "client": ("the client", True),
    "housing": ("the housing team", True),
    "finance": ("Camden finance", True),
    "funder": ("the funder (MOPAC)", True),
    "evaluator": ("the evaluator", True),
    # Oversees a borough's cases but never partner matters.
    "borough": ("the borough SPOC", True),
    "programme": ("the programme manager", True),
    "administrator": ("an administrator", True),
    # Documents made for these may carry partner details (never e-mail or SMS bodies).
    "practitioner": ("a practitioner", False),
    "supervisor": ("a supervisor", False),
    "social_worker": ("the social worker", False),
}
# Channels that leave the secure system whoever receives them.
MESSAGE_CHANNELS = frozenset({"email", "sms"})
CHANNELS = MESSAGE_CHANNELS | {"download", "file"}

_ROLE_AUDIENCE = {
    "social_worker": "social_worker",
    "borough_spoc": "borough",
    "housing_spoc": "housing",
    "practitioner": "practitioner",
    "supervisor": "supervisor",
    "finance": "finance",
    "programme_manager": "programme",
    "evaluator": "evaluator",
    "administrator": "administrator",
}


# label -> the audiences a document may be released to, and over which channels, whatever it
# holds. For documents made to carry partner details by design (the MARAC and IDVA risk packs):
# the guard's content check would pass them to a practitioner, so without this a path that
# released one to anyone else would be refused only by luck of what the partner's record holds.
RESTRICTED_OUTPUTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {}


def restricted_output(label: str, *, audiences, channels=("download",)) -> None:
    """Declare that the output released under `label` may go only to `audiences` over `channels`.
    Apps call this from AppConfig.ready(); outbound_release() refuses any other release of it."""
    audiences, channels = frozenset(audiences), frozenset(channels)
    if not audiences <= set(AUDIENCES) or not channels <= CHANNELS:
        raise OutboundError(f"Unknown audience or channel for {label!r}")
    RESTRICTED_OUTPUTS[label] = (audiences, channels)


def audience_for(user) -> str:
    """The audience a person belongs to, for outputs made for whoever asks (calendar files,
    e-mails). Anyone unknown is treated as a restricted audience."""
    return _ROLE_AUDIENCE.get(getattr(user, "role", ""), "administrator")


class OutboundError(ImproperlyConfigured):
    """A programming error: an output path that skips or misuses the guard."""


class OutboundRefused(Exception):
    """The guard refused an output. It has already been audited and supervisors alerted."""

    def __init__(self, *, findings: list["Finding"], label: str, audience: str, channel: str):
        self.findings, self.label, self.audience, self.channel = findings, label, audience, channel
        super().__init__(f"Outbound guard refused {label or 'an output'} for {audience} ({channel})")

    @property
    def audience_label(self) -> str:
        return AUDIENCES[self.audience][0]

    def explanation(self) -> list[str]:
        """What was found and where, in plain words and without the values."""
        return [f"{f.what}, {f.where}" if f.where else f.what for f in self.findings]


@dataclass(frozen=True)
class Finding:
    what: str  # "the partner's phone number"
    where: str  # "in “Address” under “Temporary accommodation”"
    code: str  # "partner-phone"
    referral: int | None = None


# --- where identifiers come from (registered by the apps) ------------------------------


class Identifier(NamedTuple):
    """One recorded value about a person on a referral. `whose` is "partner" or "child" for
    third parties, "client" for the client's own details (allowed, and never a finding)."""

    referral: int
    whose: str
    kind: str  # name, first_name, last_name, phone, email, address, postcode, text
    value: str
    about: str = ""  # for kind "text": what it is, e.g. "how to contact the partner safely"


# fn(referrals, keep) -> Identifiers ordered by referral id. `referrals` is a list of ids, a
# query of ids, or None for every referral (then stream it: the evaluator's export walks them
# all). `keep`, when given, is a cheap test of a referral's third-party (kind, value) pairs: a
# source may skip a referral it says no to (a speed-up; matching does not rely on it).
IdentifierSource = Callable[[object, Callable | None], Iterable[Identifier]]
SOURCES: list[IdentifierSource] = []
# model label -> fn(record) -> the ids of the referrals the record concerns
CONCERNS: dict[str, Callable[[models.Model], Iterable[int]]] = {}


def identifier_source(fn: IdentifierSource) -> IdentifierSource:
    """Register where third-party identifiers come from. Apps call this from AppConfig.ready()."""
    if fn not in SOURCES:
        SOURCES.append(fn)
    return fn


def concern_of(model_label: str):
    """Register which referrals a record concerns (decorator), e.g. a case -> its referral."""

    def register(fn):
        CONCERNS[model_label.lower()] = fn
        return fn

    return register


# Core records about no one's case: a borough, a person's account.
CONCERNS["people.borough"] = CONCERNS["people.user"] = lambda record: ()


class ReferralIds:
    """Concerning many referrals at once: a query of referral ids (used as a subquery) or ids."""

    def __init__(self, ids):
        self.ids = ids


EVERY_REFERRAL = ReferralIds(None)


# --- normalisation (shared with the subject access export) -----------------------------

# Street types and their common abbreviations; content and identifiers are both expanded.
STREET_TYPES: dict[str, tuple[str, ...]] = {
    "road": ("rd",),
    "street": ("st", "str"),
    "avenue": ("ave", "av"),
    "lane": ("ln",),
    "close": ("cl",),
    "crescent": ("cres", "cresc"),
    "gardens": ("gdns", "gdn"),
    "square": ("sq",),
    "place": ("pl",),
    "court": ("ct",),
    "drive": ("dr",),
    "terrace": ("tce", "terr"),
    "grove": ("gro",),
    "park": ("pk",),
    "way": ("wy",),
    "parade": ("pde",),
    "heights": ("hts",),
    "boulevard": ("blvd",),
    "buildings": ("bldgs",),
    "cottages": ("cotts",),
    "apartments": ("apts",),
    "mews": (),
    "row": (),
    "walk": (),
    "hill": (),
    "rise": (),
    "gate": (),
    "green": (),
    "yard": (),
    "house": (),
    "mansions": (),
    "estate": (),
    "wharf": (),
    "quay": (),
    "passage": (),
    "vale": (),
    "view": (),
    "circus": (),
    "embankment": (),
    "broadway": (),
    "villas": (),
    "lodge": (),
    "tower": (),
    "point": (),
}
_ABBREVIATIONS = {abbreviation: full for full, short in STREET_TYPES.items() for abbreviation in short}
_UNIT_WORDS = frozenset({"flat", "apartment", "unit", "floor", "room", "basement", "no"})
_CALENDAR_WORDS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec "
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat sun".split()
)

_TOKEN = re.compile(
    r"(?P<email>[\w.%+'-]+@[\w-]+(?:\.[\w-]+)+)"
    r"|(?P<phone>(?<![\w+])(?:\+|\b00)?\(?\d(?:[ \t.()\-]{0,3}\d){9,14}(?!\w))"
    r"|(?P<postcode>(?<!\w)[A-Za-z]{1,2}\d[A-Za-z\d]?[ \t]?\d[A-Za-z]{2}(?!\w))"
    r"|(?P<word>[^\W_]+(?:['’][^\W_]+)*)"
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]?\d[A-Z]{2}")
_LINES = re.compile(r"[,;\n\r]+")
_DATE = re.compile(r"\d{4}-\d\d-\d\d")  # 2026-01-07 12:30 is a time, not a phone number


@lru_cache(maxsize=1 << 16)
def normalise_word(word: str) -> str:
    """Lower case, no accents or apostrophes, street abbreviations written out."""
    word = word.casefold()
    if word.endswith(("'s", "’s")):  # "Chloe's" is Chloe
        word = word[:-2]
    word = word.replace("’", "").replace("'", "")
    if not word.isascii():
        word = "".join(c for c in unicodedata.normalize("NFKD", word) if not unicodedata.combining(c))
    return _ABBREVIATIONS.get(word, word)


@lru_cache(maxsize=1 << 14)
def normalise_phone(raw: str) -> str | None:
    """A phone number in E.164 (UK numbers without a country code read as UK), or None if it
    is not a possible phone number."""
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    return raw.strip().lower()


def normalise_postcode(raw: str) -> str:
    return re.sub(r"\s+", "", raw).upper()


def words(text: str) -> tuple[str, ...]:
    """A name or phrase as normalised whole words."""
    return tuple(normalise_word(w) for w in _WORD.findall(text or ""))


def streets(address: str) -> list[tuple[str, ...]]:
    """The street names in an address, without house or flat numbers: "Flat 3, 7 Larkspur Rd,
    London" gives ("larkspur", "road")."""
    found = []
    for line in _LINES.split(address or ""):
        line_words = [normalise_word(w) for w in _WORD.findall(line)]
        # The street follows the last house or flat number on its line.
        start = max((i + 1 for i, w in enumerate(line_words) if any(c.isdigit() for c in w)), default=0)
        rest = [w for w in line_words[start:] if w not in _UNIT_WORDS]
        ends = [i for i, w in enumerate(rest) if w in STREET_TYPES and i >= 1]
        if ends:
            found.append(tuple(rest[: ends[0] + 1]))
        elif start and rest:  # "12 The Grange": a numbered line without a street type
            found.append(tuple(rest))
    return found


def _usable_phone(value: str) -> bool:
    """A third party's phone value is matched as a number (else as the words it is written in)."""
    return sum(map(str.isdigit, value)) >= 10 and not any(map(str.isalpha, value))


# A superset of tokens()'s phone numbers: none can be found in text without ten such digits.
_TEN_DIGITS = re.compile(r"\d(?:[ \t.()\-]{0,3}\d){9}")


def _phones_in(kind: str, value: str) -> set[str]:
    """The phone numbers (E.164) a third party's value is matched by, exactly as Targets reads
    it: a phone number, or numbers written inside an address or text. Lets the cheap tests rule
    out a referral whose numbers are not the content's without compiling its other details."""
    value = value.strip()
    if kind == "phone":
        number = normalise_phone(value) if _usable_phone(value) else None
        return {number} if number else set()
    if kind in ("address", "text") and _TEN_DIGITS.search(value):
        return {token.norm for token in tokens(value) if token.kind == "phone"}
    return set()


class Token(NamedTuple):
    kind: str  # word, phone, email, postcode
    norm: str
    start: int
    end: int


def tokens(text: str) -> list[Token]:
    """Whole words, phone numbers (E.164), e-mail addresses and postcodes, with their places."""
    found = []
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup
        raw = match.group()
        if kind == "word":
            norm = normalise_word(raw)
        elif kind == "phone":
            norm = None if _DATE.match(raw) else normalise_phone(raw)
            if norm is None:  # a long number that is not a phone number: its digits as a word
                found.append(Token("word", re.sub(r"\D", "", raw), match.start(), match.end()))
                continue
        elif kind == "email":
            norm = normalise_email(raw)
        else:
            norm = normalise_postcode(raw)
        found.append(Token(kind, norm, match.start(), match.end()))
    return found


# --- what the reasons are called -------------------------------------------------------

_WHOSE = {"partner": "the partner's", "child": "a child's"}
_FORMS = {
    "name": "name",
    "phone": "phone number",
    "email": "email address",
    "street": "street",
    "postcode": "postcode",
}
OTHER_REASONS = {
    "other-phone": "a phone number that is not the client's",
    "other-email": "an email address that is not the client's",
    "other-postcode": "a postcode that is not the client's",
}


def reason_label(code: str, about: str = "") -> str:
    """The plain words for a reason code such as "partner-phone"."""
    if code in OTHER_REASONS:
        return OTHER_REASONS[code]
    whose, _, form = code.partition("-")
    if form == "text":
        return about or ("text about the partner" if whose == "partner" else "text about a third party")
    return f"{_WHOSE.get(whose, 'a third party’s')} {_FORMS.get(form, form)}"


class _Target(NamedTuple):
    words: tuple[str, ...]
    code: str
    label: str
    weak: bool  # a first name or surname on its own: also an ordinary word sometimes


class Hit(NamedTuple):
    start: int
    end: int
    code: str
    label: str


# --- matching ------------------------------------------------------------------------------


class Context:
    """What a first name or surname on its own is checked against: the ordinary words of the
    documents (dates, the app's labels, borough names) and the names of staff, who may share a
    first name with a partner. Fetched once per check (or on first need, for redaction)."""

    def __init__(self):
        self._ordinary = None
        self._staff = None

    def load(self) -> "Context":
        """Fetch both now (two queries), so an output's query count does not depend on
        whether its text happens to hold a single name."""
        self.ordinary_words()
        self.staff_names()
        return self

    def ordinary_words(self) -> frozenset:
        if self._ordinary is None:
            from eip.people.models import Borough

            boroughs = set()
            for name in Borough.objects.values_list("name", flat=True):
                boroughs.update(words(name))
            self._ordinary = _vocabulary() | boroughs
        return self._ordinary

    def staff_names(self) -> dict[str, list[tuple[str, ...]]]:
        if self._staff is None:
            from eip.people.models import User

            self._staff = {}
            for name in User.objects.exclude(full_name="").values_list("full_name", flat=True):
                phrase = words(name)
                if len(phrase) >= 2:
                    self._staff.setdefault(phrase[0], []).append(phrase)
        return self._staff


@lru_cache(maxsize=1)
def _vocabulary() -> frozenset:
    """Words of the app's fixed labels (every model field's choices), dates and street types."""
    from django.apps import apps

    found = set(_CALENDAR_WORDS) | set(STREET_TYPES)
    for model in apps.get_models():
        for model_field in model._meta.get_fields():
            for value, label in getattr(model_field, "flatchoices", None) or ():
                found.update(words(str(label)))
                found.update(words(str(value).replace("_", " ")))
    return frozenset(found)


class Targets:
    """The identifiers of one or more referrals, compiled for matching text. Phone numbers are
    parsed (phonenumbers) only when the content has a phone number to compare them with."""

    def __init__(self, identifiers: Iterable[Identifier] = ()):
        self.phrases: dict[str, list[_Target]] = {}
        self.allowed: dict[str, list[tuple[str, ...]]] = {}
        self._phones: dict[str, tuple[str, str]] = {}
        self._raw_phones: list[tuple[str, str]] = []
        self.emails: dict[str, tuple[str, str]] = {}
        self.postcodes: dict[str, tuple[str, str]] = {}
        self._own_phones: set[str] = set()
        self._raw_own_phones: list[str] = []
        self.own_emails: set[str] = set()
        self.own_postcodes: set[str] = set()
        self.referrals: set[int] = set()
        for identifier in identifiers:
            self.add(identifier)

    def __bool__(self):
        return bool(self.phrases or self._phones or self._raw_phones or self.emails or self.postcodes)

    @property
    def phones(self) -> dict[str, tuple[str, str]]:
        while self._raw_phones:
            value, whose = self._raw_phones.pop()
            number = normalise_phone(value)
            if number:
                self._phones[number] = (f"{whose}-phone", reason_label(f"{whose}-phone"))
        return self._phones

    @property
    def own_phones(self) -> set[str]:
        while self._raw_own_phones:
            number = normalise_phone(self._raw_own_phones.pop())
            if number:
                self._own_phones.add(number)
        return self._own_phones

    def _phrase(self, phrase, code, label, weak=False):
        if phrase and len("".join(phrase)) >= 2:
            self.phrases.setdefault(phrase[0], []).append(_Target(phrase, code, label, weak))

    def _embedded(self, text, whose):
        """Phone numbers, e-mail addresses and postcodes written inside other text."""
        for token in tokens(text):
            if token.kind == "phone":
                self.phones[token.norm] = (f"{whose}-phone", reason_label(f"{whose}-phone"))
            elif token.kind == "email":
                self.emails[token.norm] = (f"{whose}-email", reason_label(f"{whose}-email"))
            elif token.kind == "postcode":
                self.postcodes[token.norm] = (f"{whose}-postcode", reason_label(f"{whose}-postcode"))

    def add(self, identifier: Identifier) -> None:
        whose, kind, value = identifier.whose, identifier.kind, (identifier.value or "").strip()
        if not value:
            return
        self.referrals.add(identifier.referral)
        if whose == "client":
            self._add_own(kind, value)
            return
        if kind in ("name", "first_name", "last_name"):
            phrase, label = words(value), reason_label(f"{whose}-name")
            self._phrase(phrase, f"{whose}-name", label, weak=kind != "name")
            if kind == "name" and len(phrase) >= 2:  # "Quillfeather, Zephyrine"
                self._phrase(phrase[-1:] + phrase[:-1], f"{whose}-name", label)
        elif kind == "phone":
            if _usable_phone(value):
                self._raw_phones.append((value, whose))
            else:  # not a usable number: match it as written
                self._phrase(words(value), f"{whose}-phone", reason_label(f"{whose}-phone"))
        elif kind == "email":
            self.emails[normalise_email(value)] = (f"{whose}-email", reason_label(f"{whose}-email"))
        elif kind == "postcode":
            postcode = normalise_postcode(value)
            if _POSTCODE.fullmatch(postcode):
                self.postcodes[postcode] = (f"{whose}-postcode", reason_label(f"{whose}-postcode"))
            else:
                self._phrase(words(value), f"{whose}-postcode", reason_label(f"{whose}-postcode"))
        elif kind == "address":
            for street in streets(value):
                self._phrase(street, f"{whose}-street", reason_label(f"{whose}-street"))
            self._embedded(value, whose)
        elif kind == "text":
            phrase = words(value)
            if len(" ".join(phrase)) >= 10:  # shorter text is too common to mean anyone
                self._phrase(phrase, f"{whose}-text", reason_label(f"{whose}-text", identifier.about))
            self._embedded(value, whose)
        else:
            raise OutboundError(f"Unknown identifier kind {kind!r}")

    def _add_own(self, kind, value):
        if kind in ("name", "first_name", "last_name"):
            phrase = words(value)
            if phrase:
                self.allowed.setdefault(phrase[0], []).append(phrase)
        elif kind == "phone":
            self._raw_own_phones.append(value)
        elif kind == "email":
            self.own_emails.add(normalise_email(value))
        elif kind in ("postcode", "address"):
            if kind == "postcode":
                self.own_postcodes.add(normalise_postcode(value))
            for token in tokens(value):
                if token.kind == "postcode":
                    self.own_postcodes.add(token.norm)

    def might_match(self, index) -> bool:
        """A cheap test on the content's sets before the exact search: every word of some
        phrase is there (a single ordinary word alone never counts), or a phone number, e-mail
        address or postcode is."""
        content_words = index.words
        for first in content_words.intersection(self.phrases):
            for target in self.phrases[first]:
                if target.weak and len(target.words) == 1 and first in _vocabulary():
                    continue
                if all(w in content_words for w in target.words):
                    return True
        return bool(
            (index.phones and not index.phones.isdisjoint(self.phones))
            or (index.emails and not index.emails.isdisjoint(self.emails))
            or (index.postcodes and not index.postcodes.isdisjoint(self.postcodes))
        )

    def find(self, text: str, found_tokens: list[Token] | None = None, *, others=False, context=None) -> list[Hit]:
        """Every place in `text` that names or locates a third party, longest first. With
        `others`, also every phone number, e-mail address and postcode that is not the client's."""
        found_tokens = tokens(text) if found_tokens is None else found_tokens
        hits, weak = [], []
        i, n = 0, len(found_tokens)
        while i < n:
            token = found_tokens[i]
            if token.kind == "word":
                best = None
                for target in self.phrases.get(token.norm, ()):
                    size = len(target.words)
                    if (best is None or size > len(best.words)) and i + size <= n:
                        window = found_tokens[i : i + size]
                        if all(t.kind == "word" and t.norm == w for t, w in zip(window, target.words, strict=True)):
                            best = target
                if best is not None:
                    hit = Hit(token.start, found_tokens[i + len(best.words) - 1].end, best.code, best.label)
                    if best.weak:
                        weak.append((i, hit))
                    else:
                        hits.append(hit)
                        i += len(best.words)
                        continue
            else:
                table = {"phone": self.phones, "email": self.emails, "postcode": self.postcodes}[token.kind]
                if token.norm in table:
                    code, label = table[token.norm]
                    hits.append(Hit(token.start, token.end, code, label))
                elif (
                    others
                    and token.norm
                    not in {
                        "phone": self.own_phones,
                        "email": self.own_emails,
                        "postcode": self.own_postcodes,
                    }[token.kind]
                ):
                    code = f"other-{token.kind}"
                    hits.append(Hit(token.start, token.end, code, OTHER_REASONS[code]))
            i += 1
        if weak:
            hits += self._real_single_names(weak, found_tokens, context or Context())
        return sorted(hits)

    def _real_single_names(self, weak, found_tokens, context) -> list[Hit]:
        """A first name or surname on its own is a match unless it is an ordinary word of the
        documents (a month, a borough, a label), part of a street name ("Park Road"), or part
        of the client's or a member of staff's full name."""
        covered = self._covered(found_tokens, self.allowed)
        staff = None
        kept = []
        for i, hit in weak:
            if i in covered:
                continue
            following = found_tokens[i + 1] if i + 1 < len(found_tokens) else None
            if following is not None and following.kind == "word" and following.norm in STREET_TYPES:
                continue
            if hit.end == found_tokens[i].end and found_tokens[i].norm in context.ordinary_words():
                continue
            if staff is None:
                staff = self._covered(found_tokens, context.staff_names())
            if i in staff:
                continue
            kept.append(hit)
        return kept

    @staticmethod
    def _covered(found_tokens, phrases) -> set[int]:
        covered = set()
        for i, token in enumerate(found_tokens):
            for phrase in phrases.get(token.norm, ()) if token.kind == "word" else ():
                window = found_tokens[i : i + len(phrase)]
                if len(window) == len(phrase) and all(
                    t.kind == "word" and t.norm == w for t, w in zip(window, phrase, strict=True)
                ):
                    covered.update(range(i, i + len(phrase)))
        return covered


def redactor(identifiers: Iterable[Identifier], *, others: bool = True) -> "Redactor":
    """For the subject access export: withholds every third-party identifier and (with
    `others`) every phone number, e-mail address and postcode that is not the client's own."""
    return Redactor(Targets(identifiers), others=others)


class Redactor:
    def __init__(self, targets: Targets, *, others: bool):
        self.targets, self.others, self.context = targets, others, Context()

    def spans(self, text: str) -> list[Hit]:
        hits = self.targets.find(text, others=self.others, context=self.context)
        kept, end = [], -1
        for hit in hits:  # sorted by start: drop any that overlap one already kept
            if hit.start >= end:
                kept.append(hit)
                end = hit.end
        return kept


# --- identifiers of the referrals an output concerns --------------------------------------


def _referral_ids(concerning) -> object:
    """None (no referral), EVERY_REFERRAL.ids (None means all), a list of ids or a query."""
    if concerning is None:
        return []
    if isinstance(concerning, ReferralIds):
        return concerning
    if isinstance(concerning, models.Model):
        concerning = [concerning]
    ids: set[int] = set()
    for record in concerning:
        if record is None:
            continue
        if isinstance(record, ReferralIds):
            return record
        resolve = CONCERNS.get(record._meta.label_lower)
        if resolve is None:
            raise OutboundError(f"No outbound.concern_of() registered for {record._meta.label}")
        ids.update(i for i in resolve(record) if i is not None)
    return sorted(ids)


def identifiers_of(referrals, keep: Callable | None = None) -> Iterator[Identifier]:
    """Every registered source's identifiers for the referrals, merged in referral order."""
    if isinstance(referrals, list) and not referrals:
        return iter(())
    ids = referrals.ids if isinstance(referrals, ReferralIds) else referrals
    return heapq.merge(*(iter(source(ids, keep)) for source in SOURCES), key=lambda i: i.referral)


_TYPE_WORDS = frozenset(STREET_TYPES) | frozenset(_ABBREVIATIONS)
_PHONE_KINDS = frozenset({"phone", "address", "text"})  # the kinds _phones_in() can find a number in


def _keeper(index: "ContentIndex") -> Callable | None:
    """The cheapest test, for sources to run on each referral's raw (kind, value) pairs before
    anything is built. With no e-mail address or postcode in the content, a referral is kept
    only if it holds one of the content's phone numbers, or every word of one of its names or
    texts is there, or, for an address, a street type or a line's last word is (every street
    match needs one of those)."""
    if index.emails or index.postcodes:
        return None
    crude, phones = index.crude, index.phones
    vocabulary = _vocabulary()

    def keep(items) -> bool:
        for kind, value in items:
            if not value:
                continue
            # A number in the content (a money figure often reads as one) keeps only the
            # referrals holding that very number; the words are tested below as ever.
            if phones and kind in _PHONE_KINDS and not phones.isdisjoint(_phones_in(kind, value)):
                return True
            if kind == "address":
                for line in _LINES.split(value):
                    found = [w for w in _crude_words(line) if not w.isdigit()]
                    if found and any(w in crude for w in [found[-1], *(w for w in found if w in _TYPE_WORDS)]):
                        return True
                continue
            found = _crude_words(value)
            if kind in ("first_name", "last_name") and len(found) == 1 and found[0] in vocabulary:
                continue  # an ordinary word alone is never a finding
            if found and all(w in crude for w in found):
                return True
        return False

    return keep


# --- content: what the guard reads ---------------------------------------------------------


class _Sets(NamedTuple):
    """What the cheap tests read of some text, kept small: an export has millions of cells."""

    words: frozenset
    phones: frozenset
    emails: frozenset
    postcodes: frozenset
    crude: frozenset  # the words as _Group._crude() spells identifiers: street types abbreviated too


_EMPTY: frozenset = frozenset()


def _sets(found: list[Token]) -> _Sets:
    sets: dict[str, set] = {"word": set(), "phone": set(), "email": set(), "postcode": set()}
    for token in found:
        sets[token.kind].add(token.norm)
    frozen = [frozenset(sets[k]) if sets[k] else _EMPTY for k in ("word", "phone", "email", "postcode")]
    return _Sets(*frozen, _crude(frozen[0]))


@dataclass
class ContentIndex:
    """The content's tokens part by part, and the sets the cheap tests read (the whole
    content's, and each part's)."""

    parts: list[tuple[str, str, list[Token], _Sets]] = field(default_factory=list)
    words: set = field(default_factory=set)
    phones: set = field(default_factory=set)
    emails: set = field(default_factory=set)
    postcodes: set = field(default_factory=set)
    crude: set = field(default_factory=set)

    def add(self, where: str, text: str) -> None:
        found = tokens(text)
        if not found:
            return
        part = _sets(found)
        self.parts.append((where, text, found, part))
        self.words |= part.words
        self.phones |= part.phones
        self.emails |= part.emails
        self.postcodes |= part.postcodes
        self.crude |= part.crude


_CRUDE = str.maketrans({c: " " for c in ".,;:!?()[]{}<>\"/\\|-_+=*&^%$#@~`'’"})


def _crude_words(value: str) -> list[str]:
    """A value's words split in C, for the cheapest test; accents dropped as normalise_word does."""
    raw = value.replace("'", "").replace("’", "").translate(_CRUDE).casefold()
    if not raw.isascii():
        raw = "".join(c for c in unicodedata.normalize("NFKD", raw) if not unicodedata.combining(c))
    return raw.split()


def _crude(content_words) -> frozenset:
    """The content's words as _crude_words() spells an identifier: "road" is also "rd"."""
    abbreviated = [a for w in content_words for a in STREET_TYPES.get(w, ())]
    return frozenset(content_words).union(abbreviated) if abbreviated else frozenset(content_words)


class _Group:
    """One referral's identifiers, with cheap tests before anything is compiled: could any of
    them appear in the content at all?"""

    def __init__(self, identifiers: list[Identifier]):
        self.identifiers = identifiers
        self.third = [i for i in identifiers if i.whose != "client" and i.value]
        self.kinds = {i.kind for i in self.third}
        # Kinds a phone number, e-mail address or postcode in the content could match.
        self.contact = not self.kinds.isdisjoint(("phone", "email", "postcode", "address", "text"))
        self._crude_items = None
        self._trigger = None
        self._phrases = None
        self._phones = None
        self._targets = None

    @property
    def trigger(self) -> frozenset:
        """Words one of which must be in the content for any of these identifiers to be (house
        numbers aside): split in one call for the whole referral."""
        if self._trigger is None:
            found = _crude_words(" ".join(i.value for i in self.third if i.kind != "email"))
            # A phone number too short to read as one ("946 0000", dialled locally) is matched
            # as the numbers it is written in: each of them may be the word that finds it.
            found = [w for w in found if not w.isdigit() or len(w) >= 5]
            found += _crude_words(
                " ".join(i.value for i in self.third if i.kind == "phone" and not _usable_phone(i.value))
            )
            self._trigger = frozenset(found)
        return self._trigger

    def _prepare(self):
        items = []
        for identifier in self.third:
            kind = identifier.kind
            if kind == "email":
                continue
            found = _crude_words(identifier.value)
            if kind == "address":
                found = [w for w in found if not w.isdigit()]
            elif kind in ("first_name", "last_name") and len(found) == 1 and found[0] in _vocabulary():
                continue  # an ordinary word alone is never a finding
            if found:
                items.append((kind, found))
        self._crude_items = items

    def _crudely_there(self, crude) -> bool:
        """Every word of a name or text, or any word of an address, is in the content."""
        if crude.isdisjoint(self.trigger):
            return False
        if self._crude_items is None:
            self._prepare()
        for kind, found in self._crude_items:
            if kind == "address":
                if any(w in crude for w in found):
                    return True
            elif all(w in crude for w in found):
                return True
        return False

    @property
    def phrases(self) -> list[tuple[str, ...]]:
        """Every word sequence a match would need in full."""
        if self._phrases is None:
            found = []
            for identifier in self.third:
                if identifier.kind == "address":
                    found += streets(identifier.value)
                elif identifier.kind != "email":
                    phrase = words(identifier.value)
                    weak = identifier.kind in ("first_name", "last_name")
                    if phrase and not (weak and len(phrase) == 1 and phrase[0] in _vocabulary()):
                        found.append(phrase)
            self._phrases = found
        return self._phrases

    @property
    def phones(self) -> frozenset:
        """The phone numbers these identifiers are matched by (Targets.phones), without
        compiling the names, streets and texts."""
        if self._phones is None:
            self._phones = frozenset().union(*(_phones_in(i.kind, i.value) for i in self.third))
        return self._phones

    def could_appear(self, index) -> bool:
        kinds = self.kinds
        if not kinds:
            return False
        contact = not kinds.isdisjoint(("address", "text"))
        # A number in the content is a match only if it is one of these numbers: a report's
        # money figures read as phone numbers must not send every referral to the full search.
        if index.phones and ("phone" in kinds or contact) and not index.phones.isdisjoint(self.phones):
            return True
        if index.emails and ("email" in kinds or contact):
            return True
        if index.postcodes and ("postcode" in kinds or contact):
            return True
        if not self._crudely_there(index.crude):
            return False
        content_words = index.words
        return any(all(w in content_words for w in phrase) for phrase in self.phrases)

    @property
    def targets(self) -> Targets:
        if self._targets is None:
            self._targets = Targets(self.identifiers)
        return self._targets


class _PageText(HTMLParser):
    """The text of an HTML document, each piece with where it sits: the row label or column
    heading of its table, and the heading above it."""

    LABELS = {"th", "dt", "label", "legend", "caption"}
    HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6", "title"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[tuple[str, str]] = []
        self.stack: list[str] = []
        self.heading = ""
        self.row_label = ""
        self.columns: list[str] = []
        self.column = -1
        self.in_head = False
        self.capture = None  # [tag, text] while reading a heading or label

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self.stack.append(tag)
            return
        if tag == "thead":
            self.in_head, self.columns = True, []
        elif tag == "tbody":
            self.in_head = False
        elif tag == "tr":
            self.row_label, self.column = "", -1
        elif tag in ("td", "th"):
            self.column += 1
        if tag in self.HEADINGS or tag in self.LABELS:
            self.capture = [tag, ""]
        for name, value in attrs:
            if name in ("href", "title", "alt") and value:
                self.parts.append((self._where(f"a link ({name})"), value))

    def handle_endtag(self, tag):
        if self.stack and self.stack[-1] == tag:
            self.stack.pop()
            return
        if self.capture and self.capture[0] == tag:
            text = " ".join(self.capture[1].split())
            if tag in self.HEADINGS:
                self.heading, self.row_label = text, ""
            elif self.in_head and tag == "th":
                self.columns.append(text)
            else:
                self.row_label = text
            self.capture = None
        if tag == "thead":
            self.in_head = False

    def handle_data(self, data):
        if self.stack or not data.strip():
            return
        if self.capture is not None:
            self.capture[1] += data
        label = self.row_label
        if not label and not self.in_head and 0 <= self.column < len(self.columns):
            label = self.columns[self.column]
        self.parts.append((self._where(label), data))

    def _where(self, label):
        heading = self.heading
        if label and heading and label != heading:
            return f"in “{label}” under “{heading}”"
        if label or heading:
            return f"in “{label or heading}”"
        return ""


def html_parts(html_text: str) -> list[tuple[str, str]]:
    parser = _PageText()
    parser.feed(html_text)
    parser.close()
    return parser.parts


def text_parts(text: str, name: str = "") -> list[tuple[str, str]]:
    prefix = f"in {name}, " if name else ""
    return [(f"{prefix}on line {n}", line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]


def csv_parts(text: str, name: str = "") -> list[tuple[str, str]]:
    prefix = f"in {name}, " if name else ""
    rows = csv.reader(io.StringIO(text))
    header = next(rows, [])
    parts = [(f"{prefix}in the column headings", " ".join(header))]
    for n, row in enumerate(rows, 2):
        for column, cell in enumerate(row):
            if cell:
                heading = header[column] if column < len(header) else str(column + 1)
                parts.append((f"{prefix}in row {n}, column “{heading}”", cell))
    return parts


def calendar_parts(ics: str, name: str = "") -> list[tuple[str, str]]:
    # Long iCalendar lines are folded (CRLF and a space); unfold so no word is split.
    unfolded = re.sub(r"\r?\n[ \t]", "", ics)
    parts = []
    for line in unfolded.splitlines():
        prop, _, value = line.partition(":")
        if value:
            where = f"in the calendar invitation's {prop.split(';')[0].lower()}"
            parts.append((f"{where} ({name})" if name else where, value.replace("\\,", ",").replace("\\n", "\n")))
    return parts


def _auto_parts(text: str, name: str = "") -> list[tuple[str, str]]:
    stripped = text.lstrip()
    if stripped.startswith("BEGIN:VCALENDAR"):
        return calendar_parts(text, name)
    if stripped.startswith("<"):
        return [(f"{where} ({name})" if name else where, t) for where, t in html_parts(text)]
    return text_parts(text, name)


def email_parts(message) -> list[tuple[str, str]]:
    parts = [("in the e-mail's subject", str(message.subject)), ("in the e-mail's message", str(message.body))]
    for alternative in getattr(message, "alternatives", ()):
        content = alternative[0]
        parts += [(f"{w} (e-mail's HTML)", t) for w, t in html_parts(str(content))]
    for attachment in message.attachments:
        if not isinstance(attachment, tuple):
            raise OutboundError("Attach files to e-mail as (filename, content, mimetype), so the guard can read them")
        filename, content, mimetype = attachment
        if isinstance(content, str):
            name = f"the attachment “{filename}”"
            parts += (csv_parts if (mimetype or "").startswith("text/csv") else _auto_parts)(content, name)
        elif _digest(content) not in getattr(message, "eip_released_attachments", set()):
            raise OutboundError(f"Attach binary files through Released.attach_to(): {filename}")
    return parts


def _parts(content) -> list[tuple[str, str]]:
    from django.core.mail import EmailMessage

    if isinstance(content, EmailMessage):
        return email_parts(content)
    if isinstance(content, bytes):
        return _auto_parts(content.decode("utf-8", errors="replace"))
    if isinstance(content, str):
        return _auto_parts(content)
    if isinstance(content, list | tuple):
        return [(where, str(text)) for where, text in content]
    raise OutboundError(f"The guard cannot read {type(content).__name__}: give it the text the output is made from")


def _digest(data) -> str:
    return hashlib.sha256(data if isinstance(data, bytes) else str(data).encode()).hexdigest()


# --- the one function ------------------------------------------------------------------------


class KeyedRows:
    """Rows of a streamed export, each with the id of the referral it concerns, in referral
    order: each row is checked against its own referral's identifiers, a chunk at a time."""

    def __init__(self, columns: list[str], rows: Iterable[tuple[int | None, list]]):
        self.columns, self.rows = columns, rows


class KeyedBlocks:
    """A streamed export already written as CSV by the database (PostgreSQL's COPY), a referral
    at a time: (referral id, that referral's lines as text), in referral order. Each block is
    checked against its own referral's identifiers, and only read cell by cell when one of them
    could be in it."""

    def __init__(self, columns: list[str], blocks: Iterable[tuple[int, str]]):
        self.columns, self.blocks = columns, blocks


PRIME_ROWS = 1000  # rows checked before a stream starts, so an early refusal is a plain page


def outbound_release(*, content, audience: str, channel: str, concerning=(), user=None, label: str = ""):
    """Check `content` before it leaves for `audience` over `channel`; return a Released, or
    raise OutboundRefused (already audited, supervisors already alerted).

    content: the text the output is made from (HTML before it becomes a PDF, CSV, JSON,
    iCalendar), a list of (where, text), an EmailMessage, or KeyedRows for a streamed export.
    concerning: the records it is about (cases, referrals, placements, ...) or ReferralIds.
    """
    if audience not in AUDIENCES:
        raise OutboundError(f"Unknown audience {audience!r}")
    if channel not in CHANNELS:
        raise OutboundError(f"Unknown channel {channel!r}")
    must_check = AUDIENCES[audience][1] or channel in MESSAGE_CHANNELS
    facts = dict(audience=audience, channel=channel, user=user, label=label, concerning=concerning)
    if label in RESTRICTED_OUTPUTS:
        audiences, channels = RESTRICTED_OUTPUTS[label]
        if audience not in audiences or channel not in channels:
            who = " or ".join(sorted(AUDIENCES[a][0] for a in audiences))
            refuse(findings=[Finding(f"a document made only for {who} to download", "", "restricted")], **facts)
    if isinstance(content, KeyedRows):
        return _release_rows(content, must_check=must_check, **facts)
    if isinstance(content, KeyedBlocks):
        return _release_blocks(content, must_check=must_check, **facts)
    if not must_check:
        return Released(content, checked=False, **facts)
    findings = scan(_parts(content), _referral_ids(concerning))
    if findings:
        refuse(findings=findings, **facts)
    released = Released(content, checked=True, **facts)
    _stamp_message(content)
    return released


def scan(parts: list[tuple[str, str]], referrals) -> list[Finding]:
    """The findings in `parts`: every third-party identifier of the referrals that appears."""
    index = ContentIndex()
    for where, text in parts:
        index.add(where, text)
    if not index.parts or (isinstance(referrals, list) and not referrals):
        return []
    findings: dict[tuple[str, str], Finding] = {}
    context = Context().load()
    for referral, identifiers in itertools.groupby(identifiers_of(referrals, _keeper(index)), key=lambda i: i.referral):
        group = _Group(list(identifiers))
        if not group.could_appear(index) or not group.targets.might_match(index):
            continue
        targets = group.targets
        for where, text, found_tokens, part in index.parts:
            if not group.could_appear(part) or not targets.might_match(part):
                continue
            for hit in targets.find(text, found_tokens, context=context):
                if (hit.label, where) not in findings:
                    findings[hit.label, where] = Finding(hit.label, _safe_where(where, targets), hit.code, referral)
    return list(findings.values())


def _safe_where(where: str, targets: Targets) -> str:
    # A place is described by the document's own labels; never let one repeat a value.
    return "somewhere in the document" if targets.find(where) else where


def _stamp_message(content) -> None:
    from django.core.mail import EmailMessage

    if isinstance(content, EmailMessage):
        content.eip_outbound_released = _message_digest(content)


def _message_digest(message) -> str:
    pieces = [str(message.subject), str(message.body), *(str(a[0]) for a in getattr(message, "alternatives", ()))]
    pieces += [f"{a[0]}:{_digest(a[1])}" if isinstance(a, tuple) else repr(a) for a in message.attachments]
    pieces += list(message.to) + list(message.cc) + list(message.bcc)
    return _digest("\x00".join(pieces))


def _release_rows(rows: KeyedRows, *, must_check, **facts):
    """Check a streamed export row by row against each row's own referral, merging the sorted
    rows with the sorted identifiers: one pass, constant memory, no query per row."""
    return _release_stream(
        rows.columns, rows.rows, check=_RowChecker.check, stopped=lambda text: [text], must_check=must_check, **facts
    )


def _release_blocks(blocks: KeyedBlocks, *, must_check, **facts):
    """As _release_rows, for CSV text a referral at a time: the same checks, the same refusal."""
    return _release_stream(
        blocks.columns,
        blocks.blocks,
        check=_RowChecker.check_block,
        stopped=lambda text: spreadsheets.csv_line([text]),
        must_check=must_check,
        **facts,
    )


def _release_stream(columns, keyed_items, *, check, stopped, must_check, **facts):
    """(referral id, item) pairs in referral order, each checked by `check` as it streams; the
    first PRIME_ROWS rows before the file starts, so an early refusal is a plain page. A
    refusal later ends the file with `stopped(the reason)`."""
    if not must_check:
        return Released((item for _, item in keyed_items), checked=False, **facts)
    checker = _RowChecker(columns)
    source = iter(keyed_items)
    primed = []
    try:
        while checker.row <= PRIME_ROWS and (keyed := next(source, None)) is not None:
            finding = check(checker, *keyed)
            if finding:
                refuse(findings=[finding], **facts)
            primed.append(keyed[1])
    except BaseException:
        _close(source, checker)
        raise

    def stream():
        try:
            yield from primed
            for key, item in source:
                finding = check(checker, key, item)
                if finding:
                    try:
                        refuse(findings=[finding], **facts)
                    except OutboundRefused as refused:
                        # The file has started: what was sent was checked; it ends with the reason.
                        yield stopped(
                            f"# EXPORT STOPPED by the outbound guard: {refused.explanation()[0]}. "
                            "Nothing after this line was sent. Supervisors have been told."
                        )
                    return
                yield item
        finally:
            _close(source, checker)

    return Released(stream(), checked=True, **facts)


def _close(source, checker):
    # Close the database cursors now, inside the transaction that opened them.
    getattr(source, "close", lambda: None)()
    getattr(checker.identifiers, "close", lambda: None)()


def _cell(text: str) -> _Sets | None:
    found = tokens(text)
    return _sets(found) if found else None


class _RowChecker:
    CACHE = 10_000  # distinct cells remembered; cleared when full, so memory stays flat

    def __init__(self, columns):
        self.columns = columns
        self.context = Context().load()
        self.identifiers = identifiers_of(EVERY_REFERRAL)
        self.pending = next(self.identifiers, None)
        self.key = None
        self.group = None
        self.clean: set = set()
        self.cells: dict = {}
        self.row = 1

    def _advance(self, key):
        if self.key is not None and key < self.key:
            raise OutboundError("Rows given to the guard must be in referral order")
        found = []
        while self.pending is not None and self.pending.referral <= key:
            if self.pending.referral == key:
                found.append(self.pending)
            self.pending = next(self.identifiers, None)
        self.key, self.group, self.clean = key, _Group(found), set()

    def check(self, key, row) -> Finding | None:
        self.row += 1
        if key is None:
            return None
        if key != self.key:
            self._advance(key)
        if not self.group.kinds:
            return None
        # Whole numbers shorter than a phone number are never a name, street or phone number.
        values = [c for c in row if type(c) is str or (c is not None and (type(c) is not int or abs(c) >= 10**9))]
        if self.clean.issuperset(values):  # every value already checked for this referral
            return None
        for column, cell in enumerate(row):
            hits = self._hits(cell)
            if hits:
                heading = self.columns[column] if column < len(self.columns) else str(column + 1)
                return Finding(hits[0].label, f"in row {self.row}, column “{heading}”", hits[0].code, self.key)
        return None

    def _hits(self, cell) -> list:
        """This referral's identifiers found in one value ([] for none; a clean value is
        remembered for the rest of the referral's rows)."""
        if cell in self.clean or cell is None or cell == "" or type(cell) is bool:
            return []
        if type(cell) is int and -(10**9) < cell < 10**9:
            return []
        group = self.group
        try:
            quick = self.cells[cell]  # what a value holds is the same on every row: remembered
        except KeyError:
            if len(self.cells) >= self.CACHE:
                self.cells.clear()
            text = str(cell)
            quick = self.cells[cell] = _Quick(frozenset(_crude_words(text)), bool(_CONTACT.search(text)))
        if quick.crude.isdisjoint(group.trigger) and not (quick.contact and group.contact):
            self.clean.add(cell)
            return []
        index = _cell(str(cell))
        if index is not None and group.could_appear(index) and group.targets.might_match(index):
            hits = group.targets.find(str(cell), context=self.context)
            if hits:
                return hits
        self.clean.add(cell)
        return []

    def check_block(self, key, text: str) -> Finding | None:
        """A referral's rows as CSV text: each distinct value is checked once, as check() checks
        it; only a block where something is found (or whose quoted cells may hold a comma or a
        line break) is read again row by row, to say where."""
        if key != self.key:
            self._advance(key)
        first = self.row
        self.row += text.count("\n")
        if not self.group.kinds:
            return None
        if '"' not in text and not any(self._hits(cell) for cell in set(text.replace("\r\n", ",").split(","))):
            return None
        self.row = first
        for row in csv.reader(io.StringIO(text)):
            finding = self.check(key, row)
            if finding:
                return finding
        return None


class _Quick(NamedTuple):
    """A value's words split in C, and whether it may hold a phone number, e-mail address or
    postcode: all the row check needs for most values, without tokenising them."""

    crude: frozenset
    contact: bool


# A superset of what tokens() reads as a phone number, e-mail address or postcode.
_CONTACT = re.compile(
    r"@|\d(?:[ \t.()\-]{0,3}\d){9}|(?<![^\W_])[A-Za-z]{1,2}\d[A-Za-z\d]?[ \t]?\d[A-Za-z]{2}(?![^\W_])"
)


# --- refusing -------------------------------------------------------------------------------


def refuse(*, findings, audience, channel, user=None, label="", concerning=()):
    """Audit the refusal, alert the supervisors (without the values), and raise."""
    from django.urls import reverse

    from eip.audit.models import AuditEvent
    from eip.audit.services import audit_record
    from eip.people.models import Role, User

    refused = OutboundRefused(findings=findings, label=label, audience=audience, channel=channel)
    record = concerning if isinstance(concerning, models.Model) else None
    if record is None and isinstance(concerning, list | tuple) and len(concerning) == 1:
        record = concerning[0] if isinstance(concerning[0], models.Model) else None
    what = sorted({f.what for f in findings})
    audit_record(
        actor=user,
        action=AuditEvent.Action.OUTBOUND_REFUSED,
        record=record,
        label="" if record is not None else f"Outbound: {label}"[:200],
        detail={
            "document": label,
            "audience": audience,
            "channel": channel,
            "found": refused.explanation()[:20],
            "referrals": sorted({f.referral for f in findings if f.referral})[:20],
        },
    )
    if label != ALERT_LABEL:  # an alert that is itself refused alerts no one again
        about = f" on {record.audit_label()}" if record is not None and hasattr(record, "audit_label") else ""
        who = f", asked for by {user.full_name} ({user.role_label})" if getattr(user, "role", "") else ""
        # One alert a day for the same document, record and findings: a message refused for
        # each of its eight recipients is one thing for supervisors to look at, not eight.
        key = _digest(f"{label}|{about}|{'|'.join(what)}|{date.today()}")[:32]
        _refusal_alert_send(
            recipients=User.objects.filter(role=Role.SUPERVISOR, is_active=True),
            kind="outbound.refused",
            key=f"outbound-refused:{key}",
            subject=record,
            link=f"{reverse('audit-log')}?action={AuditEvent.Action.OUTBOUND_REFUSED}",
            message=f"EIP refused to release {label or 'an output'}{about} for {AUDIENCES[audience][0]} "
            f"by {channel}{who}: it contained {', '.join(what)}. Nothing was released. "
            "The audit log says where.",
        )
    raise refused


ALERT_LABEL = "a supervisors' alert"

# How a refusal reaches the supervisors. eip.notifications sends its e-mails through this guard,
# so it registers its sender here (NotificationsConfig.ready()) instead of the guard importing it.
_refusal_alert_senders: list[Callable[..., object]] = []


def refusal_alerts_send_with(send: Callable[..., object]) -> None:
    """Declare `send(*, recipients, kind, key, subject, link, message)`, which tells supervisors."""
    _refusal_alert_senders[:] = [send]


def _refusal_alert_send(**alert) -> None:
    for send in _refusal_alert_senders:
        send(**alert)


# --- what a release gives the caller ----------------------------------------------------------

_RELEASED = "eip_outbound_released"


class Released:
    """Content the guard let through, and the only way to build a file response or attach a
    binary file to an e-mail (the middleware and the e-mail backend refuse anything else)."""

    def __init__(self, content, *, checked, audience, channel, user=None, label="", concerning=()):
        self.content, self.checked = content, checked
        self.audience, self.channel, self.label = audience, channel, label

    def _stamp(self, response):
        setattr(response, _RELEASED, True)
        return response

    def response(self, body=None, *, content_type: str, filename: str | None = None):
        from django.http import HttpResponse

        response = HttpResponse(self.content if body is None else body, content_type=content_type)
        if filename:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return self._stamp(response)

    def streaming_response(self, chunks, *, content_type: str, filename: str):
        from django.http import StreamingHttpResponse

        response = StreamingHttpResponse(chunks, content_type=content_type)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return self._stamp(response)

    def file_response(self, fileobj, *, filename: str):
        from django.http import FileResponse

        return self._stamp(FileResponse(fileobj, as_attachment=True, filename=filename))

    def document_response(self, document, *, download_name: str):
        """A stored upload, served by the type its bytes show (eip.uploads), always as a download."""
        from eip.uploads import document_response

        return self._stamp(document_response(document, download_name=download_name))

    def attach_to(self, message, filename: str, data: bytes, mimetype: str) -> None:
        """Attach a binary file (a PDF) made from this released content to an e-mail."""
        if self.channel not in MESSAGE_CHANNELS:
            raise OutboundError("Release the attachment's content for the e-mail channel")
        if not hasattr(message, "eip_released_attachments"):
            message.eip_released_attachments = set()
        message.eip_released_attachments.add(_digest(data))
        message.attach(filename, data, mimetype)


def is_released(response) -> bool:
    return bool(getattr(response, _RELEASED, False))


_STATUS_ONLY = "_eip_status_only"


def status_answer(response):
    """Mark an answer made only of fixed status words (the health checks a load balancer
    reads): it is about no one, so it is not a document the guard must release."""
    setattr(response, _STATUS_ONLY, True)
    return response


# --- enforcement --------------------------------------------------------------------------------

PAGE_TYPES = frozenset({"text/html"})


def is_output(response) -> bool:
    """A file or document rather than a page: a download, or any successful non-HTML answer
    (but not a status answer for load balancers, see status_answer())."""
    if getattr(response, _STATUS_ONLY, False):
        return False
    if response.has_header("Content-Disposition"):
        return True
    if not 200 <= response.status_code < 300:
        return False
    content_type = response.get("Content-Type", "text/html").split(";")[0].strip().lower()
    return content_type not in PAGE_TYPES


class OutboundMiddleware:
    """Shows a refusal as a plain page, and refuses any file response that did not come from
    the guard: a new download view that forgets it fails in the URL x role test."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        # The admin site's own scripts and lookups are screens, not documents.
        if is_output(response) and not is_released(response) and not (match and match.app_name == "admin"):
            raise OutboundError(f"{request.path} answered with a file that did not pass outbound_release()")
        return response

    def process_exception(self, request, exception):
        if not isinstance(exception, OutboundRefused):
            return None
        from django.shortcuts import render

        return render(
            request,
            "outbound_refused.html",
            {"refused": exception, "found": exception.explanation()},
            status=403,
        )


class ReleasedOnlyEmailBackend(BaseEmailBackend):
    """Sends, through the configured transport (EIP_EMAIL_TRANSPORT), only messages the guard
    released and that have not changed since. Anything else is a programming error."""

    def __init__(self, fail_silently=False, **kwargs):
        from django.conf import settings
        from django.core.mail import get_connection

        super().__init__(fail_silently=fail_silently)
        self.transport = get_connection(settings.EIP_EMAIL_TRANSPORT, fail_silently=fail_silently, **kwargs)

    def open(self):
        return self.transport.open()

    def close(self):
        return self.transport.close()

    def send_messages(self, email_messages):
        for message in email_messages:
            if getattr(message, _RELEASED, None) != _message_digest(message):
                raise OutboundError(
                    "An e-mail was sent without passing outbound_release(), or changed after it: "
                    f"{str(message.subject)[:60]!r}"
                )
        return self.transport.send_messages(email_messages)
