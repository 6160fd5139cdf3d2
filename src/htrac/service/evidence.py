"""Evidence for closing an item: checked against git when it is written, and again by
`htrac verify` (and the stop hook) for as long as the item stays closed.

At write time (`prepare`): each `--evidence` entry is checked for form; a `commit:` prefix is
resolved to the full hash, which must name a commit here and — when the rule names branches —
be reachable from one of them; a `test:` name must be found in the repository's files. A `pr:`
or `url:` entry can't be checked before it is merged or without the network, and is taken as
written. These checks bind everyone who cites evidence; whether an agent *must* cite any is the
policy's rule (`htrac.policy.memoryrules`), applied again by the fold.

Afterwards (`verify`): every closed item's evidence is asked of git again (`gitio.evidence`). An
item an agent closed under the rule whose evidence is now gone (a commit rebased away, a test
deleted) or can't be verified (a `url:`, a pull request no commit mentions, no git) is
*unproven*: `htrac verify` says so and exits non-zero, and the stop hook counts it as open work.
A human's close is the human's word: reported, never counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ..core import evidence as forms
from ..core.errors import InvalidValueError
from ..core.ops import AGENT
from ..gitio import evidence as git_evidence
from ..gitio.evidence import GONE, OK, UNKNOWN, Answer

if TYPE_CHECKING:
    from ..core.item import Item
    from .tracker import Tracker

VERIFIED = "verified"
UNPROVEN = ("gone", "unverifiable", "missing")


def prepare(tracker: Tracker, entries: list[str] | tuple[str, ...]) -> list[str]:
    """The evidence to write for `entries` as typed, normalized and checked against git."""
    prepared: list[str] = []
    repo = tracker._repo_root() if entries else None
    rule = tracker.config.evidence
    for entry in entries:
        form, _, value = entry.partition(":")
        if form == "commit" and value:
            if repo is None:
                raise InvalidValueError("commit evidence needs a git repository")
            sha = git_evidence.resolve_commit(repo, value.lower())
            if sha is None:
                raise InvalidValueError(f"evidence {entry!r}: no such commit here "
                                        "(commit it first, or give the full hash)")
            entry = f"commit:{sha}"
        try:
            forms.check_entry(entry)
        except ValueError as exc:
            raise InvalidValueError(str(exc)) from None
        if form not in rule.accept:
            raise InvalidValueError(f"evidence {entry!r}: this tracker accepts only "
                                    f"{', '.join(f + ':…' for f in rule.accept)}")
        answer = _write_time(repo, tracker, entry)
        if answer is not None and answer.state != OK:
            raise InvalidValueError(f"evidence {entry!r}: {answer.detail}")
        if entry not in prepared:
            prepared.append(entry)
    return prepared


def _write_time(repo: Path | None, tracker: Tracker, entry: str) -> Answer | None:
    form, _, value = entry.partition(":")
    if form == "commit":
        return git_evidence.commit(repo, value, tracker.config.evidence.branches)
    if form == "test":
        if repo is None:
            return Answer(UNKNOWN, "test evidence needs a git repository to look the test up")
        return git_evidence.test_name(repo, value, ())
    return None


@dataclass(slots=True)
class Verdict:
    item: Item
    state: str  # verified | gone | unverifiable | missing | human | none
    details: list[str] = field(default_factory=list)

    @property
    def counts_open(self) -> bool:
        """Does the stop hook count this closed item as open work?"""
        return self.state in UNPROVEN


class Checker:
    """Answers about evidence entries for one command, asking git as little as it can: the
    commits reachable from the rule's branches are listed once."""

    def __init__(self, tracker: Tracker) -> None:
        self.tracker = tracker
        self.rule = tracker.config.evidence
        self.repo = tracker._repo_root()
        self._answers: dict[str, Answer] = {}

    def prefetch(self, items: list[Item]) -> None:
        """Answer every cited commit of `items` with two git processes in all: which exist,
        and (when the rule names branches) which the branches reach."""
        shas = sorted({e.partition(":")[2] for i in items for e in i.evidence
                       if e.startswith("commit:")} - {e.partition(":")[2] for e in
                                                      self._answers})
        if not shas or self.repo is None:
            return
        exist = git_evidence.existing_commits(self.repo, shas)
        if exist is None:
            return  # asked one by one later, each saying what went wrong
        branches = self.rule.branches
        tips = git_evidence.branch_tips(self.repo, branches) if branches else {}
        on = git_evidence.reachable(self.repo, list(tips.values())) if tips else None
        for sha in shas:
            entry = f"commit:{sha}"
            if sha not in exist:
                self._answers[entry] = Answer(GONE, f"commit {sha[:12]} is not in this "
                                                    "repository")
            elif not branches:
                self._answers[entry] = Answer(OK, f"commit {sha[:12]} exists")
            elif on is not None and sha in on:
                self._answers[entry] = Answer(OK, f"commit {sha[:12]} is on "
                                                  f"{' or '.join(tips)}")
            elif on is not None:
                self._answers[entry] = Answer(GONE, f"commit {sha[:12]} is not on "
                                                    f"{' or '.join(tips)}")

    def item(self, item: Item) -> Verdict:
        cited = list(item.evidence)
        if not cited:
            needed = self.rule.needs(item.kind, item.status)
            if needed and item.status_by == AGENT:
                return Verdict(item, "missing", ["closed by an agent without evidence"])
            return Verdict(item, "human" if needed else "none")
        answers = [self.answer(e) for e in cited]
        details = [f"{e}: {a.detail}" for e, a in zip(cited, answers, strict=True)]
        if any(a.state == GONE for a in answers):
            state = "gone"
        elif any(a.state == OK for a in answers):
            state = VERIFIED
        else:
            state = "unverifiable"
        if state != VERIFIED and item.status_by != AGENT:
            state = "human"  # a human's close stands; the details still say what failed
        return Verdict(item, state, details)

    def answer(self, entry: str) -> Answer:
        if entry not in self._answers:
            self._answers[entry] = self._ask(entry)
        return self._answers[entry]

    def _ask(self, entry: str) -> Answer:
        form, _, value = entry.partition(":")
        if form == "url":
            return Answer(UNKNOWN, "a URL can't be checked against git")
        if self.repo is None:
            return Answer(UNKNOWN, "not in a git repository")
        branches = self.rule.branches
        if form == "commit":
            return git_evidence.commit(self.repo, value, branches)
        revs = tuple(f"refs/heads/{b}" for b in git_evidence.branch_tips(self.repo, branches))
        if branches and not revs:
            return Answer(UNKNOWN, f"none of the branches {', '.join(branches)} exists here")
        if form == "test":
            return git_evidence.test_name(self.repo, value, revs or ("HEAD",))
        return git_evidence.pull_request(self.repo, value, revs)


def closed_items(tracker: Tracker, tiers: tuple[str, ...]) -> list[Item]:
    """Items of `tiers` in a resolved status that cite evidence or whose kind needs it."""
    config = tracker.config
    found = tracker.store.query("matching", tiers, list(config.resolved_statuses), None)
    if found is None:
        found = [i for i in tracker.items(tiers) if i.status in config.resolved_statuses]
    return [i for i in found if not i.damaged and (i.evidence or config.evidence.needs(
        i.kind, i.status))]


def verify(tracker: Tracker, items: list[Item]) -> list[Verdict]:
    checker = Checker(tracker)
    checker.prefetch(items)
    return [checker.item(i) for i in items]


def unproven_rows(tracker: Tracker, tiers: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """(id, status, title) of closed items the stop hook counts as open: closed by an agent
    under the evidence rule, with evidence gone, unverifiable or missing. Nothing to ask when
    the rule requires nothing (the reference's behaviour, and no git call)."""
    if not tracker.config.evidence.require:
        return []
    candidates = [i for i in closed_items(tracker, tiers)
                  if i.status_by == AGENT and tracker.config.evidence.needs(i.kind, i.status)]
    return [(v.item.id, f"{v.item.status} (evidence {v.state})", v.item.title)
            for v in verify(tracker, candidates) if v.counts_open]
