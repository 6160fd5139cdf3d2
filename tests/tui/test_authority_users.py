"""The TUI run by a real agent OS user gets no more than the agent's CLI: lock, freeze, clear
the discussion and a human-only status are refused with a notification, and nothing is written.

The TUI is driven by Textual's pilot inside a process running as the agent user (its own
environment, its own home), on a tracker the agent can write — so only authority stops it."""

from __future__ import annotations

import json
import textwrap

import pytest
from os_users import AGENT, machine_or_skip

pytestmark = pytest.mark.slow

SCRIPT = textwrap.dedent("""
    import asyncio, json, sys
    from pathlib import Path
    from htrac.tui.app import create_app
    from htrac.tui.widgets.itemlist import ItemList

    async def settle(pilot, app):
        await pilot.pause(0.1)
        busy = [w for w in app.workers if w.group != "form"]
        if busy:
            await app.workers.wait_for_complete(busy)
        await pilot.pause(0.1)

    async def main(item_id):
        app = create_app(start=Path.cwd(), live=False)
        notes = []
        async with app.run_test(size=(120, 36)) as pilot:
            await settle(pilot, app)
            await pilot.press("1")
            await settle(pilot, app)
            assert app.main.query_one("#items", ItemList).move_to(item_id)
            await settle(pilot, app)
            steps = [["l", *"status", "enter"], ["z"], ["D", "ctrl+s"],
                     ["e", "tab", "enter", "end", "enter", "ctrl+s"]]
            for keys in steps:
                for key in keys:
                    await pilot.press(key)
                    await pilot.pause(0.2)
                await settle(pilot, app)
                notes.append([n.message for n in app._notifications])
            status = app.screen.query_one("#status-line").render()
        print(json.dumps({"notes": notes, "status": str(status)}))

    asyncio.run(main(sys.argv[1]))
""")


@pytest.fixture(scope="module")
def machine():
    yield from machine_or_skip()


def test_tui_as_agent_cannot_govern(machine):
    home = machine.home(AGENT)
    repo = home / "htrac-tui-authz"
    machine.run(AGENT, "mkdir", "-p", str(repo), cwd=home)
    machine.git(AGENT, "init", "-q", "-b", "main", cwd=repo)
    machine.ok(AGENT, "init", cwd=repo)
    item = machine.ok(AGENT, "add", "--kind", "work_item", "--title", "Agent work",
                      cwd=repo).strip()
    machine.ok(AGENT, "discuss", item, "a note", cwd=repo)
    path = repo / ".agent" / "tracker-workspace" / ".ops" / f".{item}.ops"
    before = path.read_bytes()
    script = home / "pilot.py"
    script.write_text(SCRIPT)
    run = machine.run(AGENT, str(machine.venv / "bin" / "python"), str(script), item, cwd=repo)
    assert run.code == 0, run.err[-3000:]
    result = json.loads(run.out.strip().splitlines()[-1])
    notes = result["notes"]
    assert any("human" in n for n in notes[0]), notes  # lock refused
    assert any("human" in n for n in notes[1][len(notes[0]):]), notes  # freeze refused
    assert len(notes[2]) > len(notes[1]), notes  # clear refused
    assert len(notes[3]) > len(notes[2]), notes  # status `deleted` refused
    assert "agent" in result["status"]
    assert path.read_bytes() == before  # nothing was written
    shown = machine.item(AGENT, item, cwd=repo)
    assert shown["locked_fields"] == [] and not shown["frozen"]
    assert shown["status"] == "todo_hard" and len(shown["discussion"]) == 1
