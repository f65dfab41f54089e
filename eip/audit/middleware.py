from .context import client_ip


def _ip_of(request) -> str | None:
    # Behind the production proxy the client is the last hop it appended; the proxy is
    # trusted to set X-Forwarded-For (see README, deployment).
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if forwarded:
        return forwarded.split(",")[-1].strip() or None
    return request.META.get("REMOTE_ADDR")


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = client_ip.set(_ip_of(request))
        try:
            return self.get_response(request)
        finally:
            client_ip.reset(token)
