"""What went wrong reading or folding an item, kept on the item so every surface can report it."""

from __future__ import annotations

from .record import record

DAMAGED = "damaged"  # bytes that could not be read as an op
REJECTED = "rejected"  # an op that was read but may not take effect (schema or authority)
UNKNOWN = "unknown-op"  # an op type this version does not know; kept, not applied
NOTE = "note"  # a value replaced by its default, an ignored extra key
TAMPERED = "tampered"  # a human op says it saw an op the file no longer holds
# The item is on a loop of isbefore or parent links: a problem between items, so no fold finds
# it; the service adds it to an item it shows (never stored in the index).
LOOP = "loop"


@record(frozen=True)
class Problem:
    """Something wrong with an op or an item: its kind, why, and where in the log."""

    kind: str
    reason: str
    line: int = 0
    nonce: str | None = None
    op: str | None = None

    def describe(self) -> str:
        where = f"line {self.line}: " if self.line else ""
        what = f"{self.op} op " if self.op else "op " if self.nonce or self.line else ""
        ident = f"{self.nonce} " if self.nonce else ""
        return f"{where}{self.kind} {what}{ident}— {self.reason}"

    def as_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "reason": self.reason, "line": self.line,
                "nonce": self.nonce, "op": self.op}
