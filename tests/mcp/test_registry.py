"""Which tools a server offers: --tools, --read-only, --allow-human-ops."""

from __future__ import annotations

import pytest

from htrac.core.errors import InvalidValueError
from htrac.mcp.registry import all_tools, select

HUMAN = {"lock", "freeze", "clear_discussion", "delete"}


def names(tools) -> list[str]:
    return [t.name for t in tools]


def test_registry_default_offers_every_tool_but_the_human_ones():
    assert not HUMAN & set(names(select()))
    assert HUMAN <= set(names(select(allow_human_ops=True)))


def test_registry_every_tool_is_annotated_and_human_tools_are_destructive():
    for tool in all_tools():
        assert set(tool.annotations()) == {"readOnlyHint", "destructiveHint"}
        assert tool.description and len(tool.description) < 200
        if tool.human_only:
            assert tool.destructive and not tool.read_only


def test_registry_tools_names_tools_and_toolsets():
    assert names(select("ready,show")) == ["ready", "show"]
    assert set(names(select("tracker,claims,memory"))) == set(names(select()))
    assert names(select("claims")) == ["claim", "heartbeat", "release"]
    assert names(select("memory")) == ["brief", "search", "remember"]
    assert names(select("human", allow_human_ops=True)) == ["lock", "freeze",
                                                            "clear_discussion", "delete"]


def test_registry_read_only_keeps_tools_that_change_nothing():
    chosen = select(read_only=True, allow_human_ops=True)
    assert names(chosen) == ["ready", "show", "list", "check_messages", "count_todos",
                             "brief", "search"]


@pytest.mark.parametrize("spec, allow, message", [
    ("readyy", False, "no tool or toolset 'readyy'"),
    ("lock", False, "lock only with --allow-human-ops"),
    ("human", False, "only with --allow-human-ops"),
])
def test_registry_refuses_what_it_cannot_offer(spec, allow, message):
    with pytest.raises(InvalidValueError, match=message):
        select(spec, allow_human_ops=allow)


def test_registry_nothing_left_is_an_error():
    with pytest.raises(InvalidValueError, match="no tools left"):
        select("add", read_only=True)


def test_registry_bad_option_is_one_line_and_exit_1(tmp_tracker):
    run = tmp_tracker.htrac("mcp", "--tools", "lock")
    assert run.code == 1
    assert run.err == "error: --tools: lock only with --allow-human-ops\n"
    run = tmp_tracker.htrac("mcp", "--port", "8080")
    assert run.code == 2 and "--port and --token-file go with --http" in run.err
