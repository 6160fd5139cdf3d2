"""`htrac clusters`: groups of similar open items — likely duplicates, or work to do together.

Each item is a TF-IDF vector of the words of its title (counted twice), description and tags,
the document frequencies taken over every item of the tracker (so a word common to the whole
tracker says little). Similarity is the cosine of two vectors. Clustering is Jarvis-Patrick, as
in the reference: each item's `k` nearest neighbours (similarity above zero); two items are
joined when each is among the other's neighbours and they share at least `shared` of them; a
cluster is a connected group of at least `min_size` items. Unlike k-means it needs no number of
clusters and leaves unrelated items alone.

Neighbours are found through an inverted index (only items sharing a word are compared), so the
cost grows with how much the items overlap, not with the square of their number.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..core.textsearch import tokens
from ..store.layout import TIERS

if TYPE_CHECKING:
    from ..core.item import Item
    from .tracker import Tracker

STOPWORDS = frozenset("""a an and are as at be but by for from has have in into is it its of on
or that the this to was were will with not no we you they he she i our your their them then so
if do does did can could should would may might must all any each""".split())


@dataclass(frozen=True, slots=True)
class Cluster:
    rank: int
    members: list[Item]
    mean_similarity: float

    def as_dict(self) -> dict:
        return {"rank": self.rank, "size": len(self.members),
                "mean_similarity": round(self.mean_similarity, 4),
                "members": [{"id": i.id, "kind": i.kind, "status": i.status,
                             "priority": i.priority, "title": i.title} for i in self.members]}


@dataclass(frozen=True, slots=True)
class Clustering:
    k: int
    shared: int
    considered: int  # items clustered
    fitted: int  # items the word weights were taken from
    clusters: list[Cluster]

    def as_dict(self) -> dict:
        return {"k": self.k, "shared": self.shared, "items": self.considered,
                "fit_items": self.fitted, "clusters": [c.as_dict() for c in self.clusters]}


def words(item: Item) -> list[str]:
    text_tokens = tokens(item.title) * 2 + tokens(item.description) + list(item.tags)
    return [t for t in text_tokens if len(t) > 1 and t not in STOPWORDS and not t.isdigit()]


def vectors(items: list[Item], fit: list[Item]) -> list[dict[str, float]]:
    """Unit-length TF-IDF vectors of `items`, with document frequencies from `fit`."""
    df: Counter[str] = Counter()
    for item in fit:
        df.update(set(words(item)))
    total = len(fit) or 1
    out = []
    for item in items:
        counts = Counter(words(item))
        vec = {t: (1 + math.log(c)) * math.log((1 + total) / (1 + df[t])) + 0.0
               for t, c in counts.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        out.append({t: v / norm for t, v in vec.items() if v > 0} if norm else {})
    return out


def neighbours(vecs: list[dict[str, float]], k: int) -> list[list[tuple[int, float]]]:
    """Each vector's `k` most similar others (similarity > 0), most similar first."""
    postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
    for n, vec in enumerate(vecs):
        for term, weight in vec.items():
            postings[term].append((n, weight))
    found = []
    for n, vec in enumerate(vecs):
        scores: dict[int, float] = defaultdict(float)
        for term, weight in vec.items():
            for other, other_weight in postings[term]:
                if other != n:
                    scores[other] += weight * other_weight
        best = sorted(scores.items(), key=lambda pair: (-pair[1], pair[0]))[:k]
        found.append([(other, score) for other, score in best if score > 1e-9])
    return found


def cluster(items: list[Item], fit: list[Item], *, k: int = 6, shared: int = 3,
            min_size: int = 2) -> Clustering:
    vecs = vectors(items, fit)
    near = neighbours(vecs, k)
    sets = [{other for other, _ in row} for row in near]
    parent = list(range(len(items)))

    def root(n: int) -> int:
        while parent[n] != n:
            parent[n] = parent[parent[n]]
            n = parent[n]
        return n

    for n, mine in enumerate(sets):
        for other in mine:
            if other > n and n in sets[other] and len(mine & sets[other]) >= shared:
                parent[root(n)] = root(other)
    groups: dict[int, list[int]] = defaultdict(list)
    for n in range(len(items)):
        groups[root(n)].append(n)
    found = []
    for members in groups.values():
        if len(members) < max(min_size, 2):
            continue
        pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1:]]
        mean = sum(_cosine(vecs[a], vecs[b]) for a, b in pairs) / len(pairs)
        chosen = sorted((items[n] for n in members), key=lambda i: (i.priority, i.created_at,
                                                                     i.id))
        found.append((chosen, mean))
    found.sort(key=lambda pair: (-len(pair[0]), -pair[1], pair[0][0].id))
    clusters = [Cluster(rank, members, mean) for rank, (members, mean) in enumerate(found, 1)]
    return Clustering(k, shared, len(items), len(fit), clusters)


def _cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())


def open_clusters(tracker: Tracker, *, k: int = 6, shared: int = 3, min_size: int = 2,
                  statuses: tuple[str, ...] | None = None, everything: bool = False,
                  limit: int | None = None) -> Clustering:
    """Clusters of the tracker's items: those in `statuses`, or every item not resolved (with
    `everything`: every item not deleted)."""
    config = tracker.config
    fit = [i for i in tracker.items(TIERS) if not i.damaged]
    if statuses:
        chosen = [i for i in fit if i.status in statuses]
    elif everything:
        chosen = [i for i in fit if i.status != "deleted"]
    else:
        chosen = [i for i in fit if i.status not in config.resolved_statuses]
    result = cluster(chosen, fit, k=k, shared=shared, min_size=min_size)
    if limit:
        result = Clustering(result.k, result.shared, result.considered, result.fitted,
                            result.clusters[:limit])
    return result
