"""Links to many records on one page (eip/links.py) are the URLs reverse() gives."""

from django.test import override_settings
from django.urls import clear_script_prefix, reverse, set_script_prefix

from eip.links import Links

NAMES = ("case-detail", "case-plan", "referral-detail", "appointment-reschedule")


def test_each_link_is_the_url_reverse_gives_for_that_record():
    links = Links()
    for name in NAMES:
        for pk in (1, 42, 987654321, 10**12):
            assert links(name, pk) == reverse(name, args=[pk])


def test_a_link_follows_where_the_site_is_served_from():
    assert Links()("case-detail", 5) == reverse("case-detail", args=[5])
    set_script_prefix("/eip/")
    try:
        assert Links()("case-detail", 5) == reverse("case-detail", args=[5])
        assert Links()("case-detail", 5).startswith("/eip/")
    finally:
        clear_script_prefix()
    assert not Links()("case-detail", 5).startswith("/eip/")


@override_settings(ROOT_URLCONF="tests.links_urls")
def test_a_link_follows_the_url_configuration_in_force():
    assert Links()("case-detail", 5) == "/elsewhere/5/"
