"""The stamp directory: what it loads is what was recorded, whether the changes sit in the
delta rows or were folded into the tier's blob."""

from __future__ import annotations

import random

from htrac.store import index_db, index_stamps
from htrac.store.index_db import transaction
from htrac.store.index_stamps import StampDirectory


def test_index_stamps_delta_and_blob_agree(tmp_path, monkeypatch):
    monkeypatch.setattr(index_stamps, "MERGE", 5)
    db = index_db.connect(tmp_path / "index.sqlite3", "test")
    rng = random.Random(4)
    model: dict[int, tuple[dict, set]] = {rank: ({}, set()) for rank in range(3)}
    for _ in range(60):
        with transaction(db):
            directory = StampDirectory(db)
            for _ in range(rng.randint(1, 8)):
                rank, item_id = rng.randrange(3), f"WI-{rng.randrange(12)}"
                stamps, racy = model[rank]
                racy.discard(item_id)
                if rng.random() < 0.3:
                    directory.forget(rank, item_id)
                    stamps.pop(item_id, None)
                    continue
                stamp = None if rng.random() < 0.1 else tuple(rng.randrange(99) for _ in "abcd")
                is_racy = rng.random() < 0.3
                directory.record(rank, item_id, stamp, is_racy)
                stamps[item_id] = stamp
                if is_racy:
                    racy.add(item_id)
            directory.flush()
        loaded = StampDirectory(db)
        for rank in range(3):
            assert loaded.load(rank) == model[rank]
    assert db.execute("SELECT count(*) FROM stampdelta").fetchone()[0] <= 3 * 5
    db.close()
