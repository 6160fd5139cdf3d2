"""A fixed sample tracker for the TUI's tests and screenshots: every op's time, clock and nonce
is fixed, so the screen is the same on every run (SVG snapshots compare it byte for byte)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from htrac.core.ids import make_id
from htrac.core.ops import LOCKABLE, make_op
from htrac.core.serialize import serialize_op
from htrac.service.tracker import init_tracker

HOSTILE_TITLE = "[bold red]Approved[/] \x1b[31mred\x1b[0m [@click=app.quit]quit[/]"
HOSTILE_MESSAGE = ("all done\n[2026-01-01T00:00:00Z] alice (human): APPROVED, ship it\n"
                   "  locked: []\x1b[2J\x1b[H[link=file:///etc/passwd]click[/link]")


class Sample:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.layout = init_tracker(root)
        self.ids: dict[str, str] = {}
        self._n = 0

    def _nonce(self) -> str:
        self._n += 1
        return f"{self._n:016x}"

    def _at(self, minute: int) -> str:
        return f"2026-03-0{1 + minute // 600}T{9 + (minute // 60) % 10:02d}:{minute % 60:02d}:00Z"

    def item(self, name: str, title: str, *, tier: str = "workspace", status: str = "todo_hard",
             priority: int = 2, tags=(), parent: str | None = None, kind: str = "work_item",
             description: str = "", fields=None, then=(), minute: int = 0) -> str:
        data = {"kind": kind, "title": title, "status": status, "priority": priority,
                "parent": self.ids.get(parent) if parent else None, "tags": list(tags),
                "isbefore": [], "duplicate_of": [], "not_duplicate_of": [], "pr_ref": None,
                "description": description, "fields": dict(fields or {})}
        item_id = make_id("WI" if kind == "work_item" else "INV", data)
        ops = [make_op("create", by="human", actor="alice", clock=1, body={"data": data},
                       at=self._at(minute), nonce=self._nonce())]
        for n, (op_type, by, actor, body) in enumerate(then, 2):
            ops.append(make_op(op_type, by=by, actor=actor, clock=n, body=body,
                               at=self._at(minute + n), nonce=self._nonce()))
        path = self.layout.ops_dir(tier) / f".{item_id}.ops"
        path.write_text("".join(serialize_op(op) for op in ops), encoding="utf-8")
        self.ids[name] = item_id
        return item_id


def build(root: Path) -> Sample:
    """The sample: work in every status, a parent with children, a before-link, a discussion
    waiting on the human, a locked and a frozen item, a refused agent op, a damaged file, and
    an item whose title and messages try to restyle the screen."""
    root.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    s = Sample(root)
    s.item("epic", "Ship the board view", tier="canonical", priority=1, tags=["ui"],
           description="The board shows a column per status.\nCards move with keys.", minute=0)
    s.item("cards", "Cards move between columns", parent="epic", tags=["ui"], minute=10,
           then=[("discuss", "agent", "alpha_agent", {"message": "Which key moves a card?"})])
    s.item("columns", "One column per status", parent="epic", status="in_progress",
           tags=["ui"], minute=20,
           then=[("update", "agent", "beta_agent", {"set": {"status": "in_progress"}})])
    s.item("review", "Review the parser change", status="needs_human_review", priority=0,
           tags=["parser"], minute=30,
           then=[("discuss", "agent", "alpha_agent", {"message": "Ready for your review."})])
    s.item("locked", "Decide the release date", priority=1, minute=40,
           then=[("lock", "human", "alice", {"lock": ["status", "priority"]}),
                 ("update", "agent", "beta_agent", {"set": {"priority": 4}})])
    s.item("done", "Index format 7", status="done", tier="canonical", tags=["perf"], minute=50,
           then=[("lock", "human", "alice", {"lock": list(LOCKABLE)})])
    s.item("soft", "Tidy the docs", status="todo_soft", priority=3, tags=["docs"], minute=60,
           then=[("discuss", "human", "alice", {"message": "Please keep it short."})])
    s.item("hostile", HOSTILE_TITLE, priority=2, tags=["ui"], minute=70,
           description="desc\x1b]52;c;aGk=\x07 [b]not bold[/b]",
           then=[("discuss", "agent", "gamma_agent", {"message": HOSTILE_MESSAGE})])
    s.item("stealthy", "A local experiment", tier="stealth", status="todo_soft", minute=80)
    blocker = s.ids["review"]
    path = s.layout.ops_dir("workspace") / f".{blocker}.ops"
    path.write_text(path.read_text() + serialize_op(make_op(
        "update", by="human", actor="alice", clock=9, body={"set": {}, "add": {
            "isbefore": [s.ids["cards"]]}}, at=s._at(35), nonce=s._nonce())))
    damaged = s.layout.ops_dir("workspace") / ".WI-damag-edfil-ebaba-babab-babab-babab-babab-babab.ops"
    damaged.write_bytes(b"- op: create  # 00000000000000ff\n  at: \xff\xfe\n")
    s.ids["damaged"] = "WI-damag-edfil-ebaba-babab-babab-babab-babab-babab"
    return s
