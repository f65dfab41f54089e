"""GOV.UK Notify's delivery receipts: Notify calls this endpoint for every message's outcome."""

import hmac
import json

from django.conf import settings
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from eip import access, outbound

from .govuk_notify import delivery_receipt_record


def _answer(text: str, status: int) -> HttpResponse:
    # A status word for Notify's servers, not a document: the guard has nothing to check.
    return outbound.status_answer(HttpResponse(text + "\n", content_type="text/plain; charset=utf-8", status=status))


@csrf_exempt  # a server-to-server call, authenticated by its bearer token instead of a session
@require_POST
@access.public
def delivery_receipt(request):
    """Authenticated by the bearer token set in Notify's callback settings (NOTIFY_CALLBACK_TOKEN);
    without one configured, every call is refused."""
    expected = settings.NOTIFY_CALLBACK_TOKEN
    given = request.headers.get("Authorization", "")
    if not expected or not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        return _answer("unauthorised", 401)
    try:
        receipt = json.loads(request.body)
    except ValueError:
        return _answer("not json", 400)
    if not isinstance(receipt, dict):
        return _answer("not a receipt", 400)
    delivery_receipt_record(receipt=receipt)
    # Acknowledged even when it names no message of ours, so Notify does not retry it forever.
    return _answer("ok", 200)
