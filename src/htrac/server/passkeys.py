"""WebAuthn passkeys: registration (by a logged-in human) and login, verified with py_webauthn.

The browser's answer is checked against the challenge, the relying party ID, the allowed origins
and the stored public key, and a credential whose signature counter goes backwards (a cloned
authenticator) is refused. Credentials are kept in `passkeys.json` in the human's config
directory (mode 0600).

Login challenges are made here and sealed, not stored: a challenge is a random nonce, its
deadline and a MAC under a key only this process holds. Asking for login options is public, so
a pool of pending challenges would let anyone who floods it evict the human's; a sealed one
needs no room, so nothing can push it out. A challenge is used once: the ones that logged
someone in are remembered until their deadline (only the human's authenticator adds to that
set), and a failed answer spends nothing an attacker could not ask for again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..core.errors import HtracError
from ..store.private import read_secret, write_private
from .places import config_dir

CHALLENGE_SECONDS = 120.0
_NONCE = 16
_MAC = 16


class PasskeyError(HtracError):
    """The browser's answer did not verify."""


def passkeys_path() -> Path:
    return config_dir() / "passkeys.json"


@dataclass
class Passkeys:
    rp_id: str
    rp_name: str
    origins: tuple[str, ...]
    user: str
    user_verification: str = "preferred"
    path: Path | None = None
    clock: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self._key = secrets.token_bytes(32)
        self._spent: dict[bytes, float] = {}  # challenges that logged in → their deadline
        self._lock = threading.Lock()

    # -- stored credentials ------------------------------------------------------------------

    def _file(self) -> Path:
        return self.path or passkeys_path()

    def load(self) -> dict[str, Any]:
        data = read_secret(self._file())
        if data is None:
            return {"user_id": None, "credentials": []}
        try:
            stored = json.loads(data)
            assert isinstance(stored.get("credentials"), list)
            return stored
        except (ValueError, AssertionError, AttributeError):
            raise HtracError(f"{self._file()} is not a passkey file: move it away and register "
                             "again") from None

    def _save(self, stored: dict[str, Any]) -> None:
        write_private(self._file(), json.dumps(stored, indent=1))

    def count(self) -> int:
        return len(self.load()["credentials"])

    def remove(self, cred_id: str) -> bool:
        """Forget a passkey (a lost security key); True if it was registered."""
        with self._lock:  # each change of the file reads it and writes it whole: one at a time
            return self._remove(cred_id)

    def _remove(self, cred_id: str) -> bool:
        stored = self.load()
        kept = [c for c in stored["credentials"] if c["id"] != cred_id]
        if len(kept) == len(stored["credentials"]):
            return False
        stored["credentials"] = kept
        self._save(stored)
        return True

    # -- registration --------------------------------------------------------------------------

    def registration_options(self) -> tuple[str, bytes]:
        """(options JSON for navigator.credentials.create, the challenge to keep)."""
        from webauthn import generate_registration_options, options_to_json
        from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
        from webauthn.helpers.structs import (
            AuthenticatorSelectionCriteria,
            PublicKeyCredentialDescriptor,
            ResidentKeyRequirement,
        )

        with self._lock:
            stored = self.load()
            user_id = stored.get("user_id") or bytes_to_base64url(secrets.token_bytes(32))
            if stored.get("user_id") is None:
                stored["user_id"] = user_id
                self._save(stored)
        options = generate_registration_options(
            rp_id=self.rp_id, rp_name=self.rp_name, user_name=self.user,
            user_id=base64url_to_bytes(user_id),
            authenticator_selection=AuthenticatorSelectionCriteria(
                resident_key=ResidentKeyRequirement.PREFERRED,
                user_verification=self._uv()),
            exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c["id"]))
                                 for c in stored["credentials"]])
        return options_to_json(options), options.challenge

    def register(self, credential: dict[str, Any], challenge: bytes, name: str) -> str:
        """Verify the browser's answer and keep the credential; returns its ID."""
        from webauthn import verify_registration_response

        try:
            verified = verify_registration_response(
                credential=credential, expected_challenge=challenge,
                expected_rp_id=self.rp_id, expected_origin=list(self.origins),
                require_user_verification=self.user_verification == "required")
        except Exception as exc:  # py_webauthn raises several types, all meaning "no"
            raise PasskeyError(f"passkey registration did not verify: {exc}") from None
        with self._lock:
            return self._keep(verified, name)

    def _keep(self, verified: Any, name: str) -> str:
        from webauthn.helpers import bytes_to_base64url

        stored = self.load()
        cred_id = bytes_to_base64url(verified.credential_id)
        stored["credentials"] = [c for c in stored["credentials"] if c["id"] != cred_id]
        stored["credentials"].append({
            "id": cred_id, "public_key": bytes_to_base64url(verified.credential_public_key),
            "sign_count": verified.sign_count, "name": name[:100],
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        })
        self._save(stored)
        return cred_id

    # -- login ---------------------------------------------------------------------------------

    def login_options(self) -> tuple[str, str]:
        """(options JSON for navigator.credentials.get, the challenge's ID: itself, sealed)."""
        from webauthn import generate_authentication_options, options_to_json
        from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
        from webauthn.helpers.structs import PublicKeyCredentialDescriptor

        creds = self.load()["credentials"]
        challenge = self._seal(secrets.token_bytes(_NONCE), self.clock() + CHALLENGE_SECONDS)
        options = generate_authentication_options(
            rp_id=self.rp_id, user_verification=self._uv(), challenge=challenge,
            allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c["id"]))
                               for c in creds])
        return options_to_json(options), bytes_to_base64url(challenge)

    def login(self, challenge_id: str, credential: dict[str, Any]) -> str:
        """Verify a login answer; returns the credential's ID. A challenge logs in once."""
        from webauthn import verify_authentication_response
        from webauthn.helpers import base64url_to_bytes

        challenge = self._unseal(challenge_id)
        if challenge is None:
            raise PasskeyError("this login challenge is unknown or expired: start again")
        with self._lock:  # one answer at a time: a challenge can't log in twice in a race
            if challenge in self._spent:
                raise PasskeyError("this login challenge was used already: start again")
            stored = self.load()
            found = next((c for c in stored["credentials"] if c["id"] == credential.get("id")),
                         None)
            if found is None:
                raise PasskeyError("this passkey is not registered here")
            try:
                verified = verify_authentication_response(
                    credential=credential, expected_challenge=challenge,
                    expected_rp_id=self.rp_id, expected_origin=list(self.origins),
                    credential_public_key=base64url_to_bytes(found["public_key"]),
                    credential_current_sign_count=int(found["sign_count"]),
                    require_user_verification=self.user_verification == "required")
            except Exception as exc:
                raise PasskeyError(f"passkey login did not verify: {exc}") from None
            now = self.clock()
            self._spent = {c: t for c, t in self._spent.items() if t > now}
            self._spent[challenge] = now + CHALLENGE_SECONDS
            found["sign_count"] = verified.new_sign_count
            self._save(stored)
        return found["id"]

    def _seal(self, nonce: bytes, deadline: float) -> bytes:
        body = nonce + struct.pack(">d", deadline)
        return body + hmac.new(self._key, body, hashlib.sha256).digest()[:_MAC]

    def _unseal(self, challenge_id: str) -> bytes | None:
        """The challenge `challenge_id` names if this process made it and its time is not up."""
        from webauthn.helpers import base64url_to_bytes

        try:
            challenge = base64url_to_bytes(str(challenge_id))
        except (ValueError, TypeError):
            return None
        if len(challenge) != _NONCE + 8 + _MAC:
            return None
        body, mac = challenge[:-_MAC], challenge[-_MAC:]
        if not hmac.compare_digest(mac, hmac.new(self._key, body, hashlib.sha256).digest()[:_MAC]):
            return None
        (deadline,) = struct.unpack(">d", body[_NONCE:])
        return challenge if self.clock() <= deadline else None

    def _uv(self):
        from webauthn.helpers.structs import UserVerificationRequirement

        return UserVerificationRequirement(self.user_verification)
