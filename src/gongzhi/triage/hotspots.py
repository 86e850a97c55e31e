"""Hotspots (热点问题): the appeals of a period grouped by place and topic, and ranked by heat.

Pure functions over plain rows, vectorised over the whole period at once (a city's month is a million
appeals): no model, no database.

Grouping. Two appeals are one problem when they are about the same place (the bucket: the compound, else the
community…, and the same first-level category) and their texts read alike: the cosine of the character pairs of
their first ``TEXT_CHARS`` characters (stop words removed) is at least ``threshold``. Groups are the connected
pieces of that graph; appeals a worker merged are joined to their parent whatever their wording. Features are
keyed by (bucket, character pair), so one sparse product X·Xᵀ gives every within-bucket similarity and nothing
across buckets.

Heat. ``reporters + 0.5 × further reports + 0.2 × supports`` (people who pressed 我也遇到), times the square root
of the growth (appeals in the last 7 days of the period against the 7 before, each + 1, held to ¼…4): a problem
many people raise, or that is getting worse, comes first. A group counts as a hotspot with at least two appeals,
or one appeal that at least three others supported.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np

from . import text as triage_text

TEXT_CHARS = 200
THRESHOLD = 0.25  # chosen on half of eval/hotspots (make eval-groups)
# a bucket larger than this (a compound in a month) is compared in time-ordered slices of this size
MAX_BUCKET = 2000
# rows whose similarities are computed at once (whole buckets): bounds memory to a few hundred MB
BATCH = 3000
MIN_APPEALS, MIN_SUPPORTS = 2, 3
WEIGHTS = {"reporter": 1.0, "repeat": 0.5, "support": 0.2}
GROWTH_DAYS = 7

_SPACE = re.compile(r"[^\S\n]+|_x000d_", re.IGNORECASE)


@dataclass
class Row:
    id: int
    bucket: tuple
    text: str
    at: datetime
    reporter: str
    supports: int = 0
    parent: int | None = None


@dataclass
class Group:
    ids: list[int]
    bucket: tuple
    appeals: int
    reporters: int
    supports: int
    recent: int
    before: int
    heat: float
    first_at: datetime
    last_at: datetime
    representative: int  # the appeal whose text names the group (see ``hotspots``)


def _codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Code points of all texts (lower case, half-width, whitespace gone; letters, digits and CJK only), and the
    text each belongs to. One pass over one joined string: no Python loop per character."""
    joined = "\n".join(t[:TEXT_CHARS * 2].replace("\n", " ") for t in texts)
    # 的, 了, 我们…: pairs every message has say nothing
    joined = triage_text.drop_stopwords(_SPACE.sub("", triage_text.nfkc(joined).lower()))
    codes = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    breaks = codes == 10
    doc = np.cumsum(breaks) - breaks  # the newline belongs to the text before it
    keep = (((codes >= 0x4E00) & (codes <= 0x9FFF)) | ((codes >= 0x30) & (codes <= 0x39))
            | ((codes >= 0x61) & (codes <= 0x7A)))
    codes, doc = codes[keep], doc[keep]
    # at most TEXT_CHARS kept characters per text
    start = np.searchsorted(doc, np.arange(len(texts)))
    position = np.arange(len(doc)) - start[doc]
    short = position < TEXT_CHARS
    return codes[short], doc[short]


def features(texts: list[str], buckets: np.ndarray):
    """Rows: texts; columns: (bucket, character pair); values: 1 + log tf, each row of unit length. No IDF: a
    community's month may be a handful of appeals, too few to say which pairs are rare, and the grouping must not
    depend on how wide the run is; stop words are removed instead. A text of one character has an empty row."""
    from scipy import sparse

    codes, doc = _codes(texts)
    same = doc[:-1] == doc[1:]
    pair = ((codes[:-1] << 21) | codes[1:])[same]
    pair_doc = doc[:-1][same]
    n = len(texts)
    if not len(pair):
        return sparse.csr_matrix((n, 1))
    pair_ids, pair_of = np.unique(pair, return_inverse=True)
    cell, tf = np.unique(pair_doc * len(pair_ids) + pair_of, return_counts=True)
    cell_doc, cell_pair = cell // len(pair_ids), cell % len(pair_ids)
    weight = 1.0 + np.log(tf)
    norm = np.sqrt(np.bincount(cell_doc, weights=weight * weight, minlength=n))
    weight /= norm[cell_doc]
    columns, column_of = np.unique(buckets[cell_doc].astype(np.int64) * len(pair_ids) + cell_pair,
                                   return_inverse=True)
    return sparse.csr_matrix((weight, (cell_doc, column_of)), shape=(n, len(columns)))


def _bucket_numbers(rows: list[Row]) -> np.ndarray:
    """One integer per row: its bucket, and within a very large bucket its time-ordered slice."""
    order = sorted(range(len(rows)), key=lambda i: (rows[i].bucket, rows[i].at, rows[i].id))
    numbers = np.empty(len(rows), dtype=np.int64)
    current, number, size = None, -1, 0
    for i in order:
        if rows[i].bucket != current or size >= MAX_BUCKET:
            current, number, size = rows[i].bucket, number + 1, 0
        numbers[i] = number
        size += 1
    return numbers


def group(rows: list[Row], threshold: float = THRESHOLD) -> list[list[int]]:
    """Indexes of ``rows``, in groups (every row in exactly one), largest first.

    Memory stays bounded on a city's month: identical texts in one bucket are compared once, and features and
    similarity products are made a few thousand rows at a time (whole buckets, so nothing is missed: with no IDF a
    text's features do not depend on the others), keeping only the pairs that reach ``threshold``."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    n = len(rows)
    if not n:
        return []
    buckets = _bucket_numbers(rows)
    first_of: dict[tuple, int] = {}
    same_as = np.array([first_of.setdefault((int(b), r.text[:TEXT_CHARS]), k)
                        for k, (b, r) in enumerate(zip(buckets, rows, strict=True))])
    distinct = np.flatnonzero(same_as == np.arange(n))
    order = np.argsort(buckets[distinct], kind="stable")
    sorted_buckets = buckets[distinct][order]
    starts = np.flatnonzero(np.r_[True, sorted_buckets[1:] != sorted_buckets[:-1]])
    ends = np.r_[starts[1:], len(order)]
    links_i, links_j = [same_as], [np.arange(n)]
    a = 0
    while a < len(starts):
        b = a + 1  # whole buckets up to BATCH rows (a bucket is never more than MAX_BUCKET)
        while b < len(starts) and ends[b] - starts[a] <= BATCH:
            b += 1
        members = order[starts[a]:ends[b - 1]]
        a = b
        if len(members) < 2:
            continue
        block = features([rows[k].text for k in distinct[members]], buckets[distinct[members]])
        similar = sparse.triu(block @ block.T, k=1, format="coo")
        alike = similar.data >= threshold
        links_i.append(distinct[members[similar.row[alike]]])
        links_j.append(distinct[members[similar.col[alike]]])
    index = {r.id: k for k, r in enumerate(rows)}
    merged = [(k, index[r.parent]) for k, r in enumerate(rows) if r.parent in index]
    if merged:
        links_i.append(np.array([p for p, _ in merged]))
        links_j.append(np.array([q for _, q in merged]))
    i, j = np.concatenate(links_i), np.concatenate(links_j)
    graph = sparse.coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    _count, label = connected_components(graph, directed=False)
    order = np.argsort(label, kind="stable")
    bounds = np.flatnonzero(np.diff(label[order])) + 1
    groups = [list(g) for g in np.split(order, bounds)]
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups


def heat(reporters: int, appeals: int, supports: int, recent: int, before: int) -> float:
    base = (WEIGHTS["reporter"] * reporters + WEIGHTS["repeat"] * (appeals - reporters)
            + WEIGHTS["support"] * supports)
    growth = min(max((recent + 1) / (before + 1), 0.25), 4.0)
    return round(base * math.sqrt(growth), 3)


def hotspots(rows: list[Row], end: datetime, threshold: float = THRESHOLD) -> list[Group]:
    """The groups of ``rows`` that are hotspots, hottest first. ``end``: the end of the period (growth is
    measured over the last 2 × GROWTH_DAYS before it)."""
    recent_from, before_from = end - timedelta(days=GROWTH_DAYS), end - timedelta(days=2 * GROWTH_DAYS)
    out = []
    for members in group(rows, threshold):
        supports = sum(rows[k].supports for k in members)
        if len(members) < MIN_APPEALS and supports < MIN_SUPPORTS:
            continue
        times = [rows[k].at for k in members]
        reporters = len({rows[k].reporter for k in members})
        recent = sum(t >= recent_from for t in times)
        before = sum(before_from <= t < recent_from for t in times)
        # the newest of the longest texts stands for the group (a one-line "+1" does not name a problem)
        representative = max(members, key=lambda k: (min(len(rows[k].text), 60), rows[k].at))
        out.append(Group(ids=[rows[k].id for k in members], bucket=rows[members[0]].bucket, appeals=len(members),
                         reporters=reporters, supports=supports, recent=recent, before=before,
                         heat=heat(reporters, len(members), supports, recent, before), first_at=min(times),
                         last_at=max(times), representative=rows[representative].id))
    out.sort(key=lambda g: (-g.heat, -g.appeals, g.ids[0]))
    return out


def headline(text: str, limit: int = 40) -> str:
    """The first clause of a text (its title, usually), at most ``limit`` characters."""
    text = " ".join((text or "").split())
    for mark in "。！？!?；;\n":
        cut = text.find(mark)
        if 0 < cut < limit:
            return text[:cut]
    return text[:limit] + ("…" if len(text) > limit else "")
