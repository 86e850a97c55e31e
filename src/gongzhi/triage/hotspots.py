"""Hotspots (热点问题): the appeals of a period grouped by place and topic, and ranked by heat.

Pure functions over the period's appeals as columns (``Table``; tests and the evaluation write ``Row`` objects),
vectorised over the whole period at once (a city's month is a million appeals): no model, no database.

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

import os
import re
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache

import numpy as np

from . import text as triage_text

TEXT_CHARS = 200
RAW_CHARS = 2 * TEXT_CHARS  # what is read of a text: enough for TEXT_CHARS characters once punctuation is gone
THRESHOLD = 0.25  # chosen on half of eval/hotspots (make eval-groups)
# a bucket larger than this (a compound in a month) is compared in time-ordered slices of this size
MAX_BUCKET = 2000
# rows whose similarities are computed at once (whole buckets): bounds memory to a few hundred MB
BATCH = 3000
# threads comparing blocks: the cores this process may use, at most 8 (each holds a block's arrays)
WORKERS = min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1, 8)
MIN_APPEALS, MIN_SUPPORTS = 2, 3
WEIGHTS = {"reporter": 1.0, "repeat": 0.5, "support": 0.2}
GROWTH_DAYS = 7

_EXCEL_CR = re.compile("_x000d_", re.IGNORECASE)  # a carriage return as spreadsheets export it
_EPOCH = datetime(1970, 1, 1)
_DAY = 86_400_000_000  # microseconds


@dataclass
class Row:
    """One appeal, as the tests and the evaluation write it (``Table.of`` turns a list of them into columns)."""
    id: int
    bucket: tuple  # (place, category family): integers
    text: str
    at: datetime
    reporter: str
    supports: int = 0
    parent: int | None = None


@dataclass
class Table:
    """The appeals of a period as columns: a city's month is a million of them, too many for an object each."""
    ids: np.ndarray  # int64
    places: np.ndarray  # int64: the compound (else the community…) the appeal is about
    families: np.ndarray  # int64: its first-level category (0: none)
    texts: list[str]  # the first RAW_CHARS characters are read
    at: np.ndarray  # int64: microseconds since 1970-01-01 (UTC when ``aware``)
    reporters: np.ndarray  # int64: the same number is the same person
    supports: np.ndarray  # int64: how many residents backed it (我也遇到)
    parents: np.ndarray  # int64: the appeal it was merged into, 0 when none
    aware: bool = True
    # place → its names (the compound's, its community's): every text of a bucket may name its place, which
    # then says nothing of the problem ("紫荆园电梯坏了", "紫荆园楼道灯不亮"), so they are not compared
    place_names: dict[int, tuple[str, ...]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.ids)

    @classmethod
    def of(cls, rows: list[Row]) -> Table:
        aware = bool(rows) and rows[0].at.tzinfo is not None
        epoch = _epoch(aware)
        people: dict[str, int] = {}
        return cls(ids=np.array([r.id for r in rows], dtype=np.int64),
                   places=np.array([r.bucket[0] for r in rows], dtype=np.int64),
                   families=np.array([r.bucket[1] for r in rows], dtype=np.int64),
                   texts=[r.text or "" for r in rows],
                   at=np.array([(r.at - epoch) // timedelta(microseconds=1) for r in rows], dtype=np.int64),
                   reporters=np.array([people.setdefault(r.reporter, len(people)) for r in rows], dtype=np.int64),
                   supports=np.array([r.supports for r in rows], dtype=np.int64),
                   parents=np.array([r.parent or 0 for r in rows], dtype=np.int64), aware=aware)

    def micros(self, moment: datetime) -> int:
        return (moment - _epoch(self.aware)) // timedelta(microseconds=1)

    def moment(self, micros: int) -> datetime:
        return _epoch(self.aware) + timedelta(microseconds=int(micros))


def _epoch(aware: bool) -> datetime:
    return _EPOCH.replace(tzinfo=UTC) if aware else _EPOCH


@dataclass
class Group:
    ids: list[int]
    members: np.ndarray  # their rows (indexes into the table)
    bucket: tuple  # (place, family)
    appeals: int
    reporters: int
    supports: int
    recent: int
    before: int
    heat: float
    first_at: datetime
    last_at: datetime
    representative: int  # the row whose text names the group (see ``hotspots``)


def _is_kept(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "0" <= ch <= "9" or "a" <= ch <= "z"


_BREAK = 1  # between two texts in a folded block (U+0001 itself is never read)


@cache
def _fold() -> np.ndarray:
    """Code point (of the basic plane) → the character it counts as, 0 for what is not read: NFKC, lower case
    (full-width Ａ and ３ are a and 3; ① is 1), Chinese characters, digits and Latin letters only. Character by
    character, so a million texts are folded by one table lookup instead of a normalisation pass each."""
    table = np.zeros(0x10000, dtype=np.uint16)
    for c in range(0x10000):
        if 0xD800 <= c <= 0xDFFF:
            continue
        kept = [ch for ch in unicodedata.normalize("NFKC", chr(c)).lower() if _is_kept(ch)]
        if len(kept) == 1:
            table[c] = ord(kept[0])
    table[10] = _BREAK
    return table


@dataclass(frozen=True)
class _Stops:
    """The stop words, folded, for finding them in code point arrays."""
    single: np.ndarray  # code point → a one-character stop word
    rank: np.ndarray  # code point → its number among the characters of longer stop words (0: in none)
    size: int  # how many such numbers there are (ranks are packed in this base)
    pairs: np.ndarray  # rank × rank → a two-character stop word
    first: dict[int, np.ndarray]  # length (3, 4) → code point → the first character of a stop word that long
    longer: dict[int, np.ndarray]  # length → the stop words that long, their ranks packed, sorted


@cache
def _stops() -> _Stops:
    fold = _fold()
    words = []
    for word in triage_text.stopwords():
        codes = [int(fold[ord(ch)]) if ord(ch) < 0x10000 else 0 for ch in word]
        if codes and 0 not in codes and _BREAK not in codes and len(codes) <= 4:
            words.append(codes)
    single = np.zeros(0x10000, dtype=bool)
    single[[w[0] for w in words if len(w) == 1]] = True
    characters = sorted({c for w in words if len(w) > 1 for c in w})
    rank = np.zeros(0x10000, dtype=np.int64)
    rank[characters] = np.arange(1, len(characters) + 1)
    size = len(characters) + 1
    pairs = np.zeros(size * size, dtype=bool)
    first: dict[int, np.ndarray] = {}
    longer: dict[int, list[int]] = {}
    for w in words:
        if len(w) == 2:
            pairs[rank[w[0]] * size + rank[w[1]]] = True
        elif len(w) > 2:
            first.setdefault(len(w), np.zeros(0x10000, dtype=bool))[w[0]] = True
            longer.setdefault(len(w), []).append(_pack([rank[c] for c in w], size))
    return _Stops(single=single, rank=rank, size=size, pairs=pairs, first=first,
                  longer={n: np.array(sorted(v), dtype=np.int64) for n, v in longer.items()})


def _pack(ranks, size: int):
    packed = 0
    for r in ranks:
        packed = packed * size + r
    return packed


def _codes(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The characters read of each text (folded, see ``_fold``; stop words gone; at most ``TEXT_CHARS``) as code
    points, and the text each belongs to. One pass over one joined string: no Python loop per character."""
    joined = "\n".join(t[:RAW_CHARS].replace("\n", " ") for t in texts)
    if "_x" in joined or "_X" in joined:
        joined = _EXCEL_CR.sub("", joined)
    joined = triage_text.FORMULAS.sub(" ", joined)
    codes = _fold()[np.minimum(np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32), 0xFFFF)]
    codes = codes[codes != 0]  # beyond the basic plane (emoji) reads as U+FFFF, which is not a character
    breaks = codes == _BREAK
    # 的, 了, 我们…: pairs every message has say nothing. Every stop word found is dropped (where two overlap,
    # both: a regular expression would keep the end of the second). A break is in no stop word.
    stops = _stops()
    drop = breaks | stops.single[codes]
    size = stops.size
    ranks = stops.rank[codes]
    two = stops.pairs[ranks[:-1] * size + ranks[1:]]
    drop[:-1] |= two
    drop[1:] |= two
    for length, packed in stops.longer.items():
        starts = np.flatnonzero(stops.first[length][codes[:max(len(codes) - length + 1, 0)]])
        key = np.zeros(len(starts), dtype=np.int64)
        for k in range(length):
            key = key * size + ranks[starts + k]
        at = np.minimum(np.searchsorted(packed, key), len(packed) - 1)
        starts = starts[packed[at] == key]
        for k in range(length):
            drop[starts + k] = True
    # at most TEXT_CHARS characters per text: a character's place among the kept ones of its text
    kept = ~drop
    counted = np.cumsum(kept, dtype=np.int64)
    ends = np.flatnonzero(breaks)
    doc = np.cumsum(breaks, dtype=np.int64)  # a break belongs to the text after it, and is dropped
    before = np.r_[0, counted[ends]]  # kept characters before each text
    kept &= counted - before[doc] <= TEXT_CHARS
    return codes[kept].astype(np.int64), doc[kept]


def features(texts: list[str], buckets: np.ndarray):
    """Rows: texts; columns: (bucket, character pair); values: 1 + log tf, each row of unit length. No IDF: a
    community's month may be a handful of appeals, too few to say which pairs are rare, and the grouping must not
    depend on how wide the run is; stop words are removed instead. A text of one character has an empty row.

    One sort of (bucket, pair, text) gives both the cells with their counts and the columns."""
    from scipy import sparse

    codes, doc = _codes(texts)
    n = len(texts)
    same = doc[:-1] == doc[1:]
    pair = ((codes[:-1] << 16) | codes[1:])[same]  # folded code points are below 2**16
    pair_doc = doc[:-1][same]
    if not len(pair):
        return sparse.csr_matrix((n, 1))
    _values, rank = np.unique(buckets, return_inverse=True)
    doc_bits = max(int(n - 1).bit_length(), 1)
    if doc_bits + 32 + max(int(rank.max()).bit_length(), 1) > 63:
        raise ValueError("too many texts in one block")
    key = (rank[pair_doc].astype(np.int64) << (32 + doc_bits)) | (pair << doc_bits) | pair_doc
    key.sort()
    new = np.r_[True, key[1:] != key[:-1]]
    cells = key[new]
    tf = np.diff(np.r_[np.flatnonzero(new), len(key)])
    cell_doc = cells & ((1 << doc_bits) - 1)
    column_key = cells >> doc_bits
    column = np.cumsum(np.r_[True, column_key[1:] != column_key[:-1]]) - 1
    weight = 1.0 + np.log(tf)
    norm = np.sqrt(np.bincount(cell_doc, weights=weight * weight, minlength=n))
    weight /= norm[cell_doc]
    return sparse.csr_matrix((weight, (cell_doc, column)), shape=(n, int(column[-1]) + 1))


def _bucket_numbers(table: Table) -> np.ndarray:
    """One integer per row: its bucket, and within a very large bucket its time-ordered slice."""
    n = len(table)
    order = np.lexsort((table.ids, table.at, table.families, table.places))
    places, families = table.places[order], table.families[order]
    new_bucket = np.r_[True, (places[1:] != places[:-1]) | (families[1:] != families[:-1])]
    position = np.arange(n)
    position -= np.maximum.accumulate(np.where(new_bucket, position, 0))
    numbers = np.empty(n, dtype=np.int64)
    numbers[order] = np.cumsum(new_bucket | (position % MAX_BUCKET == 0)) - 1
    return numbers


def _first_of_same_text(table: Table, buckets: np.ndarray) -> np.ndarray:
    """For each row, the first row of its bucket with the same text (itself when none): identical texts are
    compared once."""
    n = len(table)
    head = [t[:TEXT_CHARS] for t in table.texts]
    hashes = np.fromiter(map(hash, head), dtype=np.int64, count=n)
    order = np.lexsort((np.arange(n), hashes, buckets))
    new = np.r_[True, (hashes[order][1:] != hashes[order][:-1]) | (buckets[order][1:] != buckets[order][:-1])]
    first = np.empty(n, dtype=np.int64)
    first[order] = order[np.maximum.accumulate(np.where(new, np.arange(n), 0))]
    for k in np.flatnonzero(first != np.arange(n)):  # equal hashes of different texts: not the same
        if head[k] != head[first[k]]:
            first[k] = k
    return first


def _without_names(text: str, names: tuple[str, ...]) -> str:
    for name in names:
        if name in text:
            text = text.replace(name, " ")
    return text


def components(table: Table, threshold: float = THRESHOLD) -> np.ndarray:
    """The group of each row (a number: rows with the same number are one problem).

    Memory stays bounded on a city's month: identical texts in one bucket are compared once, and features and
    similarity products are made a few thousand rows at a time (whole buckets, so nothing is missed: with no IDF a
    text's features do not depend on the others), keeping only the pairs that reach ``threshold``."""
    from scipy import sparse
    from scipy.sparse.csgraph import connected_components

    n = len(table)
    buckets = _bucket_numbers(table)
    same_as = _first_of_same_text(table, buckets)
    distinct = np.flatnonzero(same_as == np.arange(n))
    order = np.argsort(buckets[distinct], kind="stable")
    sorted_buckets = buckets[distinct][order]
    starts = np.flatnonzero(np.r_[True, sorted_buckets[1:] != sorted_buckets[:-1]])
    ends = np.r_[starts[1:], len(order)]
    blocks = []
    a = 0
    while a < len(starts):
        # whole buckets up to BATCH rows (a bucket is never more than MAX_BUCKET)
        b = max(int(np.searchsorted(ends, starts[a] + BATCH, side="right")), a + 1)
        if ends[b - 1] - starts[a] > 1:
            blocks.append(distinct[order[starts[a]:ends[b - 1]]])
        a = b

    def links(rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        texts = [table.texts[k] for k in rows]
        if table.place_names:
            texts = [_without_names(t, table.place_names.get(p, ())) for t, p in zip(texts, table.places[rows].tolist(),
                                                                                    strict=True)]
        block = features(texts, buckets[rows])
        similar = sparse.triu(block @ block.T, k=1, format="coo")
        alike = similar.data >= threshold
        return rows[similar.row[alike]], rows[similar.col[alike]]

    # numpy and scipy let go of the interpreter while they work: blocks run side by side on the machine's cores
    with ThreadPoolExecutor(max_workers=max(1, min(WORKERS, len(blocks)))) as pool:
        found = list(pool.map(links, blocks))
    links_i = [same_as, *(i for i, _ in found)]
    links_j = [np.arange(n), *(j for _, j in found)]
    merged = np.flatnonzero(table.parents)
    if len(merged):  # joined to their parent when it is in the period
        by_id = np.argsort(table.ids)
        at = np.minimum(np.searchsorted(table.ids, table.parents[merged], sorter=by_id), n - 1)
        found = table.ids[by_id[at]] == table.parents[merged]
        links_i.append(merged[found])
        links_j.append(by_id[at][found])
    i, j = np.concatenate(links_i), np.concatenate(links_j)
    graph = sparse.coo_matrix((np.ones(len(i), dtype=np.int8), (i, j)), shape=(n, n))
    return connected_components(graph, directed=False)[1]


def group(rows: list[Row] | Table, threshold: float = THRESHOLD) -> list[list[int]]:
    """Indexes of ``rows``, in groups (every row in exactly one), largest first."""
    table = rows if isinstance(rows, Table) else Table.of(rows)
    if not len(table):
        return []
    label = components(table, threshold)
    order = np.argsort(label, kind="stable")
    bounds = np.flatnonzero(np.diff(label[order])) + 1
    groups = [g.tolist() for g in np.split(order, bounds)]
    groups.sort(key=lambda g: (-len(g), g[0]))
    return groups


def heat(reporters, appeals, supports, recent, before):
    """The heat of a group, or of every group at once (numbers or numpy arrays of them)."""
    base = (WEIGHTS["reporter"] * reporters + WEIGHTS["repeat"] * (appeals - reporters)
            + WEIGHTS["support"] * supports)
    return np.round(base * np.sqrt(np.clip((recent + 1) / (before + 1), 0.25, 4.0)), 3)


def hotspots(rows: list[Row] | Table, end: datetime, threshold: float = THRESHOLD) -> list[Group]:
    """The groups of ``rows`` that are hotspots, hottest first. ``end``: the end of the period (growth is
    measured over the last 2 × GROWTH_DAYS before it). Counted over all groups at once, by group number."""
    table = rows if isinstance(rows, Table) else Table.of(rows)
    n = len(table)
    if not n:
        return []
    label = components(table, threshold)
    count = np.bincount(label)
    supports = np.bincount(label, weights=table.supports).astype(np.int64)
    end_at = table.micros(end)
    recent_from, before_from = end_at - GROWTH_DAYS * _DAY, end_at - 2 * GROWTH_DAYS * _DAY
    recent = np.bincount(label, weights=table.at >= recent_from).astype(np.int64)
    before = np.bincount(label, weights=(table.at >= before_from) & (table.at < recent_from)).astype(np.int64)
    people = np.lexsort((table.reporters, label))
    new_person = np.r_[True, (label[people][1:] != label[people][:-1])
                       | (table.reporters[people][1:] != table.reporters[people][:-1])]
    reporters = np.bincount(label[people][new_person], minlength=len(count))
    heats = heat(reporters, count, supports, recent, before)
    # rows by group, in row order; and by group, then (length up to 60, time): the last of a group is the newest
    # of its longest texts, which stands for it (a one-line "+1" does not name a problem)
    members = np.argsort(label, kind="stable")
    start = np.r_[0, np.cumsum(count)[:-1]]
    length = np.minimum(np.fromiter(map(len, table.texts), dtype=np.int64, count=n), 60)
    named = np.lexsort((table.at, length, label))
    timed = table.at[np.lexsort((table.at, label))]
    hot = np.flatnonzero((count >= MIN_APPEALS) | (supports >= MIN_SUPPORTS))
    first_row = members[start[hot]]
    hot = hot[np.lexsort((table.ids[first_row], -count[hot], -heats[hot]))]
    out = []
    for g in hot.tolist():
        rows_of = members[start[g]:start[g] + count[g]]
        last = start[g] + count[g] - 1
        out.append(Group(ids=table.ids[rows_of].tolist(), members=rows_of,
                         bucket=(int(table.places[rows_of[0]]), int(table.families[rows_of[0]])),
                         appeals=int(count[g]), reporters=int(reporters[g]), supports=int(supports[g]),
                         recent=int(recent[g]), before=int(before[g]), heat=float(heats[g]),
                         first_at=table.moment(timed[start[g]]), last_at=table.moment(timed[last]),
                         representative=int(named[last])))
    return out


# "您好，我想反映一下：" says nothing of the problem
_OPENING = re.compile(r"^(?:(?:您好|你好|领导好|大家好)[，,！!。：:\s]*)?(?:我(?:想|要)?(?:反映|投诉|咨询)(?:一下|个问题)?[，,。：:\s]*)?")


def headline(text: str, limit: int = 40) -> str:
    """The first clause of a text (its title, usually), at most ``limit`` characters; a greeting and "I want to
    report" before it are left out."""
    text = " ".join((text or "").split())
    text = _OPENING.sub("", text, count=1) or text
    for mark in "。！？!?；;\n":
        cut = text.find(mark)
        if 0 < cut < limit:
            return text[:cut]
    return text[:limit] + ("…" if len(text) > limit else "")
