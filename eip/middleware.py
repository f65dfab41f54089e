"""Responses the app makes are never kept by a browser or a proxy."""


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
