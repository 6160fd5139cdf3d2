"""The watcher's journal: which names changed after a token, and when it can't say."""

from __future__ import annotations

from htrac.store import watch_journal
from htrac.store.watch_journal import Journal


def test_watch_journal_names_changes_after_a_token_once_each():
    journal = Journal("abc")
    journal.reset("started")
    start = journal.token
    journal.begin()
    journal.note("workspace", "WI-1")
    journal.note("canonical", "WI-2")
    journal.note("workspace", "WI-1")
    middle = journal.token
    journal.begin()
    journal.note("stealth", "WI-3")
    assert journal.since(start) == {"canonical": ["WI-2"], "workspace": ["WI-1"],
                                    "stealth": ["WI-3"]}
    assert journal.since(middle) == {"canonical": [], "workspace": [], "stealth": ["WI-3"]}
    assert journal.since(journal.token) == {"canonical": [], "workspace": [], "stealth": []}


def test_watch_journal_one_number_per_batch():
    journal = Journal("abc")
    journal.begin()
    journal.note("workspace", "WI-1")
    journal.note("workspace", "WI-2")
    assert journal.seq == 1
    journal.begin()  # a batch without changes takes no number
    assert journal.seq == 1


def test_watch_journal_cannot_answer_across_a_reset_or_another_instance():
    journal = Journal("abc")
    before = journal.token
    journal.begin()
    journal.note("workspace", "WI-1")
    journal.reset("the kernel's event queue overflowed")
    assert journal.since(before) == "the kernel's event queue overflowed"
    assert isinstance(journal.since(journal.token), dict)
    assert journal.since(None) == "no token yet"
    assert "another watcher" in journal.since("other:1")
    assert journal.since("abc:x") == "unreadable token"
    assert journal.since(f"abc:{journal.seq + 1}") == "the token is from the future"


def test_watch_journal_too_many_changes(monkeypatch):
    monkeypatch.setattr(watch_journal, "LIMIT", 3)
    journal = Journal("abc")
    start = journal.token
    journal.begin()
    for n in range(4):
        journal.note("workspace", f"WI-{n}")
    assert journal.since(start) == "more than 3 files changed"


def test_watch_journal_forgets_by_resetting(monkeypatch):
    monkeypatch.setattr(watch_journal, "REMEMBER", 2)
    journal = Journal("abc")
    start = journal.token
    journal.begin()
    for n in range(3):
        journal.note("workspace", f"WI-{n}")
    assert journal.since(start) == "more changed files than the watcher remembers"
    assert journal.since(journal.token) == {"canonical": [], "workspace": [], "stealth": []}
