"""Links to many records of a kind on one page: each URL name reversed once, then filled in
with each record's pk (a diary or a list of fifty rows has hundreds of links; reverse() per
link was a tenth of such a page's time)."""

from django.urls import reverse

_PLACEHOLDER = "987654321"


class Links:
    def __init__(self):
        self.patterns = {}

    def __call__(self, name: str, pk: int) -> str:
        if name not in self.patterns:
            self.patterns[name] = reverse(name, args=[_PLACEHOLDER]).replace(_PLACEHOLDER, "{}")
        return self.patterns[name].format(pk)
