"""A local OpenID Connect provider standing in for a council's identity provider (Microsoft Entra
ID, say), speaking the protocol EIP's single sign-on uses, so tests run mozilla-django-oidc for
real with no network:

- GET  /.well-known/openid-configuration   the discovery document
- GET  /authorize   the provider's sign-in page (authorisation code flow; checks client, redirect
                    address, state, nonce and the PKCE S256 challenge); POST /authorize signs the
                    typed identity in and redirects back with a single-use code and the state
- POST /token       exchanges the code (client secret, redirect address, PKCE verifier checked)
                    for an access token and an RS256-signed ID token
- GET  /jwks        the public signing key
- GET  /userinfo    the identity's claims, for the access token
- GET  /logout      the end-session endpoint

`identities` maps an email typed on the sign-in page to its claims (sub, email_verified, amr...).
`id_token_changes` alters the next ID tokens (a wrong nonce, audience, issuer...), and
`sign_with_wrong_key` signs them with a key the provider never published, as an attacker would.
"""

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "eip-test-client"
CLIENT_SECRET = "eip-test-client-secret"  # noqa: S105  # nosec B105


@cache
def _keys():
    # Made once per test run: an RSA key takes a moment to generate.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), rsa.generate_private_key(
        public_exponent=65537, key_size=2048
    )


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class OIDCStandIn:
    def __init__(self, redirect_uri: str, issuer_path: str = ""):
        self.redirect_uri = redirect_uri
        self.issuer_path = issuer_path
        self.identities: dict[str, dict] = {}
        self.id_token_changes: dict = {}
        self.sign_with_wrong_key = False
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.token_requests: list[dict] = []
        self.key, self.wrong_key = _keys()
        self.kid = "standin-key-1"
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, content_type="application/json", headers=()):
                data = body if isinstance(body, bytes) else body.encode()
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _json(self, status, body):
                self._send(status, json.dumps(body))

            def _form(self):
                length = int(self.headers.get("Content-Length", "0"))
                return {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}

            def do_GET(self):
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path == "/.well-known/openid-configuration":
                    return self._json(200, standin.discovery())
                if url.path == "/jwks":
                    return self._json(200, standin.jwks())
                if url.path == "/authorize":
                    error = standin.authorization_error(query)
                    if error:
                        return self._send(400, error, "text/plain")
                    return self._send(200, standin.sign_in_page(query), "text/html; charset=utf-8")
                if url.path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    claims = standin.tokens.get(token)
                    if claims is None:
                        return self._json(401, {"error": "invalid_token"})
                    return self._json(200, claims)
                if url.path == "/logout":
                    return self._send(200, "<!DOCTYPE html><title>Signed out</title><h1>Signed out</h1>", "text/html")
                return self._json(404, {"error": "not_found"})

            def do_POST(self):
                url = urlsplit(self.path)
                form = self._form()
                if url.path == "/authorize":
                    error = standin.authorization_error(form)
                    if error:
                        return self._send(400, error, "text/plain")
                    location = standin.sign_in(form)
                    return self._send(302, "", "text/plain", [("Location", location)])
                if url.path == "/token":
                    basic = self.headers.get("Authorization", "")
                    if basic.startswith("Basic "):
                        client_id, _, secret = base64.b64decode(basic[6:]).decode().partition(":")
                        form.setdefault("client_id", client_id)
                        form.setdefault("client_secret", secret)
                    status, body = standin.token(form)
                    return self._json(status, body)
                return self._json(404, {"error": "not_found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        # Entra ID's v1.0 issuer is a tenant's address with a trailing slash, its discovery elsewhere.
        self.issuer = self.url + issuer_path
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # The protocol

    def discovery(self) -> dict:
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "jwks_uri": f"{self.url}/jwks",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "end_session_endpoint": f"{self.url}/logout",
            "response_types_supported": ["code"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce", "email", "email_verified", "amr", "name"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def authorization_error(self, params: dict) -> str:
        if params.get("client_id") != CLIENT_ID:
            return "unauthorized_client"
        if params.get("redirect_uri") != self.redirect_uri:
            return "invalid_request: redirect_uri is not registered"
        if params.get("response_type") != "code" or "openid" not in params.get("scope", "").split():
            return "invalid_request: response_type code and scope openid are required"
        if not params.get("state") or not params.get("nonce"):
            return "invalid_request: state and nonce are required"
        if params.get("code_challenge_method") != "S256" or not params.get("code_challenge"):
            return "invalid_request: PKCE (S256) is required"
        return ""

    def sign_in_page(self, params: dict) -> str:
        hidden = "".join(
            f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">' for k, v in params.items()
        )
        return (
            '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Council sign-in</title></head>'
            "<body><main><h1>Sign in to your council account</h1>"
            f'<form method="post" action="/authorize">{hidden}'
            '<label for="email">Email address</label> <input id="email" name="email" type="email">'
            "<button type=submit>Sign in</button></form></main></body></html>"
        )

    def sign_in(self, form: dict) -> str:
        """The person signed in at the provider as the identity typed: a code for EIP."""
        identity = self.identities.get(form.get("email", "").lower())
        if identity is None:
            return f"{form['redirect_uri']}?{urlencode({'error': 'access_denied', 'state': form['state']})}"
        code = secrets.token_urlsafe(24)
        self.codes[code] = {
            "identity": identity,
            "nonce": form["nonce"],
            "code_challenge": form["code_challenge"],
            "redirect_uri": form["redirect_uri"],
            "issued": time.time(),
        }
        return f"{form['redirect_uri']}?{urlencode({'code': code, 'state': form['state']})}"

    def token(self, form: dict) -> tuple[int, dict]:
        self.token_requests.append(form)
        if form.get("client_id") != CLIENT_ID or form.get("client_secret") != CLIENT_SECRET:
            return 401, {"error": "invalid_client"}
        if form.get("grant_type") != "authorization_code":
            return 400, {"error": "unsupported_grant_type"}
        # A code works once.
        grant = self.codes.pop(form.get("code", ""), None)
        if grant is None or time.time() - grant["issued"] > 60:
            return 400, {"error": "invalid_grant"}
        if form.get("redirect_uri") != grant["redirect_uri"]:
            return 400, {"error": "invalid_grant", "error_description": "redirect_uri does not match"}
        verifier = form.get("code_verifier", "")
        if _b64url(hashlib.sha256(verifier.encode()).digest()) != grant["code_challenge"]:
            return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        identity = grant["identity"]
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 3600,
            "auth_time": now,
            "nonce": grant["nonce"],
            **identity,
            **self.id_token_changes,
        }
        claims = {k: v for k, v in claims.items() if v is not None}
        key = self.wrong_key if self.sign_with_wrong_key else self.key
        id_token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": self.kid})
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = {k: v for k, v in identity.items() if k != "amr"}
        return 200, {"access_token": access_token, "token_type": "Bearer", "expires_in": 3600, "id_token": id_token}
