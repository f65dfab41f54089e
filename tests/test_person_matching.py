"""Finding the person a referral is about: a hand-made set of pairs.

Each true pair is a person already known and a new referral describing the same person the
way referrals really arrive (transliterated, names swapped, a double-barrelled surname
halved, a date of birth mistyped, only a phone). Each near miss is a different person who
looks alike (father and son with one name, twins, a common name). The whole population is
on record at once, so every probe competes with every look-alike."""

from datetime import date

import pytest

from referrals import matching
from referrals.matching import Identity
from referrals.models import Person, PersonMatchKey, Referral
from tests.factories import BoroughFactory, UserFactory

pytestmark = pytest.mark.django_db

KNOWN = {
    "khan": Identity("Mohammed", "Khan", date(1990, 4, 12), "07700 900001", "E1 6AN"),
    "obrien": Identity("Katherine", "O'Brien", date(1985, 11, 3)),
    "petrov": Identity("Aleksandr", "Petrov", date(1979, 2, 27)),
    "kovalenko": Identity("Olena", "Kovalenko", date(1992, 7, 19)),
    "smith_jones": Identity("Daniel", "Smith-Jones", date(1988, 1, 30)),
    "okafor": Identity("Amara", "Okafor", date(1995, 9, 9), "020 7946 0011"),
    "williams_father": Identity("John", "Williams", date(1960, 5, 5), "07700 900777", "SE15 4QJ"),
    "williams_son": Identity("John", "Williams", date(1986, 8, 21), "", "SE15 4QJ"),
    "zhang": Identity("Wei", "Zhang", date(1983, 3, 14)),
    "murphy": Identity("Siobhan", "Murphy", date(1991, 12, 1)),
    "clarke": Identity("Stephen", "Clarke", date(1975, 6, 15)),
    "ali": Identity("Yusuf", "Ali", date(2000, 10, 10)),
    "fairweather": Identity("Lucy", "Fairweather-Brown", date(1993, 4, 4)),
    "hussain": Identity("Ahmed", "Hussain", date(1984, 8, 8), "", "N15 5AA"),
    "novak_adam": Identity("Adam", "Novak", date(1990, 1, 1), "", "E2 7DJ"),
    "novak_aaron": Identity("Aaron", "Novak", date(1990, 1, 1), "", "E2 7DJ"),
    "byrne": Identity("Sean", "Byrne", date(1982, 2, 2)),
    "nguyen": Identity("Van An", "Nguyen", date(1987, 5, 20)),
    "shevchenko": Identity("Tetiana", "Shevchenko", date(1989, 9, 30)),
    "adeyemi": Identity("Grace", "Adeyemi", date(1994, 3, 3), "07911 123456"),
    "brown_1970": Identity("Michael", "Brown", date(1970, 7, 7)),
    "brown_1971": Identity("Michael", "Brown", date(1971, 12, 25)),
    "davies": Identity("Chloe", "Davies", date(1998, 6, 6)),
    "wilson": Identity("Emma", "Wilson", date(1980, 10, 20), "", "NW1 0AA"),
    "begum": Identity("Fatima", "Begum", date(1986, 2, 14)),
    # Others on record, alike in one way or another to someone above.
    "khan_other": Identity("Imran", "Khan", date(1990, 4, 21)),
    "jones": Identity("Daniel", "Jones", date(1969, 3, 1)),
    "patel": Identity("Raj", "Patel", date(1978, 11, 11), "07700 900002"),
    "obrien_sister": Identity("Kathleen", "O'Brien", date(1987, 2, 9)),
    "petrova": Identity("Anna", "Petrova", date(1979, 2, 27)),
    "ali_other": Identity("Ali", "Yusuf", date(1965, 3, 3)),
}

# probe, the person it is, reasons that must be shown
TRUE = [
    (
        Identity("Muhammad", "Khan", date(1990, 4, 12)),
        "khan",
        ["first name is another spelling", "same surname", "same date of birth"],
    ),
    (Identity("Mohamed", "Khan", date(1990, 4, 12)), "khan", ["first name is another spelling", "same date of birth"]),
    (Identity("Khan", "Mohammed", date(1990, 4, 12)), "khan", ["first name and surname swapped", "same date of birth"]),
    (Identity("Mohammed", "Khan", date(1990, 12, 4)), "khan", ["same name", "day and month swapped"]),
    (Identity("Mohammad", "Khan", None, "+44 7700 900001"), "khan", ["first name is another spelling", "same phone"]),
    (
        Identity("Catherine", "O'Brien", date(1985, 11, 3)),
        "obrien",
        ["first name sounds the same", "same date of birth"],
    ),
    (Identity("Katherine", "OBrien", date(1985, 11, 3)), "obrien", ["same name", "same date of birth"]),
    (Identity("Alexander", "Petrov", date(1979, 2, 27)), "petrov", ["first name is another spelling", "same surname"]),
    (
        Identity("Oleksandr", "Petrov", date(1979, 2, 28)),
        "petrov",
        ["first name is another spelling", "one digit different"],
    ),
    (
        Identity("Elena", "Kovalenko", date(1992, 7, 19)),
        "kovalenko",
        ["first name is another spelling", "same date of birth"],
    ),
    (Identity("Olena", "Kovalenko", date(1993, 7, 19)), "kovalenko", ["same name", "a year out"]),
    (Identity("Daniel", "Jones", date(1988, 1, 30)), "smith_jones", ["double-barrelled surname", "same date of birth"]),
    (Identity("Daniel", "Smith", date(1988, 1, 30)), "smith_jones", ["double-barrelled surname", "same date of birth"]),
    (Identity("Daniel", "Smith Jones", date(1988, 1, 30)), "smith_jones", ["same name", "same date of birth"]),
    (Identity("Amara", "Okafor", None, "+44 20 7946 0011"), "okafor", ["same name", "same phone"]),
    (Identity("Amarah", "Okafor", date(1995, 9, 9)), "okafor", ["same surname", "same date of birth"]),
    (Identity("Zhang", "Wei", date(1983, 3, 14)), "zhang", ["first name and surname swapped", "same date of birth"]),
    (Identity("Shevchenko", "Tatiana", date(1989, 9, 30)), "shevchenko", ["swapped", "another spelling"]),
    (Identity("Tatiana", "Shevchenko", date(1989, 9, 30)), "shevchenko", ["first name is another spelling"]),
    (Identity("Siobhan", "Murphy", date(1991, 1, 12)), "murphy", ["same name", "day and month swapped"]),
    (Identity("Steven", "Clarke", date(1975, 6, 15)), "clarke", ["first name sounds the same", "same date of birth"]),
    (Identity("Stephen", "Clark", date(1975, 6, 15)), "clarke", ["surname sounds the same", "same date of birth"]),
    (Identity("Stephen", "Clarke", date(1976, 6, 15)), "clarke", ["same name", "a year out"]),
    (Identity("Yousef", "Ali", date(2000, 10, 10)), "ali", ["first name is another spelling", "same surname"]),
    (Identity("Yusuf", "Aly", date(2000, 10, 10)), "ali", ["surname is another spelling", "same date of birth"]),
    (Identity("Lucy", "Brown", date(1993, 4, 4)), "fairweather", ["double-barrelled surname", "same date of birth"]),
    (Identity("Lucy", "Fairweather", date(1993, 4, 4)), "fairweather", ["double-barrelled surname"]),
    (
        Identity("Ahmad", "Hussein", date(1984, 8, 8)),
        "hussain",
        ["first name is another spelling", "surname is another spelling"],
    ),
    (Identity("Ahmed", "Hussain", None, "", "n155aa"), "hussain", ["same name", "same postcode"]),
    (Identity("Shaun", "Byrne", date(1982, 2, 2)), "byrne", ["first name sounds the same", "same date of birth"]),
    (Identity("Sean", "Burne", date(1982, 2, 2)), "byrne", ["surname sounds the same", "same date of birth"]),
    (Identity("An", "Nguyen", date(1987, 5, 20)), "nguyen", ["shares a first name", "same surname"]),
    (Identity("Grace", "Adeyemi", date(1994, 3, 8), "07911123456"), "adeyemi", ["one digit different", "same phone"]),
    (Identity("Emma", "Wilson", date(1980, 10, 20), "", "NW1 0AA"), "wilson", ["same name", "same postcode"]),
    (
        Identity("Fatimah", "Begum", date(1986, 2, 14)),
        "begum",
        ["first name is another spelling", "same date of birth"],
    ),
    (Identity("Fatima", "Begum", date(1968, 2, 14)), "begum", ["same name", "two digits swapped"]),
    # Look-alikes on record: the right one first.
    (Identity("John", "Williams", date(1986, 8, 21)), "williams_son", ["same name", "same date of birth"]),
    (Identity("John", "Williams", date(1960, 5, 5)), "williams_father", ["same name", "same date of birth"]),
    (
        Identity("Jon", "Williams", date(1986, 8, 12), "", "SE154QJ"),
        "williams_son",
        ["sounds the same", "two digits swapped"],
    ),
    (Identity("Adam", "Novak", date(1990, 1, 1)), "novak_adam", ["same name", "same date of birth"]),
    (Identity("Aaron", "Novak", date(1990, 1, 1), "", "E2 7DJ"), "novak_aaron", ["same name", "same postcode"]),
    (Identity("Michael", "Brown", date(1970, 7, 7)), "brown_1970", ["same name", "same date of birth"]),
    (Identity("Michael", "Brown", date(1971, 12, 25)), "brown_1971", ["same name", "same date of birth"]),
    (Identity("Imran", "Khan", date(1990, 4, 21)), "khan_other", ["same name", "same date of birth"]),
    (Identity("Kathleen", "O'Brien", date(1987, 2, 9)), "obrien_sister", ["same name", "same date of birth"]),
]

# Different people from everyone on record, though alike to some.
NEAR_MISSES = [
    Identity("John", "Williams", date(2010, 3, 3)),  # the grandson
    Identity("Mohammed", "Khan", date(1975, 1, 20)),  # a common name, another man
    Identity("Chloe", "Davis", date(2001, 9, 17)),
    Identity("Michael", "Brown", date(1985, 2, 2)),
    Identity("Liam", "Byrne", date(1984, 4, 4)),  # a brother
    Identity("Priya", "Sharma", date(1991, 1, 1)),
    Identity("Anna", "Novak", date(1962, 5, 1), "", "E2 7DJ"),  # the twins' mother
]


@pytest.fixture
def known():
    """Everyone on record, each known through one referral (as linking leaves them)."""
    camden = BoroughFactory(name="Camden")
    worker = UserFactory(role="social_worker", borough=camden)
    people = {}
    for name, who in KNOWN.items():
        person = Person.objects.create(
            first_name=who.first_name, last_name=who.last_name, date_of_birth=who.date_of_birth, borough=camden
        )
        Referral.objects.create(
            referrer=worker,
            borough=camden,
            person=person,
            client_first_name=who.first_name,
            client_last_name=who.last_name,
            client_date_of_birth=who.date_of_birth,
            client_phone=who.phone,
            client_postcode=who.postcode,
        )
        matching.person_match_keys_refresh(person=person)
        people[name] = person
    return people


def test_the_pair_set_is_big_enough():
    assert len(TRUE) + len(NEAR_MISSES) >= 40
    assert len({probe for probe, _, _ in TRUE}) == len(TRUE)


@pytest.mark.parametrize("probe, expected, reasons", TRUE, ids=[f"{p.first_name} {p.last_name}" for p, _, _ in TRUE])
def test_the_person_referred_again_is_found_first_with_the_right_reasons(known, probe, expected, reasons):
    matches = matching.person_candidates(identity=probe)
    ranked = [m.person for m in matches]
    assert known[expected] in ranked[:3], [(m.person, m.score, m.reasons) for m in matches]
    # No different person above the true one.
    assert ranked[0] == known[expected], [(m.person, m.score, m.reasons) for m in matches]
    shown = "; ".join(matches[0].reasons)
    for reason in reasons:
        assert reason in shown, shown
    assert not matches[0].against


@pytest.mark.parametrize("probe", NEAR_MISSES, ids=[f"{p.first_name} {p.last_name}" for p in NEAR_MISSES])
def test_a_different_person_is_never_a_strong_match_and_shows_what_is_against_them(known, probe):
    for match in matching.person_candidates(identity=probe):
        assert match.score < 75, (match.person, match.score, match.reasons)
        assert match.against, (match.person, match.reasons)


def test_the_father_is_shown_against_his_son_with_the_date_of_birth_against_him(known):
    probe = Identity("John", "Williams", date(1986, 8, 21), "07700 900777", "SE15 4QJ")
    matches = matching.person_candidates(identity=probe)
    assert [m.person for m in matches][:2] == [known["williams_son"], known["williams_father"]]
    assert "different date of birth (5 May 1960)" in matches[1].against
    assert "same phone" in matches[1].reasons


def test_blocking_reads_keys_not_people(known, django_assert_num_queries):
    """Candidates come from the key index, in three queries whatever the number of people."""
    with django_assert_num_queries(3):
        matching.person_candidates(identity=Identity("Muhammad", "Khan", date(1990, 4, 12)))
    assert PersonMatchKey.objects.filter(person=known["khan"]).count() > 5
    # Keys are hashes: a phone number cannot be read from the table.
    assert not PersonMatchKey.objects.filter(key__icontains="7700").exists()


def test_a_person_known_by_two_spellings_is_found_by_either(known):
    """Linking a referral adds how it spelled the person to what is matched next time."""
    person = known["zhang"]
    Referral.objects.create(
        referrer=Referral.objects.first().referrer,
        borough=person.borough,
        person=person,
        client_first_name="Vivian",
        client_last_name="Cheung",
        client_date_of_birth=date(1983, 3, 14),
        client_phone="07700 900333",
    )
    assert person not in [m.person for m in matching.person_candidates(identity=Identity("Vivian", "Cheung"))]
    matching.person_match_keys_refresh(person=person)
    matches = matching.person_candidates(identity=Identity("Vivien", "Cheung", None, "07700900333"))
    assert matches[0].person == person
    assert "same phone" in matches[0].reasons
