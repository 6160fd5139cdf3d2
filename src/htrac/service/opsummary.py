"""One line saying what an op asked for (the activity feed and the history view)."""

from __future__ import annotations

from typing import Any


def describe(op_type: str, body: Any) -> str:
    body = body if isinstance(body, dict) else {}
    if op_type == "create":
        data = body.get("data") or {}
        return f"created {data.get('kind', '?')} with status {data.get('status', '?')}"
    if op_type == "update":
        parts = [f"{k} = {_short(v)}" for k, v in (body.get("set") or {}).items()]
        parts += [f"+{k} {_short(v)}" for k, v in (body.get("add") or {}).items()]
        parts += [f"-{k} {_short(v)}" for k, v in (body.get("remove") or {}).items()]
        return "set " + ", ".join(parts) if parts else "update (nothing)"
    if op_type in ("discuss", "discuss_summarize"):
        verb = "said" if op_type == "discuss" else "summarized"
        return f"{verb}: {_short(body.get('message'), 80)}"
    if op_type in ("lock", "unlock"):
        return f"{op_type}ed {', '.join(map(str, body.get(op_type) or []))}"
    if op_type == "discuss_clear":
        return "cleared the discussion"
    return str(op_type)


def _short(value: Any, limit: int = 40) -> str:
    text = value if isinstance(value, str) else repr(value)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit - 1] + "…"
