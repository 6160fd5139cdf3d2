"""Full-text search in the derived index: an SQLite FTS5 table of every item's words.

Each item is one document with a column per kind of text (`core.textsearch.document`: title,
description, custom fields, the visible discussion, must-remember notes, links, tags, ID and
pr_ref), so ranking can weigh a title hit above a hit deep in a discussion (bm25 with
per-column weights); the query language's words and phrases are answered from it too. The
table is written by the same code and in the same transaction as the item's own row
(`store.index`), so search is exactly as fresh as every other answer the index gives: never a
stale hit, never a missing one.

Documents are keyed by `fulltext_docs.docid`, an integer row per (tier rank, ID), because an
FTS5 table can only be found quickly by its rowid.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from ..core.textsearch import CLOSE, COLUMNS, OPEN, document

__all__ = ["CLOSE", "COLUMNS", "OPEN", "SCHEMA", "TABLES", "WEIGHTS", "delete", "document",
           "query", "write"]

# bm25 weights, in COLUMNS order: a title hit counts most, a discussion hit least.
WEIGHTS = (10.0, 4.0, 2.0, 1.0, 3.0, 1.0, 3.0, 5.0)
SNIPPET_TOKENS = 16

SCHEMA = f"""
CREATE VIRTUAL TABLE IF NOT EXISTS fulltext USING fts5(
    {", ".join(COLUMNS)}, tokenize = 'unicode61 remove_diacritics 2'
);
CREATE TABLE IF NOT EXISTS fulltext_docs (
    docid INTEGER PRIMARY KEY, rank INTEGER NOT NULL, id TEXT NOT NULL, UNIQUE (rank, id)
)
"""
TABLES = ("fulltext", "fulltext_docs")


def write(db: sqlite3.Connection, rank: int, item_id: str, doc: tuple[str, ...]) -> None:
    """Replace the item's document."""
    row = db.execute("SELECT docid FROM fulltext_docs WHERE rank = ? AND id = ?",
                     (rank, item_id)).fetchone()
    if row is None:
        docid = db.execute("INSERT INTO fulltext_docs (rank, id) VALUES (?, ?)",
                           (rank, item_id)).lastrowid
    else:
        docid = row[0]
        db.execute("DELETE FROM fulltext WHERE rowid = ?", (docid,))
    db.execute(f"INSERT INTO fulltext (rowid, {', '.join(COLUMNS)}) "
               f"VALUES (?{', ?' * len(doc)})", (docid, *doc))


def delete(db: sqlite3.Connection, rank: int, item_id: str) -> None:
    row = db.execute("SELECT docid FROM fulltext_docs WHERE rank = ? AND id = ?",
                     (rank, item_id)).fetchone()
    if row is not None:
        db.execute("DELETE FROM fulltext WHERE rowid = ?", (row[0],))
        db.execute("DELETE FROM fulltext_docs WHERE docid = ?", (row[0],))


def query(db: sqlite3.Connection, match: str, ranks: Sequence[int],
          limit: int | None) -> list[tuple[int, str, float, str]]:
    """(rank, ID, score, snippet) of the documents `match` (an FTS5 query) finds among `ranks`,
    best first (lower score is better, as bm25 gives it); ties by tier, then ID. Snippets are
    made for the rows returned only: the ranking runs first, in a subquery."""
    weights = ", ".join(map(str, WEIGHTS))
    marks = ",".join(str(r) for r in ranks)
    best = (f"SELECT f.rowid FROM fulltext AS f JOIN fulltext_docs AS d ON d.docid = f.rowid "
            f"WHERE fulltext MATCH ?1 AND d.rank IN ({marks}) "
            f"ORDER BY bm25(fulltext, {weights}), d.rank, d.id")
    if limit is not None:
        best += f" LIMIT {int(limit)}"
    sql = (f"SELECT d.rank, d.id, bm25(fulltext, {weights}) AS score, "
           f"snippet(fulltext, -1, ?2, ?3, '…', {SNIPPET_TOKENS}) "
           f"FROM fulltext AS f JOIN fulltext_docs AS d ON d.docid = f.rowid "
           f"WHERE fulltext MATCH ?1 AND f.rowid IN ({best}) "
           f"ORDER BY score, d.rank, d.id")
    return db.execute(sql, (match, OPEN, CLOSE)).fetchall()

