from __future__ import annotations

import pytest

from htrac.core.config import load_config
from htrac.core.ops import Op, make_op


@pytest.fixture(scope="session")
def vocab():
    return load_config(None).vocabulary()


_counter = iter(range(1, 10**9))


def op(op_type: str, *, clock: int = 1, by: str = "agent", at: str = "2026-01-01T00:00:00Z",
       nonce: str | None = None, actor: str | None = None, **body) -> Op:
    """A test op; `nonce` defaults to a fresh 16-hex value."""
    return make_op(op_type, by=by, actor=actor or ("alice" if by == "human" else "bot_agent"),
                   clock=clock, at=at, nonce=nonce or f"{next(_counter):016x}", body=body)


def create(title: str = "Item", **data) -> Op:
    fields = {"kind": "work_item", "title": title, "status": "todo_hard", "priority": 2,
              "parent": None, "tags": [], "isbefore": [], "duplicate_of": [],
              "not_duplicate_of": [], "pr_ref": None, "description": "", "fields": {}}
    extra = {k: data.pop(k) for k in list(data) if k in ("clock", "by", "at", "nonce")}
    fields.update(data)
    return op("create", data=fields, **extra)
