"""Links to many records of a kind on one page: each URL name reversed once, then filled in
with each record's pk (a diary or a list of fifty rows has hundreds of links; reverse() per
link was a tenth of such a page's time)."""

from functools import lru_cache

from django.urls import get_resolver, get_script_prefix, get_urlconf, reverse

_PLACEHOLDER = "987654321"


@lru_cache(maxsize=512)
def _pattern(resolver, prefix: str, name: str) -> tuple[str, str]:
    # Kept across requests: a URL's shape is the same for everyone, and the resolver and the
    # script prefix in the key make a changed URL configuration reverse afresh.
    before, _placeholder, after = reverse(name, args=[_PLACEHOLDER]).partition(_PLACEHOLDER)
    return before, after


class Links:
    def __init__(self):
        self.patterns = {}

    def __call__(self, name: str, pk: int) -> str:
        if name not in self.patterns:
            self.patterns[name] = _pattern(get_resolver(get_urlconf()), get_script_prefix(), name)
        before, after = self.patterns[name]
        return f"{before}{pk}{after}"
