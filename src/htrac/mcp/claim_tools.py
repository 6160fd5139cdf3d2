"""Claims as tools: claim, heartbeat, release — held by this connection's agent session
(`mcp.sessions`), with the CLI's rules and refusals (`service.claims`)."""

from __future__ import annotations

from typing import Any

from . import shapes
from .params import Param
from .tool import Call, Tool


def claim(call: Call) -> dict[str, Any]:
    from ..service.claims import claim as take
    from ..service.claims import claim_ready

    if call.get("id"):
        got = take(call.tracker, call.get("id"), session=call.session,
                   steal=bool(call.get("steal")))
    else:
        got = claim_ready(call.tracker, session=call.session)
        if got is None:
            return {"claimed": None, "session": call.session, "note": "no ready item"}
    data: dict[str, Any] = {**shapes.row(got.item), "claim": shapes.claim(got.holding),
                            "session": call.session}
    if got.renewed:
        data["renewed"] = True
    if got.took_from:
        data["taken_from"] = got.took_from
    if got.skipped:
        data["skipped"] = got.skipped
    return data


def heartbeat(call: Call) -> dict[str, Any]:
    from ..service.claims import heartbeat as beat

    beats = beat(call.tracker, call.get("ids") or None, session=call.session)
    return {"session": call.session,
            "claims": [{"id": b.item.id, "renewed": b.renewed,
                        "seconds_left": b.holding.lease.seconds_left} for b in beats]}


def release(call: Call) -> dict[str, Any]:
    from ..service.claims import release as give_back

    done = give_back(call.tracker, call.get("id"), session=call.session,
                     reason=call.get("reason"), status=call.get("status"))
    return {"id": done.item.id, "released": done.released_from, "status": done.item.status,
            "session": call.session}


TOOLS = [
    Tool("claim", "Claim an item for this session (status in_progress, a lease); without id, "
         "the top ready item. Refused while another session holds it.", claim,
         (Param("id", "ref"),
          Param("steal", "bool", "take over another session's claim (agents: expired only)")),
         destructive=True, toolset="claims"),
    Tool("heartbeat", "Renew this session's claims (all, or ids) while you work.", heartbeat,
         (Param("ids", "refs"),), toolset="claims"),
    Tool("release", "Give a claim back; the item returns to its status before the claim.",
         release, (Param("id", "ref", required=True), Param("reason"), Param("status")),
         destructive=True, toolset="claims"),
]
