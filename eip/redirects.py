"""Where a page sends someone next."""

from django.utils.http import url_has_allowed_host_and_scheme


def safe_next(request, default: str = "/home/") -> str:
    """Where to go next: the `next` given, if it stays on this site (never another site's
    address, which would make EIP's sign-in a stepping stone for phishing)."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    return target if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}) else default
