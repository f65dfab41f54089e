"""A local stand-in for the GOV.UK Notify API, speaking the endpoints EIP uses, so tests run the
real notifications-python-client with no network.

POST /v2/notifications/email and /v2/notifications/sms, authenticated as Notify does: a JWT
signed (HS256) with the API key's secret, `iss` the service id, `iat` within 30 seconds. Bodies and
answers have Notify's shapes (201 with the new notification; 400 BadRequestError / ValidationError;
403 AuthError). Every accepted message is kept in `sent`.
"""

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import TokenError

from tests import message_scan

SERVICE_ID = "26785a09-ab16-4eb0-8407-a37497a57506"
SECRET = "3d844edf-8d35-48ac-975b-e847b4f122b0"
API_KEY = f"eip_test-{SERVICE_ID}-{SECRET}"


class NotifyStandIn:
    def __init__(self, templates: set[str]):
        self.templates = set(templates)
        self.sent: list[dict] = []
        self.refuse_next: int = 0  # answer the next N sends with 500, as an outage would
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _answer(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _error(self, status, error, message):
                self._answer(status, {"status_code": status, "errors": [{"error": error, "message": message}]})

            def do_POST(self):
                auth = self.headers.get("Authorization", "")
                if not auth.startswith("Bearer "):
                    return self._error(401, "AuthError", "Unauthorized: authentication token must be provided")
                token = auth.removeprefix("Bearer ")
                try:
                    if get_token_issuer(token) != SERVICE_ID:
                        return self._error(403, "AuthError", "Invalid token: service not found")
                    decode_jwt_token(token, SECRET)
                except TokenError:
                    return self._error(403, "AuthError", "Invalid token: signature, api token not found")
                length = int(self.headers.get("Content-Length", "0"))
                try:
                    body = json.loads(self.rfile.read(length))
                except ValueError:
                    return self._error(400, "BadRequestError", "Invalid JSON supplied in POST data")
                channel = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms"}.get(self.path)
                if channel is None:
                    return self._error(404, "NotFound", "Not found")
                if standin.refuse_next:
                    standin.refuse_next -= 1
                    return self._error(500, "Exception", "Internal server error")
                address_field = "email_address" if channel == "email" else "phone_number"
                for field in (address_field, "template_id"):
                    if not body.get(field):
                        return self._error(400, "ValidationError", f"{field} is a required property")
                if body["template_id"] not in standin.templates:
                    return self._error(400, "BadRequestError", "Template not found")
                personalisation = body.get("personalisation") or {}
                if not isinstance(personalisation, dict):
                    return self._error(400, "ValidationError", "personalisation is not of type object")
                notification_id = str(uuid.uuid4())
                message_scan.record(
                    channel=channel,
                    to=[body[address_field]],
                    text="\n".join(str(value) for value in personalisation.values()),
                )
                standin.sent.append(
                    {
                        "id": notification_id,
                        "channel": channel,
                        "to": body[address_field],
                        "template_id": body["template_id"],
                        "personalisation": personalisation,
                        "reference": body.get("reference"),
                    }
                )
                content = {"body": json.dumps(personalisation), "from_number": "EIP"}
                if channel == "email":
                    content = {"body": personalisation.get("body", ""), "subject": personalisation.get("subject", "")}
                self._answer(
                    201,
                    {
                        "id": notification_id,
                        "reference": body.get("reference"),
                        "content": content,
                        "uri": f"http://{self.headers.get('Host')}/v2/notifications/{notification_id}",
                        "template": {"id": body["template_id"], "version": 1, "uri": "/v2/template/x"},
                    },
                )

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
