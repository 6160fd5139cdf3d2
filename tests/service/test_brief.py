"""The brief: within its token budget on a large tracker, what matters kept longest, the focus
item whole, and what changed since the session last looked."""

from __future__ import annotations

import getpass
import importlib.util
from pathlib import Path

import pytest
from tests_support import FULL

from htrac.service.brief import brief
from htrac.service.memory import remember
from htrac.service.tokens import count_tokens
from htrac.service.tracker import Tracker

GENERATOR = Path(__file__).parents[2] / "benchmarks" / "generate.py"
NOTE = "Never run the migration against the shared staging database; " * 4


def _generator():
    spec = importlib.util.spec_from_file_location("bench_generate", GENERATOR)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    """A generated tracker (300 items; 3,000 in CI) where this OS user, an agent, has five
    items in progress, each with a long goal and three long must-remember notes."""
    repo = tmp_path_factory.mktemp("brief") / "repo"
    _generator().generate(repo, 3000 if FULL else 300, seed=3)
    config = repo / ".agent/tracker/config.yaml"
    config.write_text(config.read_text().replace("- '*_agent'", f"- '{getpass.getuser()}'"))
    tracker = Tracker.open(start=repo)
    mine = [i.id for i in tracker.items() if i.status == "todo_hard"][:5]
    for n, item_id in enumerate(mine):
        tracker.update(item_id, set_={"status": "in_progress",
                                      "description": f"Goal {n}: " + "make it work. " * 60})
        for k in range(3):
            remember(tracker, item_id, f"note {n}.{k}: {NOTE}")
    return repo, mine


@pytest.mark.parametrize("budget", [50, 120, 300, 1000, 2500])
def test_brief_fits_its_budget_on_a_large_tracker(large, budget):
    repo, mine = large
    result = brief(Tracker.open(start=repo), budget=budget)
    assert result.tokens == count_tokens(result.text) <= budget
    assert result.text.startswith("htrac tracker at ")


def test_brief_keeps_the_notes_of_work_in_progress_at_the_default_budget(large):
    repo, mine = large
    result = brief(Tracker.open(start=repo))
    assert result.tokens <= 1000
    assert "Your work in progress (5):" in result.text
    # the work in progress comes in priority order: the first shown has its notes with it
    shown = sorted((result.text.find(item_id), n) for n, item_id in enumerate(mine)
                   if item_id in result.text)
    assert shown, result.text
    first = shown[0][1]
    assert f"note {first}.0: Never run the migration" in result.text
    assert "Ready (" in result.text and "Blocking items in the stop hook's scope:" in result.text


def test_brief_with_an_item_puts_it_first_and_whole(large):
    repo, mine = large
    result = brief(Tracker.open(start=repo), mine[3], budget=400)
    focus = result.text.split("Focus:\n", 1)[1]
    assert focus.startswith(f"  - {mine[3]}") and "goal: Goal 3" in focus
    assert "note 3.2" in focus and result.tokens <= 400


def test_brief_says_what_changed_since_the_session_last_looked(large):
    repo, mine = large
    tracker = Tracker.open(start=repo)
    first = brief(tracker, session="s-1").text
    assert "Changed since" not in first and "Nothing changed" not in first
    assert "Nothing changed since you last looked." in brief(tracker, session="s-1").text
    tracker.discuss(mine[1], "pushed the fix")
    again = brief(Tracker.open(start=repo), session="s-1").text
    assert "Changed since you last looked (1):" in again
    assert f"  - {mine[1]}  [in_progress]" in again
    other = brief(Tracker.open(start=repo), session="s-2").text  # a session of its own
    assert "Changed since" not in other


def test_brief_without_the_index_is_the_same(large):
    repo, mine = large
    indexed = Tracker.open(start=repo)
    folded = Tracker.open(start=repo)
    folded.store.index = None
    assert brief(indexed).text == brief(folded).text
