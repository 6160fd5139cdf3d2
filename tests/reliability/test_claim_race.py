"""Racing claimers on one item (the shape of beads #4657, where 2–7 of 8 racing claims won):
real processes, one worktree, exactly one winner every round, the others refused naming it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import time

import pytest
from tests_support import report

from htrac.service import claims
from htrac.service.tracker import Tracker

# A claimer: its own process and Tracker; four share one OS user name (sessions s0–s3), four
# have their own. It claims when told a round has started and says what happened.
CLAIMER = textwrap.dedent("""
    import json, sys
    from pathlib import Path
    from htrac.core.errors import ClaimedError
    from htrac.core.ops import AGENT
    from htrac.policy.actor import Actor
    from htrac.service import claims
    from htrac.service.tracker import Tracker
    root, item, actor, session = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    base = Tracker.open(root)
    me = Tracker(base.layout, base.config, Actor(actor, AGENT), base.policy, base.authority)
    me.show(item)  # warm: the race is over the claim, not over start-up
    print("ready", flush=True)
    for line in sys.stdin:
        answer = {"round": int(line)}
        try:
            got = claims.claim(me, item, session=session)
            answer.update(won=True, holder=got.holding.holder)
        except ClaimedError as exc:
            answer.update(won=False, holder=exc.holder, message=str(exc))
        except Exception as exc:
            answer.update(won=False, error=f"{type(exc).__name__}: {exc}")
        print(json.dumps(answer), flush=True)
""")
CLAIMERS = 8


def _identity(n: int) -> tuple[str, str]:
    return ("racer_agent", f"s{n}") if n < 4 else (f"racer{n}_agent", f"s{n}")


@pytest.mark.slow
def test_claim_race_full_size(tmp_tracker):
    _race(tmp_tracker, 200)


def test_claim_race(tmp_tracker):
    _race(tmp_tracker, 15)


def _race(tmp_tracker, rounds: int) -> None:
    item = tmp_tracker.add("Everybody wants this one")
    referee = Tracker.open(start=tmp_tracker.path)  # the human, who hands it back each round
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(tmp_tracker.path), item,
                               *_identity(n)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              text=True) for n in range(CLAIMERS)]
    try:
        assert [p.stdout.readline().strip() for p in procs] == ["ready"] * CLAIMERS
        refusals, winners, started = 0, {}, time.monotonic()
        for n in range(rounds):
            for p in procs:
                p.stdin.write(f"{n}\n")
            for p in procs:
                p.stdin.flush()
            answers = [json.loads(p.stdout.readline()) for p in procs]
            assert [a for a in answers if "error" in a] == []
            won = [a["holder"] for a in answers if a["won"]]
            assert len(won) == 1, f"round {n}: {len(won)} winners: {won}"
            lost = [a for a in answers if not a["won"]]
            assert all(a["holder"] == won[0] and won[0] in a["message"] for a in lost), lost
            assert referee.show(item).claim.holder == won[0]
            refusals += len(lost)
            winners[won[0]] = winners.get(won[0], 0) + 1
            claims.release(referee, item, session="referee")
        elapsed = time.monotonic() - started
    finally:
        for p in procs:
            p.communicate(timeout=60)  # closes stdin: the claimer ends
    takes = referee.raw_log(item).count(b"action: take")
    # each take op is 8 tagged lines' worth of one op; count ops, not lines
    assert takes == rounds, f"{takes} take ops written for {rounds} rounds"
    report(f"claim race: {CLAIMERS} processes x {rounds} rounds on one item: "
           f"{rounds}/{rounds} rounds with exactly one winner, {refusals} refusals naming the "
           f"holder, 0 double claims; {len(winners)} different winners; "
           f"{elapsed:.1f} s ({elapsed / rounds * 1000:.0f} ms a round, machine shared)")


def test_claim_race_through_the_cli(tmp_tracker):
    """The same race through `htrac claim`, each claimer a fresh CLI process."""
    item = tmp_tracker.add("Contested through the CLI")
    for _round in range(3):
        procs = [subprocess.Popen([sys.executable, "-m", "htrac", "--json", "claim", item,
                                   "--session", f"cli{k}"], cwd=tmp_tracker.path,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env={**os.environ, "HTRAC_SESSION": "ignored"})
                 for k in range(CLAIMERS)]
        outputs = [p.communicate(timeout=120) for p in procs]
        results = [(p.returncode, out, err) for p, (out, err) in zip(procs, outputs, strict=True)]
        winners = [json.loads(out)["holder"] for code, out, _ in results if code == 0]
        assert len(winners) == 1, results
        errors = [err for code, _, err in results if code != 0]
        assert len(errors) == CLAIMERS - 1
        assert all(f"claimed by {winners[0]}" in e for e in errors), errors
        tmp_tracker.ok("release", item, "--session", "referee")

