"""Demonstration data (`make run`, never production): the core loads boroughs, organisations
and a login per role; each app adds its records with demo_loader() from its
AppConfig.ready(), so they load in the order the apps are installed."""

from collections.abc import Callable

DEMO_LOADERS: list[Callable[[], None]] = []


def demo_loader(load: Callable[[], None]) -> Callable[[], None]:
    DEMO_LOADERS.append(load)
    return load
