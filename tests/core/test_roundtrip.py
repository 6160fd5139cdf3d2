"""parse(serialize(op)) == op for any op the schema accepts, hostile strings included."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from tests_support import FULL  # noqa: F401  (scales the run in CI)

from htrac.core.oplog import read_oplog
from htrac.core.ops import make_op
from htrac.core.schema import SchemaError, check_op
from htrac.core.serialize import serialize_op

text = st.text(st.characters(codec="utf-8", exclude_characters="\0"), max_size=40)
hostile = st.one_of(text, st.sampled_from([
    "- op: create", "  # abcd", "' \" \\ \n", "&a *a !!tag", "yes", "on", "12:30", "0x1F", "~",
    "null", "[a, b]", "{x: 1}", "\u2028\x85\u2029", "\ufeff", "   ", "#", "--- ", "key: value"]))
scalar = st.one_of(hostile, st.integers(-(1 << 62), 1 << 62), st.booleans())
ident = st.from_regex(r"[A-Z]{2,3}-[a-z]{5}(-[a-z]{5}){7}", fullmatch=True)
tag = st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True)


def data_strategy():
    return st.fixed_dictionaries({
        "kind": st.just("work_item"), "title": hostile.filter(str.strip),
        "status": st.sampled_from(["todo_hard", "done"]), "priority": st.integers(0, 4),
        "parent": st.one_of(st.none(), ident), "tags": st.lists(hostile.filter(bool), max_size=3),
        "isbefore": st.lists(ident, max_size=2), "duplicate_of": st.lists(ident, max_size=1),
        "not_duplicate_of": st.just([]), "pr_ref": st.one_of(st.none(), hostile),
        "description": hostile,
        "fields": st.dictionaries(hostile.filter(lambda s: s and "." not in s), scalar, max_size=3),
    })


ops = st.one_of(
    st.builds(lambda d: ("create", {"data": d}), data_strategy()),
    st.builds(lambda t, p, f: ("update", {"set": {"title": t, "pr_ref": p, "fields": f},
                                          "add": {"tags": ["x"]}}),
              hostile.filter(str.strip), st.one_of(st.none(), hostile),
              st.dictionaries(hostile.filter(lambda s: s and "." not in s),
                              st.one_of(st.none(), scalar), max_size=3)),
    st.builds(lambda m: ("discuss", {"message": m}), hostile),
    st.builds(lambda names: ("lock", {"lock": names}),
              st.lists(st.sampled_from(["title", "status", "fields.x", "discussion"]),
                       min_size=1, max_size=3)),
)


@settings(max_examples=1500 if FULL else 300, deadline=None)
@given(ops, st.sampled_from(["agent", "human"]), hostile.filter(bool), st.integers(0, 1 << 40))
def test_roundtrip_parse_of_serialize_is_identity(spec, by, actor, clock):
    op_type, body = spec
    op = make_op(op_type, by=by, actor=actor, clock=clock, body=body)
    try:
        check_op(op, _vocab())
    except SchemaError:
        return  # the writer refuses it; nothing to round-trip
    written = serialize_op(op)
    assert read_oplog(written.encode()).ops == [op]
    assert all(line.endswith(f"  # {op.nonce}") for line in written.splitlines())


def _vocab():
    from htrac.core.config import load_config
    return load_config(None).vocabulary()
