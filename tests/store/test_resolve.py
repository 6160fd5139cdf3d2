"""Finding an item from what a user typed: full ID, prefix, first word, :N — never a path."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from htrac.core.errors import AmbiguousError, InvalidValueError, NotFoundError
from htrac.service.tracker import Tracker


@pytest.fixture
def tracker(tmp_tracker):
    return Tracker.open(tmp_tracker.path)


def test_resolve_full_id_prefix_and_first_word(tracker):
    item = tracker.add(kind="work_item", title="First item", priority=1)
    for ref in (item.id, item.id[:8], "dajam", "WI-dajam-vu"):
        assert tracker.store.resolve(ref) == ("workspace", item.id)


def test_resolve_prefers_canonical_for_an_id_in_two_tiers(tracker):
    item = tracker.add(kind="work_item", title="Twice", tier="canonical")
    src = tracker.layout.item_path("canonical", item.id)
    tracker.layout.item_path("workspace", item.id).write_bytes(src.read_bytes())
    assert tracker.store.resolve(item.id[:10]) == ("canonical", item.id)


def test_resolve_ambiguous_prefix_lists_the_candidates(tracker):
    a = tracker.add(kind="work_item", title="A")
    b = tracker.add(kind="work_item", title="B")
    with pytest.raises(AmbiguousError) as err:
        tracker.store.resolve("WI-")
    assert a.id in str(err.value) and b.id in str(err.value)


def test_resolve_alias_uses_the_last_list(tracker):
    item = tracker.add(kind="work_item", title="Aliased")
    tracker.store.aliases.save([item.id])
    assert tracker.store.resolve(":1") == ("workspace", item.id)
    with pytest.raises(NotFoundError, match="out of range"):
        tracker.store.resolve(":2")


@pytest.mark.parametrize("ref", ["../../etc/passwd", "/etc/passwd", "x/../y", "a\0b", "." * 5,
                                 "W" * 200, ":../1"])
def test_resolve_refuses_path_like_references(tracker, ref):
    with pytest.raises((InvalidValueError, NotFoundError)):
        tracker.store.resolve(ref)


def test_resolve_unknown_prefix_is_not_found(tracker):
    with pytest.raises(NotFoundError, match="no item matches"):
        tracker.store.resolve("zzzzz")


NAMES = ["WI-babab-dajam", "WI-babab-dajam-x", "WI-dajam-babab", "INV-babab", "AB_C-dajam",
         "WI-bab", "WI", "x-babab"]


@given(refs=st.lists(st.sampled_from(["WI", "WI-", "WI-bab", "WI-babab", "babab", "dajam", "bab",
                                      "INV", "AB_C", "x", "dajam-babab", "WI-babab-dajam",
                                      "WI-babab-dajam-x", "zzz", "-babab", "AB_C-dajam"]),
                     min_size=1, max_size=5))
@settings(max_examples=50, deadline=None)
def test_resolve_candidates_equal_a_filter_of_every_id(tmp_path_factory, refs):
    """Only names that could match are looked at closely, and the answer is the same."""
    from htrac.core.ids import matches
    from htrac.store.layout import Layout

    root = tmp_path_factory.mktemp("layout") / ".agent"
    layout = Layout(root)
    ops = layout.ops_dir("workspace")
    ops.mkdir(parents=True)
    for name in NAMES:
        (ops / f".{name}.ops").write_text("")
    (ops / ".WI-dajam-dir.ops").mkdir()  # not a regular file: never an item
    (ops / "WI-babab-nodot.ops").write_text("")  # not an ops file name
    for ref in refs:
        expected = [i for i in layout.item_ids("workspace") if matches(i, ref)]
        assert layout.item_ids_matching("workspace", ref) == expected


def test_resolve_reuses_a_listing_only_while_the_directory_is_unchanged(tracker):
    """One command may resolve several references; the tier's listing is reused between them
    only while the directory provably didn't change."""
    import os

    first = tracker.add(kind="work_item", title="First", priority=1)
    ops = tracker.layout.ops_dir("workspace")
    old = os.stat(ops).st_mtime_ns - 10_000_000_000
    os.utime(ops, ns=(old, old))  # settled: the listing may be kept
    store = tracker.store
    assert store.resolve(first.id[:12]) == ("workspace", first.id)
    second = tracker.add(kind="work_item", title="Second", priority=1)  # changes the directory
    assert store.resolve(second.id) == ("workspace", second.id)
    os.utime(ops, ns=(old, old))  # the same times again, as if in one tick: the ctime differs
    third = tracker.add(kind="work_item", title="Third", priority=1)
    os.utime(ops, ns=(old, old))
    assert store.resolve(third.id) == ("workspace", third.id)
    (ops / f".{third.id}.ops").unlink()
    os.utime(ops, ns=(old, old))
    with pytest.raises(NotFoundError):
        store.resolve(third.id)


def test_resolve_full_id_is_the_file_of_that_name_without_listing(tracker, monkeypatch):
    """A whole ID names the item whose file has exactly that name — in the first tier that has
    one — without listing a directory (a write at 10,000 items spent 5 ms on the listings)."""
    import os

    item = tracker.add(kind="work_item", title="Exactly", tier="canonical")
    src = tracker.layout.item_path("canonical", item.id)
    tracker.layout.item_path("workspace", item.id).write_bytes(src.read_bytes())
    longer = tracker.layout.ops_dir("workspace") / f".{item.id}-x.ops"
    longer.write_bytes(src.read_bytes())  # a longer name is not the item the ID names

    def no_listing(*_args):
        raise AssertionError("a whole ID needs no directory listing")

    monkeypatch.setattr(os, "listdir", no_listing)
    assert tracker.store.resolve(item.id) == ("canonical", item.id)
    monkeypatch.undo()
    assert tracker.store.resolve(f"{item.id}-x") == ("workspace", f"{item.id}-x")
    gone = item.id[:-1] + ("a" if item.id[-1] != "a" else "b")
    with pytest.raises(NotFoundError):
        tracker.store.resolve(gone)
