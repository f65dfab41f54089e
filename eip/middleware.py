"""Responses the app makes are never kept by a browser or a proxy, and request bodies too large
to be a form are refused before they are read."""

from django.conf import settings
from django.http import HttpResponse
from django.template import loader

from eip.uploads import MAX_DOCUMENT_BYTES


class NoStoreMiddleware:
    """`Cache-Control: no-store` on every response the app makes: case pages, PDFs, .ics files
    and exports hold special-category data that must not stay in a shared computer's browser
    cache (or come back with the Back button after signing out), and the sign-in and
    password-reset pages carry one-use tokens. Static files are served by WhiteNoise before
    this middleware and keep their long caching."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # Replaced, not merged: a view's "max-age" or "public" must not survive beside it.
        response["Cache-Control"] = "no-store"
        return response


class RequestSizeLimitMiddleware:
    """A request whose body is larger than `EIP_MAX_REQUEST_BYTES` is answered 413 from its
    Content-Length header, before a byte of the body is read: an oversized upload costs the
    server neither the time nor the disk to receive it. The limit sits a little above the largest
    document the forms accept (which they refuse with a message beside the field) and below the
    reverse proxy's, so the person sees this page, which says what to do, rather than the proxy's."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django itself treats a malformed length as an empty body
        if length > settings.EIP_MAX_REQUEST_BYTES:
            return request_too_large(request)
        return self.get_response(request)


def request_too_large(request) -> HttpResponse:
    body = loader.get_template("413.html").render(
        {
            "limit_mb": settings.EIP_MAX_REQUEST_BYTES // (1024 * 1024),
            "document_mb": MAX_DOCUMENT_BYTES // (1024 * 1024),
            "STATIC_URL": settings.STATIC_URL,
        }
    )
    return HttpResponse(body, status=413)
