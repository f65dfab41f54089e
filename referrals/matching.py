"""Finding the person a new referral is about among the people already known.

Two steps. Blocking: each person has short hashed keys (name sounds with a birth year, the
pair of name sounds, the date of birth, phone, postcode) in an indexed table, and a referral's
own keys (with the usual typo variants of its date of birth) pick at most a few dozen
candidates, however many people are on record. Scoring: each candidate is compared with
every name, date of birth, phone and postcode it has been referred under, and the reasons
are kept in words a practitioner can check."""

import functools
import hashlib
import re
import unicodedata
from dataclasses import dataclass
from datetime import date

import jellyfish
import phonenumbers
from django.db import transaction
from django.db.models import Count
from rapidfuzz.distance import JaroWinkler

from .models import Person, PersonMatchKey, Referral

CANDIDATES = 25  # persons scored per referral, the most keys shared first
SHOWN = 8  # candidates shown to the practitioner
SHOWN_FROM = 35  # below this score a candidate is not worth a practitioner's time

# Common transliterations of one name; each group is compared as one spelling.
_VARIANTS = [
    "muhammad mohammed mohammad mohamed mohamad muhammed mohammod muhamad mehmet mahomed",
    "ahmed ahmad ahmet",
    "hussain hussein husain husein hossain",
    "hassan hasan",
    "yusuf yousef youssef yusef yosef joseph",
    "ibrahim ebrahim ibraheem",
    "omar umar",
    "osman usman uthman othman",
    "abdul abdoul abdool",
    "abdullah abdulla abdallah",
    "mustafa mostafa mustapha",
    "khalid khaled",
    "mahmoud mahmood mahmud",
    "ali aly",
    "fatima fatimah fatma",
    "aisha ayesha aysha aishah",
    "zainab zaynab zeinab",
    "alexander aleksandr oleksandr alexandr aleksander",
    "sergei sergey serhiy",
    "dmitri dmitry dmytro",
    "yuri yury yuriy iurii",
    "mykola nikolai nikolay",
    "olena elena yelena",
    "andrii andriy andrei andrey",
    "volodymyr vladimir",
    "mikhail mykhailo michael",
    "oleksii aleksei alexei alexey",
    "tetiana tatiana tatyana",
    "natalia nataliya natalya",
    "iryna irina",
    "mohammed-ali muhammad-ali",
]
_CANONICAL = {spelling: group.split()[0] for group in _VARIANTS for spelling in group.split()}


@functools.lru_cache(maxsize=20_000)
def fold(text: str) -> str:
    """Lower case, accents dropped, apostrophes gone, any other non-letter a space."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’`]", "", text)
    return " ".join(re.sub(r"[^a-z]+", " ", text).split())


@functools.lru_cache(maxsize=20_000)
def name_parts(text: str) -> tuple[str, ...]:
    """The parts of a name: 'Smith-Jones' and 'Smith Jones' are both ('smith', 'jones')."""
    return tuple(fold(text).split())


def canonical(part: str) -> str:
    return _CANONICAL.get(part, part)


@functools.lru_cache(maxsize=20_000)
def sound(part: str) -> str:
    return jellyfish.metaphone(canonical(part)) or part


@functools.lru_cache(maxsize=20_000)
def phone_normalised(raw: str) -> str:
    """A UK phone number as +44…, so '07700 900123' and '+44 7700 900123' agree."""
    raw = (raw or "").strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "GB")
    except phonenumbers.NumberParseException:
        return re.sub(r"\D", "", raw)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def postcode_normalised(raw: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (raw or "").upper())


def _hashed(key: str) -> str:
    # Keys identify people only to someone who already knows the details: stored hashed.
    return hashlib.blake2b(key.encode(), digest_size=10).hexdigest()


@dataclass(frozen=True)
class Identity:
    """One way a person has been described: a name, a date of birth, contact details."""

    first_name: str = ""
    last_name: str = ""
    date_of_birth: date | None = None
    phone: str = ""
    postcode: str = ""


def _dob_variants(dob: date) -> set[date]:
    """The dates a typist may have meant: day and month swapped, the year one either side."""
    found = {dob}
    for day, month, year in ((dob.month, dob.day, dob.year), (dob.day, dob.month, dob.year - 1)):
        found |= _valid(year, month, day)
    found |= _valid(dob.year + 1, dob.month, dob.day)
    return found


def _valid(year, month, day) -> set[date]:
    try:
        return {date(year, month, day)}
    except ValueError:
        return set()


def identity_keys(identity: Identity, *, searching: bool = False) -> set[str]:
    """The blocking keys of one identity. A search (`searching`) widens the birth year and the
    date of birth to their typo variants; what is stored keeps the exact values."""
    firsts, lasts = name_parts(identity.first_name), name_parts(identity.last_name)
    dob = identity.date_of_birth
    keys = set()
    years = [None]
    if dob:
        years = [dob.year - 1, dob.year, dob.year + 1] if searching else [dob.year]
        for day in _dob_variants(dob) if searching else {dob}:
            keys.add(f"dob:{day.isoformat()}")
    for part in firsts + lasts:
        for year in years:
            if year:
                keys.add(f"sound:{sound(part)}:{year}")
                keys.add(f"soundex:{jellyfish.soundex(part)}:{year}")
    for first in firsts[:1]:
        for last in lasts:
            keys.add("names:" + ":".join(sorted((sound(first), sound(last)))))
    if phone := phone_normalised(identity.phone):
        keys.add(f"phone:{phone}")
    if postcode := postcode_normalised(identity.postcode):
        keys.add(f"postcode:{postcode}")
    return {_hashed(key) for key in keys}


def referral_identity(referral: Referral) -> Identity:
    return Identity(
        first_name=referral.client_first_name,
        last_name=referral.client_last_name,
        date_of_birth=referral.client_date_of_birth,
        phone=referral.client_phone,
        postcode=referral.client_postcode,
    )


_IDENTITY_FIELDS = ("client_first_name", "client_last_name", "client_date_of_birth", "client_phone", "client_postcode")


def _identities(person: Person, referral_rows) -> list[Identity]:
    found = [Identity(person.first_name, person.last_name, person.date_of_birth)]
    found += [Identity(*row) for row in referral_rows]
    return found


@transaction.atomic
def person_match_keys_refresh(*, person: Person) -> None:
    """Store the keys of every way this person has been described (their record and the
    referrals linked to them). Called whenever a referral is linked or people are merged."""
    rows = Referral.objects.filter(person=person, anonymised_at__isnull=True).values_list(*_IDENTITY_FIELDS)
    keys = set()
    for identity in _identities(person, rows):
        keys |= identity_keys(identity)
    PersonMatchKey.objects.filter(person=person).delete()
    PersonMatchKey.objects.bulk_create([PersonMatchKey(person=person, key=key) for key in sorted(keys)])


# --- scoring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonMatch:
    person: Person
    score: int
    reasons: tuple[str, ...]
    against: tuple[str, ...] = ()

    @property
    def strength(self) -> str:
        return "Strong match" if self.score >= 75 else "Possible match" if self.score >= 50 else "Weak match"


@functools.lru_cache(maxsize=20_000)
def _part_likeness(a: str, b: str) -> tuple[float, str]:
    """How alike two name parts are, and why, best first."""
    if a == b:
        return 1.0, "same"
    if canonical(a) == canonical(b):
        return 0.95, "variant"
    if sound(a) == sound(b) or jellyfish.nysiis(a) == jellyfish.nysiis(b):
        return 0.9, "sounds"
    similarity = JaroWinkler.similarity(a, b)
    if similarity >= 0.88:
        return 0.85 * similarity, "spelled"
    return 0.4 * similarity, ""


@functools.lru_cache(maxsize=20_000)
def _name_likeness(typed: str, known: str) -> tuple[float, str]:
    """Whole names compared, and part by part so that a double-barrelled surname matches either half."""
    a, b = name_parts(typed), name_parts(known)
    if not a or not b:
        return 0.0, ""
    whole = _part_likeness("".join(a), "".join(b))
    if whole[0] >= 0.85:
        return whole
    best = max(((_part_likeness(x, y), x, y) for x in a for y in b), key=lambda t: t[0][0])
    (likeness, why), _, _ = best
    if likeness >= 0.85 and (len(a) > 1 or len(b) > 1):
        return 0.85, "part"
    return max(whole, (likeness, why), key=lambda t: t[0])


_FIRST_REASONS = {
    "same": "same first name",
    "variant": "first name is another spelling of the same name",
    "sounds": "first name sounds the same",
    "spelled": "first name spelled similarly",
    "part": "shares a first name",
}
_LAST_REASONS = {
    "same": "same surname",
    "variant": "surname is another spelling of the same name",
    "sounds": "surname sounds the same",
    "spelled": "surname spelled similarly",
    "part": "shares part of a double-barrelled surname",
}


def _names(typed: Identity, known: Identity) -> tuple[float, list[str], list[str]]:
    """Likeness of two names in 0..2 (first name and surname), reasons for and against."""
    first, first_why = _name_likeness(typed.first_name, known.first_name)
    last, last_why = _name_likeness(typed.last_name, known.last_name)
    swapped_first, swapped_first_why = _name_likeness(typed.first_name, known.last_name)
    swapped_last, swapped_last_why = _name_likeness(typed.last_name, known.first_name)
    if swapped_first + swapped_last > first + last + 0.2:
        reasons = ["first name and surname swapped"]
        reasons += [_FIRST_REASONS[swapped_last_why]] if swapped_last_why not in ("", "same") else []
        reasons += [_LAST_REASONS[swapped_first_why]] if swapped_first_why not in ("", "same") else []
        first, first_why, last, last_why = swapped_last, swapped_last_why, swapped_first, swapped_first_why
        first, last = 0.95 * first, 0.95 * last
    else:
        reasons = [_FIRST_REASONS[first_why]] if first_why else []
        reasons += [_LAST_REASONS[last_why]] if last_why else []
        if first_why == "same" and last_why == "same":
            reasons = ["same name"]
    against = []
    if not first_why and name_parts(typed.first_name) and name_parts(known.first_name):
        against.append(f"different first name ({known.first_name})")
    if not last_why and name_parts(typed.last_name) and name_parts(known.last_name):
        against.append(f"different surname ({known.last_name})")
    return first + last, reasons, against


def _dates(typed: date | None, known: date | None) -> tuple[float, str, str]:
    """Likeness of two dates of birth in -1..1, the reason for, or the reason against."""
    if not typed or not known:
        return 0.0, "", ""
    if typed == known:
        return 1.0, "same date of birth", ""
    if typed.day == known.month and typed.month == known.day and typed.year == known.year:
        return 0.8, "date of birth with day and month swapped", ""
    if (typed.day, typed.month) == (known.day, known.month) and abs(typed.year - known.year) == 1:
        return 0.7, "date of birth a year out", ""
    a, b = typed.strftime("%d%m%Y"), known.strftime("%d%m%Y")
    differ = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(differ) == 1:
        return 0.7, "date of birth one digit different", ""
    if (
        len(differ) == 2
        and differ[1] == differ[0] + 1
        and a[differ[0]] == b[differ[1]]
        and a[differ[1]] == b[differ[0]]
    ):
        return 0.7, "date of birth with two digits swapped", ""
    return -1.0, "", f"different date of birth ({known:%-d %B %Y})"


def _score(typed: Identity, known: Identity) -> tuple[float, list[str], list[str]]:
    names, reasons, against = _names(typed, known)
    dob, dob_for, dob_against = _dates(typed.date_of_birth, known.date_of_birth)
    against += [dob_against] if dob_against else []
    if dob_for:
        reasons.append(dob_for)
    # Names weigh up to 60, the date of birth 30 (or 30 against), contact details 25 and 10.
    score = 30 * names + 30 * dob
    phone = phone_normalised(typed.phone)
    if phone and phone == phone_normalised(known.phone):
        score += 25
        reasons.append("same phone")
    postcode = postcode_normalised(typed.postcode)
    if postcode and postcode == postcode_normalised(known.postcode):
        score += 10
        reasons.append("same postcode")
    return score, reasons, against


def _best(typed: Identity, identities: list[Identity]) -> tuple[float, list[str], list[str]]:
    """A person described several ways is as close as the closest description, and their
    contact details count from any of them."""
    scored = [_score(typed, known) for known in identities]
    score, reasons, against = max(scored, key=lambda s: s[0])
    for reason, weight in (("same phone", 25), ("same postcode", 10)):
        if reason not in reasons and any(reason in other[1] for other in scored):
            score += weight
            reasons.append(reason)
    return score, reasons, against


def person_candidates(*, identity: Identity, borough_id=None, exclude_person_id=None) -> list[PersonMatch]:
    """People already known who may be `identity`, most likely first, with the reasons."""
    keys = identity_keys(identity, searching=True)
    if not keys:
        return []
    blocked = (
        PersonMatchKey.objects.filter(key__in=keys)
        .values("person_id")
        .annotate(shared=Count("key"))
        .order_by("-shared", "person_id")
        .values_list("person_id", flat=True)[:CANDIDATES]
    )
    ids = set(blocked)
    ids.discard(exclude_person_id)
    if not ids:
        return []
    people = Person.objects.filter(pk__in=ids).select_related("borough")
    rows = {}
    for person_id, *identity_row in Referral.objects.filter(person_id__in=ids, anonymised_at__isnull=True).values_list(
        "person_id", *_IDENTITY_FIELDS
    ):
        rows.setdefault(person_id, []).append(identity_row)
    matches = []
    for person in people:
        score, reasons, against = _best(identity, _identities(person, rows.get(person.pk, [])))
        if borough_id and person.borough_id == borough_id:
            score += 3
            reasons.append("same borough")
        score = max(0, min(100, round(score)))
        if score >= SHOWN_FROM:
            matches.append(PersonMatch(person, score, tuple(reasons), tuple(against)))
    matches.sort(key=lambda m: (-m.score, m.person.pk))
    return matches[:SHOWN]


def person_matches_for_referral(*, referral: Referral) -> list[PersonMatch]:
    return person_candidates(
        identity=referral_identity(referral), borough_id=referral.borough_id, exclude_person_id=referral.person_id
    )
