"""The index's storage format, in a module of its own: the hot read path (`store.quickindex`)
checks it without importing what opens and builds the database (`index_db`)."""

from __future__ import annotations

import marshal
import sys

# Format history (a mismatch drops every table and rebuilds):
#   1 — items with stamps, digests, parsed logs and compiled items; edit logs; isbefore links.
#   2 — per-tier stamp blobs (index_stamps) for the nothing-changed check.
#   3 — parsed logs and compiled items moved to `blobs`, so scans of `items` stay small.
#   4 — a partial index of the racy rows, which a watched refresh looks at every time; the
#       watcher's token in `meta` (key 'watch').
#   5 — `stampdelta`: small changes to the stamp blobs, so a write doesn't rewrite a tier's blob.
#   6 — `items_listing`, covering what `ready` and `list` filter, sort and print (no row lookups
#       for 20,000 ready items at 100,000); partial indexes of damaged and unread rows.
#   7 — `parents`: each item's parent, so loops of parents are found without decoding items.
#   8 — what the query language asks (`store.index_search`): parent, updated_at, rejected,
#       frozen, locked, discussion length and last author columns; `tags`, `actors` and
#       `texts` tables; `changelog`, the items each refresh changed (the change feed reads it).
#   9 — `claimed` (a claim or a lost claim: core.claims), with a partial index, and `renewals`
#       (is:claimed, is:stale); claims in the compiled item; `links_target`, for blockers.
#  10 — `claimed` in the covering listing index (summaries say which rows have claims).
#  11 — full-text search: the FTS5 table `fulltext` and its keys `fulltext_docs` (index_fts);
#       notes, links and evidence in the compiled item.
#  12 — `fulltext` also answers the query language's words (a `refs` column: ID and pr_ref),
#       so the `texts` table is gone.
#  13 — `arrivals`: ops in the order this index first read them (index_arrivals), so the
#       activity view's order is not the `at` an op's writer chose.
FORMAT_VERSION = 13
# The field lists of the stored blobs (`index_codec.shape()`; a test keeps the two equal).
SHAPE = "b519d34dc7d7011e"
# A stored blob is also only as portable as marshal's format and the Python that wrote it.
FORMAT_KEY = (f"{FORMAT_VERSION}:{SHAPE}:{marshal.version}:"
              f"{sys.version_info[0]}.{sys.version_info[1]}")
