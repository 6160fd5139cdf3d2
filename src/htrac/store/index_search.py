"""The query language answered in SQL over the index (see `core.query`, `core.predicates`).

Each term becomes one condition over `items AS i` — the SQL half of the term's definition in
`core.predicates` — and the conditions are joined with AND. Rows come back as `Listing` tuples
read from the columns (no item decoded) or, when asked, as whole items. The order is the one
every listing uses: priority, created_at, tier, ID.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..core import predicates
from ..core.query import TEXT, Query, Term
from ..core.summary import LISTING, Listing
from .index import Index

if TYPE_CHECKING:
    import sqlite3

    from ..core.item import Item
    from ..core.predicates import Facts

ORDER = "i.priority, i.created_at, i.rank, i.id"
RANKS = {"canonical": 0, "workspace": 1, "stealth": 2}


def search(index: Index, query: Query, facts: Facts, *, items: bool = False,
           limit: int | None = None) -> list[Listing] | list[Item]:
    """The items `query` keeps (their `Listing` rows, or whole items), freshly refreshed."""
    db = index.refresh()
    where, args = where_clause(query, facts)
    if query.predicates():
        load_read_marks(db, facts)
    tail = f" LIMIT {int(limit)}" if limit else ""
    if not items:
        columns = ", ".join(f"i.{c}" for c in LISTING.split(", "))
        listed = db.execute(f"SELECT {columns} FROM items AS i WHERE {where} ORDER BY {ORDER}"
                            f"{tail}", args)
        return list(map(Listing._make, listed))
    rows = db.execute(f"SELECT b.item FROM items AS i JOIN blobs AS b ON b.rank = i.rank AND "
                      f"b.id = i.id WHERE {where} ORDER BY {ORDER}{tail}", args).fetchall()
    if not rows:
        return []
    from .index_codec import decode_item

    return [decode_item(blob) for blob, in rows]


def where_clause(query: Query, facts: Facts) -> tuple[str, list[Any]]:
    parts: list[str] = []
    args: list[Any] = []
    for term in query.terms:
        sql, term_args = term_sql(term, facts)
        parts.append(f"NOT coalesce(({sql}), 0)" if term.negated else f"coalesce(({sql}), 0)")
        args.extend(term_args)
    return " AND ".join(parts) or "1", args


def term_sql(term: Term, facts: Facts) -> tuple[str, list[Any]]:
    key, values = term.key, list(term.values)
    marks = ",".join("?" * len(values))
    if key == TEXT:
        return predicates.TEXT_MATCHER[0].sql(values[0], facts)
    if key == "status":
        return f"i.damaged = 1 OR i.status IN ({marks})", values
    if key == "tag":
        return f"(i.rank, i.id) IN (SELECT rank, id FROM tags WHERE tag IN ({marks}))", values
    if key == "actor":
        return (f"(i.rank, i.id) IN (SELECT rank, id FROM actors WHERE actor IN ({marks}))",
                values)
    if key == "kind":
        return f"i.kind IN ({marks})", values
    if key == "tier":
        return f"i.rank IN ({marks})", [RANKS[v] for v in values]
    if key == "priority":
        compare = term.compare
        return " OR ".join(f"i.priority {compare} ?" for _ in values), values
    if key in ("id", "parent"):
        # IDs hold no GLOB metacharacters (the parser checks), and GLOB is case-sensitive
        # as Python's startswith is (LIKE is not).
        return " OR ".join(f"i.{key} GLOB ?" for _ in values), [v + "*" for v in values]
    if key == "is":
        parts = [predicates.PREDICATES[v].sql(facts) for v in values]
        return (" OR ".join(f"coalesce(({sql}), 0)" for sql, _ in parts),
                [a for _, part_args in parts for a in part_args])
    raise KeyError(key)


def load_read_marks(db: sqlite3.Connection, facts: Facts) -> None:
    """The human's read marks as `temp.readmarks`, for the predicates that look at them."""
    db.execute("CREATE TEMP TABLE IF NOT EXISTS readmarks "
               "(id TEXT PRIMARY KEY, dlen INTEGER NOT NULL, read INTEGER NOT NULL)")
    db.execute("DELETE FROM temp.readmarks")
    if facts.read_marks:
        db.executemany("INSERT INTO temp.readmarks VALUES (?, ?, ?)",
                       [(i, m.dlen, int(m.read)) for i, m in facts.read_marks.items()])


def count(index: Index, query: Query, facts: Facts) -> int:
    """How many items `query` keeps (what `search` would return, without building a row)."""
    db = index.refresh()
    where, args = where_clause(query, facts)
    if query.predicates():
        load_read_marks(db, facts)
    counted: int = db.execute(f"SELECT count(*) FROM items AS i WHERE {where}",
                              args).fetchone()[0]
    return counted


def ids(index: Index) -> list[str]:
    """Every item's ID, once (an ID in two tiers is one), sorted."""
    db = index.refresh()
    return [item_id for item_id, in db.execute("SELECT DISTINCT id FROM items ORDER BY id")]


def tier_counts(index: Index) -> dict[str, int]:
    """How many items each tier holds (tiers with none left out)."""
    db = index.refresh()
    tiers = {rank: tier for tier, rank in RANKS.items()}
    return {tiers[rank]: n for rank, n in
            db.execute("SELECT rank, count(*) FROM items GROUP BY rank ORDER BY rank")}
