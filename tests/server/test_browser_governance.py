"""What the TUI offers, from the page in a real browser (Debian's Chromium): clearing a
discussion (asked first), repairing a frozen item's drift, opening and closing edit mode with its
banner, the activity view following a CLI change live, setting the parent and before links, and
marking a discussion unread, the kind's fields, and the tree of items under their parents."""

from __future__ import annotations

import json

import browser
import pytest
from browser import log_in, ops_text

from htrac.core.oplog import read_oplog
from htrac.core.ops import make_op
from htrac.core.serialize import serialize_op

pytestmark = pytest.mark.skipif(browser.skip_reason() is not None,
                                reason=browser.skip_reason() or "")


def _types(text: str) -> list[str]:
    return [op.type for op in read_oplog(text.encode()).ops]


def test_clear_the_discussion_from_the_page(server, page):
    item_id = server.add("Argued about at length")
    server.htrac("discuss", item_id, "An agent's **first** point")
    server.htrac("discuss", item_id, "An agent's second point")
    log_in(page, server.origin)
    page.goto(f"{server.origin}/items/{item_id}")
    page.wait_for_selector(".discussion .message >> text=second point")
    page.click(".actions button[name=clear]")
    dialog = page.locator("[role=alertdialog]")
    dialog.wait_for()
    assert "2 message(s)" in dialog.inner_text()
    browser.screenshot(page, "detail-clear-confirm")
    page.click("[role=alertdialog] button[name=cancel]")  # asked, and said no: nothing written
    dialog.wait_for(state="detached")
    assert "discuss_clear" not in _types(ops_text(server, item_id))
    page.keyboard.press("D")  # the TUI's key asks the same
    page.click("[role=alertdialog] button[name=confirm]")
    page.wait_for_selector("[role=status] >> text=Discussion cleared")
    assert page.locator(".discussion .message").count() == 0
    assert _types(ops_text(server, item_id))[-1] == "discuss_clear"
    assert json.loads(server.htrac("--json", "show", item_id))["discussion"] == []


def test_repair_drift_from_the_page(server, page):
    item_id = server.add("Frozen, then drifted")
    [path] = server.repo.glob(f".agent/**/.{item_id}.ops")
    created = path.read_text()
    server.htrac("update", item_id, "--priority", "0")
    server.htrac("freeze", item_id)
    path.write_text(created)  # a bad checkout lost the update and the freeze's lock
    log_in(page, server.origin)
    page.goto(f"{server.origin}/items/{item_id}")
    page.wait_for_selector("h1 >> text=Frozen, then drifted")
    assert page.locator(".actions button[name=repair]").count() == 0  # the log says unfrozen
    page.keyboard.press("R")
    page.click("[role=alertdialog] button[name=confirm]")
    page.wait_for_selector("[role=status] >> text=2 ops put back")
    page.wait_for_selector(".badges .frozen")
    assert _types(ops_text(server, item_id)) == ["create", "update", "lock"]
    page.click(".actions button[name=repair]")
    page.click("[role=alertdialog] button[name=confirm]")
    page.wait_for_selector("[role=status] >> text=No drift")


def test_edit_mode_from_the_page_and_activity_live(server, page):
    item_id = server.add("Watched from the activity view")
    log_in(page, server.origin)
    page.goto(f"{server.origin}/activity")
    page.wait_for_selector(f".activity tr[data-id='{item_id}']")
    banner = page.locator("[data-edit-mode=on]")
    assert banner.count() == 0
    page.click("button[name=edit-mode]")
    banner.wait_for()
    assert "EDIT MODE ON" in banner.inner_text() and "0/500 ops" in banner.inner_text()
    status = json.loads(server.htrac("--json", "edit-mode", "status"))
    assert status["active"] is True and status["cap_max"] == 500
    # an agent's reply made with the CLI arrives in the activity view, as text
    server.htrac("discuss", item_id, "<img src=x onerror=alert(1)> **not bold here**")
    said = page.locator(f".activity tr[data-id='{item_id}'] td.what >> text=said: <img src=x")
    said.wait_for(timeout=30_000)
    assert page.locator(".activity img").count() == 0
    browser.screenshot(page, "activity-edit-mode")
    page.keyboard.press("E")  # closes it again
    banner.wait_for(state="detached")
    assert json.loads(server.htrac("--json", "edit-mode", "status"))["active"] is False
    edit_log = "".join(p.read_text() for p in server.repo.glob("**/.edit-mode/edit-mode.ops"))
    assert _types(edit_log)[-2:] == ["edit-mode-on", "edit-mode-off"]


def test_parent_before_links_and_unread_from_the_page(server, page):
    parent, after, item_id = (server.add("The epic"), server.add("Comes after"),
                              server.add("Linked from the page"))
    asked = make_op("discuss", by="agent", actor="bot_agent", clock=5,
                    body={"message": "an agent asks something"})
    [path] = server.repo.glob(f".agent/**/.{item_id}.ops")
    with open(path, "a") as log:
        log.write(serialize_op(asked))  # an agent's message: unread by the human so far
    assert item_id in server.htrac("--json", "check-messages", "--human")
    log_in(page, server.origin)
    page.goto(f"{server.origin}/items/{item_id}")
    page.wait_for_selector("h1 >> text=Linked from the page")
    page.keyboard.press("e")
    page.fill("form.edit input[name=parent]", parent)
    page.fill("form.edit input[name=isbefore]", after)
    page.fill("form.edit textarea[name=fields]", "owner = alice\nsize=3")
    page.click("form.edit button[type=submit]")
    page.wait_for_selector(f".deps >> text=Parent: {parent.split('-')[0]}")
    page.wait_for_selector(f".deps a[href='/items/{after}']")
    shown = json.loads(server.htrac("--json", "show", item_id))
    assert (shown["parent"], shown["isbefore"]) == (parent, [after])
    assert shown["fields"] == {"owner": "alice", "size": "3"}
    page.keyboard.press("e")  # and undone: the parent cleared, the link and a field removed
    page.fill("form.edit input[name=parent]", "")
    page.fill("form.edit input[name=isbefore]", "")
    assert page.input_value("form.edit textarea[name=fields]") == "owner=alice\nsize=3"
    page.fill("form.edit textarea[name=fields]", "size=3")
    page.click("form.edit button[type=submit]")
    page.wait_for_selector(".deps", state="detached")
    shown = json.loads(server.htrac("--json", "show", item_id))
    assert (shown["parent"], shown["isbefore"], shown["fields"]) == (None, [], {"size": "3"})
    # opening it marked the discussion read; `u` puts it back in needs-you
    needs = json.loads(server.htrac("--json", "check-messages", "--human"))
    assert item_id not in json.dumps(needs)
    page.keyboard.press("u")
    page.wait_for_selector("[role=status] >> text=Marked unread")
    needs = json.loads(server.htrac("--json", "check-messages", "--human"))
    assert item_id in json.dumps(needs)


def test_tree_shows_items_under_their_parents_and_survives_a_loop(server, page):
    epic = server.add("Tree epic")
    child = server.add("Tree child", "--parent", epic)
    grandchild = server.add("Tree grandchild", "--parent", child)
    first, second = server.add("Loop one"), server.add("Loop two")
    server.htrac("update", first, "--parent", second)
    # the loop closed by hand, as an agent could write it (the CLI refuses loops)
    [path] = server.repo.glob(f".agent/**/.{second}.ops")
    with open(path, "a") as log:
        log.write(serialize_op(make_op("update", by="agent", actor="bot_agent", clock=7,
                                       body={"set": {"parent": first}})))
    assert json.loads(server.htrac("--json", "show", second))["parent"] == first
    log_in(page, server.origin)
    page.keyboard.press("5")
    page.wait_for_selector(f".tree li[data-id='{grandchild}']")
    nested = f".tree > li[data-id='{epic}'] > ul > li[data-id='{child}'] > ul > li[data-id='{grandchild}']"
    assert page.locator(nested).count() == 1
    for item_id in (first, second):  # each shown once, one under the other
        assert page.locator(f".tree li[data-id='{item_id}']").count() == 1
    browser.screenshot(page, "tree")


def test_release_a_claim_from_the_page(server, page):
    """The TUI's C on the page: asked first (naming the holder), then the item is free."""
    item_id = server.add("Held by a session that died")
    server.claim_long_ago(item_id)
    log_in(page, server.origin)
    page.goto(f"{server.origin}/items/{item_id}")
    page.click(".actions button[name=release]")
    dialog = page.locator("[role=alertdialog]")
    dialog.wait_for()
    assert "/gone-session" in dialog.inner_text()
    page.click("[role=alertdialog] button[name=cancel]")  # said no: nothing written
    dialog.wait_for(state="detached")
    assert "claim" in json.loads(server.htrac("--json", "show", item_id))
    page.click(".actions button[name=release]")
    page.click("[role=alertdialog] button[name=confirm]")
    page.wait_for_selector("[role=status] >> text=Released")
    browser.screenshot(page, "detail-claim-released")
    assert page.locator(".actions button[name=release]").count() == 0
    assert "claim" not in json.loads(server.htrac("--json", "show", item_id))
