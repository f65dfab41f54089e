"""`make test` spreads the suite over pytest-xdist workers: each needs a Redis database of its
own (a worker's Celery queue must not be read by another), and the security figures printed at
the end must add up what every worker counted, as a run in one process would print them."""

from types import SimpleNamespace

from eip.settings.test import redis_database_for_worker
from tests import conftest
from tests.figures import FIGURES


def test_each_worker_has_its_own_redis_database_counting_down_from_the_configured_one():
    assert redis_database_for_worker("redis://127.0.0.1:6379/15", 0) == "redis://127.0.0.1:6379/15"
    assert redis_database_for_worker("redis://127.0.0.1:6379/15", 1) == "redis://127.0.0.1:6379/14"
    assert redis_database_for_worker("redis://:secret@10.0.0.5:6380/3", 2) == "redis://:secret@10.0.0.5:6380/1"
    # Past database 0 it wraps round to the top of Redis's sixteen.
    assert redis_database_for_worker("redis://127.0.0.1:6379/1", 3) == "redis://127.0.0.1:6379/14"
    assert redis_database_for_worker("redis://127.0.0.1:6379", 1) == "redis://127.0.0.1:6379/15"


def test_the_figures_each_worker_counted_are_added_up_on_the_controller():
    saved = FIGURES.copy()
    try:
        FIGURES.clear()
        FIGURES["url_role"] = 5
        worker_a = SimpleNamespace(workeroutput={"eip_figures": {"url_role": 10, "hostile": 7}})
        worker_b = SimpleNamespace(workeroutput={"eip_figures": {"url_role": 3}})
        crashed = SimpleNamespace()  # a worker that died sends nothing
        for node in (worker_a, worker_b, crashed):
            conftest.pytest_testnodedown(node, error=None)
        assert FIGURES == {"url_role": 18, "hostile": 7}
    finally:
        FIGURES.clear()
        FIGURES.update(saved)


def test_a_worker_hands_its_figures_to_the_controller_when_its_session_ends(settings):
    settings.MEDIA_ROOT = "/nonexistent/not-a-test-media-folder"  # left alone by the tidy-up
    worker = SimpleNamespace(config=SimpleNamespace(workeroutput={}))
    conftest.pytest_sessionfinish(worker)
    assert worker.config.workeroutput["eip_figures"] == dict(FIGURES)
    in_one_process = SimpleNamespace(config=SimpleNamespace())
    conftest.pytest_sessionfinish(in_one_process)  # no workeroutput: nothing to hand over
