"""count-todos and hash-todos answer as the reference does on trackers without damaged items,
whichever of the two wrote them."""

from __future__ import annotations

import json
import random
import re
import shlex
from pathlib import Path

import pytest
from tests_support import FULL

pytestmark = pytest.mark.oracle

STATUSES = ["todo_hard", "todo_soft", "in_progress", "needs_human_review", "done", "wont_do"]
TITLES = ["Plain", "Quoted \"title\" with 'both'", "Ünïcode — dash", "colon: value", "yes",
          "trailing space ", "#hash", "12:30", "tab\tinside"]
QUERIES = [("count-todos",), ("count-todos", "--hard"), ("count-todos", "--soft"),
           ("count-todos", "--hard", "--soft"), ("hash-todos",)]
JSON_QUERIES = [("count-todos",), ("hash-todos",)]
ITEMS = 80 if FULL else 12


def answers_agree(tracker, reference) -> None:
    for query in QUERIES:
        ref = reference(tracker.path, *query)
        assert ref.code == 0, ref.err
        assert tracker.ok(*query) == ref.out, query
    for query in JSON_QUERIES:
        ref_json = reference(tracker.path, "--json", *query)
        assert json.loads(tracker.ok("--json", *query)) == json.loads(ref_json.out), query


def write_config(tracker, *, scope: str) -> None:
    (tracker.agent_dir / "tracker" / "config.yaml").write_text(
        "kinds:\n  work_item: {prefix: WI}\n  invariant: {prefix: INV}\n"
        "statuses: [todo_hard, violated, todo_soft, in_progress, needs_human_review, done, "
        "wont_do, deleted]\n"
        "stop_hook:\n  blocking_statuses: [todo_hard, violated, todo_soft]\n"
        "  resolved_statuses: [done, wont_do, deleted]\n  human_only_statuses: [deleted]\n"
        f"  scope: {scope}\n"
        "well_known_tags: []\n"
        "actor_resolution: {agent_usernames: ['*_agent']}\nlamport_branches: [dev, main]\n",
        encoding="utf-8")


def populate(batch, seed: int, statuses: list[str]) -> None:
    """Add ITEMS items across the tiers, then change half of them, through `batch(lines)`
    (one process each way, so the oracle tests stay quick)."""
    rng = random.Random(seed)
    adds = []
    for n in range(ITEMS):
        title = f"{rng.choice(TITLES)} s{seed}n{n}"
        adds.append(["add", "--kind", "work_item", "--title", title,
                     "--status", rng.choice(statuses), "--priority", str(rng.randint(0, 4)),
                     "--tier", rng.choice(["canonical", "workspace", "workspace", "stealth"])])
    ids = [r["output"]["id"] for r in batch(adds)["results"]]
    updates = [["update", item, "--status", rng.choice(statuses),
                *(("--title", f"{rng.choice(TITLES)} renamed") if rng.random() < 0.5 else ())]
               for item in rng.sample(ids, len(ids) // 2)]
    batch(updates)


def _script(lines: list[list[str]]) -> str:
    return "".join(shlex.join(line) + "\n" for line in lines)


def htrac_writer(tracker):
    return lambda lines: json.loads(tracker.ok("--json", "batch", "-", input=_script(lines)))


def reference_writer(tracker, reference):
    def run(lines):
        result = reference(tracker.path, "--json", "batch", "-", input=_script(lines))
        assert result.code == 0, result.out + result.err
        return json.loads(result.out)
    return run


@pytest.mark.parametrize("seed", [1, 2] if FULL else [1])
def test_todos_agree_on_a_tracker_written_by_htrac(tmp_tracker, reference, seed):
    populate(htrac_writer(tmp_tracker), seed, STATUSES)
    answers_agree(tmp_tracker, reference)


@pytest.mark.parametrize("seed", [3, 4] if FULL else [3])
def test_todos_agree_on_a_tracker_written_by_the_reference(tmp_tracker, reference, seed):
    populate(reference_writer(tmp_tracker, reference), seed, STATUSES)
    answers_agree(tmp_tracker, reference)


@pytest.mark.parametrize("scope", ["all", "workspace"] if FULL else ["workspace"])
def test_todos_agree_with_scope_and_a_violated_status(tmp_tracker, reference, scope):
    write_config(tmp_tracker, scope=scope)
    statuses = STATUSES + ["violated"]
    populate(htrac_writer(tmp_tracker), 5, statuses)
    populate(reference_writer(tmp_tracker, reference), 6, statuses)
    answers_agree(tmp_tracker, reference)


def test_todos_agree_on_an_empty_tracker(tmp_tracker, reference):
    answers_agree(tmp_tracker, reference)


def _layout(path: str) -> list[str]:
    """The structural lines of a guidance note: headings, counts and item rows."""
    text = Path(path).read_text(encoding="utf-8")
    return [line for line in text.splitlines()[1:]
            if line.startswith(("## ", "- ["))
            or re.fullmatch(r"- [A-Za-z ]+: \d+", line)]


def guidance_agrees(tracker, reference, tmp_path) -> None:
    ours = tracker.ok("guidance", "--guidance-dir", str(tmp_path / "htrac")).strip()
    ref = reference(tracker.path, "guidance", "--guidance-dir", str(tmp_path / "ref"))
    assert ref.code == 0, ref.err
    theirs = ref.out.strip()
    for path in (ours, theirs):
        assert re.fullmatch(r"stop_guidance_\d{8}_\d{4}\.md", Path(path).name)
    assert Path(ours).read_text().splitlines()[0].split(" — ")[0] == \
        Path(theirs).read_text().splitlines()[0].split(" — ")[0]
    assert _layout(ours) == _layout(theirs)


def test_guidance_layout_agrees_with_the_reference(tmp_tracker, reference, tmp_path):
    write_config(tmp_tracker, scope="all")
    populate(htrac_writer(tmp_tracker), 7, STATUSES + ["violated"])
    guidance_agrees(tmp_tracker, reference, tmp_path)


def test_reply_first_layout_agrees_with_the_reference(tmp_tracker, reference, tmp_path):
    populate(htrac_writer(tmp_tracker), 8, STATUSES)
    listed = json.loads(tmp_tracker.ok("--json", "list"))
    for item in listed[:3]:
        tmp_tracker.ok("discuss", item["id"], f"A question about {item['id'][:8]}")
    guidance_agrees(tmp_tracker, reference, tmp_path)


def test_todos_agree_when_no_blocking_status_is_hard(tmp_tracker, reference):
    (tmp_tracker.agent_dir / "tracker" / "config.yaml").write_text(
        "kinds:\n  work_item: {prefix: WI}\n"
        "statuses: [todo, urgent, in_progress, done, wont_do, deleted]\n"
        "stop_hook:\n  blocking_statuses: [todo, urgent]\n"
        "  resolved_statuses: [done, wont_do, deleted]\n  human_only_statuses: [deleted]\n"
        "  scope: all\n"
        "well_known_tags: []\n"
        "actor_resolution: {agent_usernames: ['*_agent']}\nlamport_branches: [dev, main]\n",
        encoding="utf-8")
    populate(htrac_writer(tmp_tracker), 9, ["todo", "urgent", "in_progress", "done"])
    answers_agree(tmp_tracker, reference)
