"""A page of a list and the count of the whole list in one query (eip/paging.py), as Django's
Paginator would page it."""

import pytest
from django.core.paginator import Paginator
from django.db.models import Q

from eip.paging import page_counted
from eip.people.models import Borough
from tests.factories import BoroughFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def boroughs():
    for n in range(7):
        BoroughFactory(name=f"Borough {n}", code=f"b{n}", isa_in_place=n % 3 == 0)
    return Borough.objects.order_by("name")


@pytest.mark.parametrize("number", [1, 2, 3, "3", 4, 99, "x", None])
def test_a_page_is_what_the_paginator_gives_with_the_count_in_the_same_query(
    boroughs, number, django_assert_num_queries
):
    expected = Paginator(boroughs, 3).get_page(number)
    past_the_end = number in (4, 99)
    with django_assert_num_queries(3 if past_the_end else 1):  # past the end: count, then the last page
        page = page_counted(boroughs, 3, number, counting={"isa": Q(isa_in_place=True)})
    assert (page.number, page.paginator.count, page.paginator.num_pages) == (expected.number, 7, 3)
    assert [b.pk for b in page.object_list] == [b.pk for b in expected.object_list]
    assert page.counts == {"isa": 3}


@pytest.mark.parametrize("number", [1, 3, 99])
def test_a_page_of_a_few_columns_comes_as_named_rows(boroughs, number):
    expected = Paginator(boroughs, 3).get_page(number)
    page = page_counted(boroughs, 3, number, counting={"isa": Q(isa_in_place=True)}, fields=("pk", "name"))
    assert [(row.pk, row.name) for row in page.object_list] == [(b.pk, b.name) for b in expected.object_list]
    assert (page.number, page.paginator.count, page.counts) == (expected.number, 7, {"isa": 3})


def test_a_page_number_below_one_is_the_first_page(boroughs):
    # Unlike Paginator.get_page(), which gives the last page: the list's start is what was meant.
    for number in (0, -2):
        assert [b.pk for b in page_counted(boroughs, 3, number).object_list] == [b.pk for b in boroughs[:3]]


def test_an_empty_list_is_one_empty_page():
    page = page_counted(Borough.objects.filter(name="nowhere").order_by("name"), 3, 1, fields=("pk",))
    assert (list(page.object_list), page.paginator.count, page.number) == ([], 0, 1)
