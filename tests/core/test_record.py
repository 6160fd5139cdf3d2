"""`core.record` builds classes that behave as the dataclasses they replace on the read path."""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass
from dataclasses import field as dc_field

import pytest

from htrac.core.claims import Claim, LostClaim
from htrac.core.item import Entry, Item
from htrac.core.ops import Op
from htrac.core.problems import Problem
from htrac.core.record import FrozenRecordError, field, fields, record


@record()
class Point:
    x: int
    y: int = 0
    tags: list[str] = field(default_factory=list)


@record(frozen=True)
class Frozen:
    name: str
    size: int = 1


@dataclass(slots=True)
class PointAsDataclass:
    x: int
    y: int = 0
    tags: list[str] = dc_field(default_factory=list)


def test_record_defaults_and_factories_are_fresh_per_record():
    a, b = Point(1), Point(2, 3)
    a.tags.append("t")
    assert (a.x, a.y, a.tags) == (1, 0, ["t"]) and b.tags == []
    assert Point(1, tags=["u"]).tags == ["u"]


def test_record_compares_prints_and_refuses_like_a_dataclass():
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(1, 3)
    assert Point(1) != PointAsDataclass(1)  # another class is never equal
    assert repr(Point(1, 2, ["a"])) == repr(PointAsDataclass(1, 2, ["a"])).replace(
        "PointAsDataclass", "Point")
    with pytest.raises(TypeError):
        hash(Point(1))  # mutable and compared by value: unhashable, as a dataclass
    with pytest.raises(TypeError):
        Point()  # type: ignore[call-arg]
    with pytest.raises(AttributeError):
        Point(1).z = 3  # type: ignore[attr-defined]  # slots: no new attributes


def test_frozen_record_is_hashable_and_refuses_assignment():
    f = Frozen("a")
    assert hash(f) == hash(Frozen("a", 1)) and {f, Frozen("a")} == {f}
    with pytest.raises(FrozenRecordError):
        f.name = "b"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del f.size  # type: ignore[misc]


@pytest.mark.parametrize("value", [
    Frozen("a", 2), Point(1, 2, ["x"]),
    Op("update", "2026-01-01T00:00:00Z", "agent", "a", 3, "n1", {"title": "t"}, None),
    Problem("damaged", "why", 3, "n", "update"),
    LostClaim("a", "s", "take", "at", "n", "held", None),
    Claim("a", "s", "agent", "at", 60, "n", "todo_hard", ["at"], ["src/*"], None),
])
def test_records_survive_pickle_and_copy(value):
    """The index build's workers send records back pickled."""
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.copy(value) == value and copy.deepcopy(value) == value


def test_fields_lists_the_annotated_fields_in_order():
    assert fields(Point) == ("x", "y", "tags")
    assert fields(Entry)[:4] == ("by", "actor", "at", "message")
    assert fields(Item)[0] == "id" and "discussion" in fields(Item)
    assert Item("X").discussion is not Item("X").discussion
