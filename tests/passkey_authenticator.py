"""A software passkey for tests: answers WebAuthn ceremonies as a browser and a platform
authenticator do (CTAP2, "none" attestation, an ES256 key), so the passkey services are tested
with real signatures and no browser. The Chromium test uses DevTools' virtual authenticator."""

import base64
import hashlib
import json
import os
import struct
from urllib.parse import urlsplit

import cbor2
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from eip.people.models import Passkey

USER_PRESENT, USER_VERIFIED, ATTESTED = 0x01, 0x04, 0x40


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class SoftPasskey:
    """One passkey on one device. `origin` is the page the browser is on: a look-alike site
    gets its own origin written into what the authenticator signs."""

    def __init__(self, origin: str, rp_id: str | None = None):
        self.key = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.origin = origin
        self.rp_id = rp_id or urlsplit(origin).hostname
        self.sign_count = 0

    def _public_key(self) -> bytes:
        numbers = self.key.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"), -3: numbers.y.to_bytes(32, "big")})

    def _authenticator_data(self, flags: int) -> bytes:
        data = hashlib.sha256(self.rp_id.encode()).digest() + bytes([flags]) + struct.pack(">I", self.sign_count)
        if flags & ATTESTED:
            data += bytes(16) + struct.pack(">H", len(self.credential_id)) + self.credential_id + self._public_key()
        return data

    def _client_data(self, kind: str, options: dict) -> bytes:
        return json.dumps(
            {"type": kind, "challenge": options["challenge"], "origin": self.origin, "crossOrigin": False}
        ).encode()

    def create(self, options: dict) -> dict:
        """navigator.credentials.create(), as JSON for the add step."""
        client_data = self._client_data("webauthn.create", options)
        authenticator_data = self._authenticator_data(USER_PRESENT | USER_VERIFIED | ATTESTED)
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": authenticator_data})
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "attestationObject": b64url(attestation),
                "transports": ["internal"],
            },
            "clientExtensionResults": {"credProps": {"rk": True}},
            "authenticatorAttachment": "platform",
        }

    def get(self, options: dict) -> dict:
        """navigator.credentials.get(), as JSON for the sign-in step."""
        self.sign_count += 1
        client_data = self._client_data("webauthn.get", options)
        authenticator_data = self._authenticator_data(USER_PRESENT | USER_VERIFIED)
        signature = self.key.sign(authenticator_data + hashlib.sha256(client_data).digest(), ec.ECDSA(hashes.SHA256()))
        return {
            "id": b64url(self.credential_id),
            "rawId": b64url(self.credential_id),
            "type": "public-key",
            "response": {
                "clientDataJSON": b64url(client_data),
                "authenticatorData": b64url(authenticator_data),
                "signature": b64url(signature),
            },
            "clientExtensionResults": {},
            "authenticatorAttachment": "platform",
        }


def make_passkey(user, name: str = "Work laptop") -> Passkey:
    """A passkey row as if added earlier (for pages that list, name or remove one)."""
    return Passkey.objects.create(
        user=user, name=name, credential_id=os.urandom(32), public_key=SoftPasskey("https://x")._public_key()
    )
