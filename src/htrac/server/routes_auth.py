"""Logging in and out: password, passkeys (WebAuthn), and who the session is."""

from __future__ import annotations

import json
import logging
import math
import time
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..core.errors import HtracError
from .devices import HEADER, Device
from .passkeys import PasskeyError
from .passwords import check_password, has_password, same
from .responses import HTTPError, error
from .routing import field_of, json_body
from .sessions import COOKIE, Session
from .state import ServerState

REGISTER_SECONDS = 120.0
log = logging.getLogger("htrac.server")


async def auth_status(request: Request, state: ServerState) -> dict[str, Any]:
    """What a login page may offer (nothing about who the user is)."""
    password = await state.worker.cpu(has_password, state.password_file)
    passkeys = await state.worker.cpu(state.passkeys.count)
    return {"password": password, "passkeys": passkeys > 0, "rp_id": state.settings.rp_id}


async def login(request: Request, state: ServerState) -> Response:
    data = await json_body(request)
    password = field_of(data, "password", str, required=True)
    user = field_of(data, "user", str, default=state.user)
    client = request.client.host if request.client else "unknown"
    device = await _device(request, state)
    keys = state.backoff.keys(state.user, client, device.key if device else None)
    wait = state.backoff.wait(keys)
    if wait > 0:
        seconds = math.ceil(wait)
        hint = "" if device else (" (a browser that logged in here before is not held back by "
                                  "others' failures; for a new one, run 'htrac serve link' on "
                                  "the server's machine)")
        response = error(429, f"too many failed logins: try again in {seconds} s{hint}",
                         retry_after=seconds)
        response.headers["Retry-After"] = str(seconds)
        return response
    ok = await state.worker.cpu(check_password, password, state.password_file)
    if not (ok and same(user, state.user)):
        state.backoff.failed(keys)
        return error(401, "wrong user or password")
    state.backoff.succeeded(keys)
    return await logged_in(request, state, "password", device)


async def logged_in(request: Request, state: ServerState, method: str,
                    device: Device | None) -> Response:
    """A new session; a browser without a device secret of its own gets one."""
    sid, session = state.sessions.create(state.user, method)
    body = session_json(state, session)
    try:
        secret = await state.worker.cpu(state.devices.logged_in, device)
    except (HtracError, OSError) as exc:  # the login stands; only the device is not kept
        log.warning("could not keep this browser as a known device: %s", exc)
        secret = None
    if secret is not None:
        body["device"] = secret  # the page keeps it beside the token (devices.py says why)
    response = JSONResponse(body, status_code=200)
    response.set_cookie(COOKIE, sid, httponly=True, samesite="strict",
                        secure=state.settings.tls, path="/")
    return response


async def _device(request: Request, state: ServerState) -> Device | None:
    """The known device the request names; a devices file that can't be read makes every
    browser a new one (logging in still works), never a 4xx."""
    try:
        return await state.worker.cpu(state.devices.known, request.headers.get(HEADER))
    except (HtracError, OSError) as exc:
        log.warning("known devices unreadable, treating the browser as new: %s", exc)
        return None


def session_json(state: ServerState, session: Session) -> dict[str, Any]:
    return {"user": session.user, "method": session.method, "token": session.token,
            "idle_seconds": state.sessions.idle, "absolute_seconds": state.sessions.absolute}


async def logout(request: Request, state: ServerState) -> Response:
    session: Session = request.state.session
    state.sessions.revoke(request.cookies.get(COOKIE))
    if state.hub is not None:
        await state.hub.close_session(session)
    response = JSONResponse({"ok": True})
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict",
                           secure=state.settings.tls)
    return response


async def whoami(request: Request, state: ServerState) -> dict[str, Any]:
    session: Session = request.state.session
    config = state.tracker.config
    actor = state.tracker.actor
    from ..core.ops import LOCKABLE
    from ..store.layout import TIERS

    return {
        "user": session.user, "method": session.method, "by": actor.by,
        "statuses": list(config.statuses), "blocking_statuses": list(config.blocking_statuses),
        "resolved_statuses": list(config.resolved_statuses),
        "human_only_statuses": list(config.human_only_statuses),
        "kinds": {name: {"prefix": k.prefix, "fields": {f: {"type": s.type, "required": s.required}
                                                         for f, s in k.fields.items()}}
                  for name, k in config.kinds.items()},
        "tiers": list(TIERS), "lockable": list(LOCKABLE),
    }


# -- passkeys ----------------------------------------------------------------------------------

async def passkey_register_options(request: Request, state: ServerState) -> Response:
    session: Session = request.state.session
    options, challenge = await state.worker.cpu(state.passkeys.registration_options)
    session.pending["register"] = (challenge, time.monotonic())
    return Response(options, media_type="application/json")


async def passkey_register(request: Request, state: ServerState) -> dict[str, Any]:
    session: Session = request.state.session
    data = await json_body(request)
    credential = field_of(data, "credential", dict, required=True)
    name = field_of(data, "name", str, default="passkey")
    pending = session.pending.pop("register", None)
    if pending is None or time.monotonic() - pending[1] > REGISTER_SECONDS:
        raise HTTPError(400, "no registration in progress (or it expired): start again")
    try:
        cred_id = await state.worker.cpu(state.passkeys.register, credential, pending[0], name)
    except PasskeyError as exc:
        raise HTTPError(400, str(exc)) from None
    return {"ok": True, "id": cred_id}


async def passkey_login_options(request: Request, state: ServerState) -> dict[str, Any]:
    if await state.worker.cpu(state.passkeys.count) == 0:
        raise HTTPError(404, "no passkey is registered: log in with the password and add one")
    options, challenge_id = await state.worker.cpu(state.passkeys.login_options)
    return {"challenge_id": challenge_id, "options": json.loads(options)}


async def passkey_login(request: Request, state: ServerState) -> Response:
    data = await json_body(request)
    challenge_id = field_of(data, "challenge_id", str, required=True)
    credential = field_of(data, "credential", dict, required=True)
    if not isinstance(credential.get("id"), str):
        raise HTTPError(400, "credential.id must be a string")
    try:
        await state.worker.cpu(state.passkeys.login, challenge_id, credential)
    except PasskeyError as exc:
        return error(401, str(exc))
    device = await _device(request, state)
    return await logged_in(request, state, "webauthn", device)
