"""`migrate`: what htrac has instead of the reference's one-shot import.

The reference's `migrate` converts two markdown files of its own project's past
(`.agent/invariant-ledger.md`, `work_items.md`) into ops, and on every run scaffolds the tracker
(directories, attributes, a config). Its own documentation calls the conversion historical:
neither file exists in current trees. htrac needs no migration from the reference — it reads
the reference's ops files as they are — and `htrac init` and `htrac setup` do the scaffolding.
So `htrac migrate` converts nothing; it looks at what is there and says what to run.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_LEDGER = Path(".agent") / "invariant-ledger.md"
DEFAULT_WORK_ITEMS = Path("~") / "hypergumbo_lab_notebook" / "work_items.md"


@dataclass
class Plan:
    markdown: list[Path] = field(default_factory=list)  # files the reference would convert
    tracker: bool = False  # a tracker is already here
    steps: list[str] = field(default_factory=list)  # what to run instead

    @property
    def complete(self) -> bool:
        """Nothing left that `migrate` would have done."""
        return self.tracker and not self.markdown

    def as_dict(self) -> dict:
        return {"markdown": [str(p) for p in self.markdown], "tracker": self.tracker,
                "steps": self.steps, "complete": self.complete}


def plan(repo: Path, ledger: Path | None = None, work_items: Path | None = None) -> Plan:
    found = Plan(tracker=(repo / ".agent" / "tracker").is_dir())
    for given, default in ((ledger, repo / DEFAULT_LEDGER),
                           (work_items, DEFAULT_WORK_ITEMS.expanduser())):
        path = given.expanduser() if given else default
        if path.is_file():
            found.markdown.append(path)
    if not found.tracker:
        found.steps.append("htrac init && htrac setup   # the scaffolding migrate wrote")
    if found.markdown:
        args = " ".join(f"--{'ledger' if 'ledger' in p.name else 'work-items'} {p}"
                        for p in found.markdown)
        found.steps.append("python -m venv /tmp/ref && /tmp/ref/bin/pip install "
                           "hypergumbo-tracker==0.11.0 && /tmp/ref/bin/hypergumbo-tracker "
                           f"migrate {args}   # the reference's one-shot import; htrac reads "
                           "the ops it writes")
    return found
