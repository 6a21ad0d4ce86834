"""Who should meet whom: a two-sided, vectorised score over participant × topic matrices.

Pure numpy, no Flask or database, so the benchmark and the tests call it as it is. The formula
and its weights are documented in docs/matchmaking.md:

    relevance[i, j] = W_NEED  · (1 + PRIORITY · p_i) · S_i · O_j     (what j can give i)
                    + W_GIVE  · (1 + PRIORITY · p_j) · O_i · S_j     (what i can give j)
                    + W_SHARED · I_i · I_j                           (shared interests, I = O ∨ S)
    score[i, j]     = relevance · (1 + W_LANG · [i and j share a language])
                      / (1 + log1p(incoming_j))

p is 1 for delegations of least developed, landlocked developing and small island developing
States. Pairs without any topic in common, oneself, one's own delegation, people not opted in
and pairs that already have a request (pending, accepted, declined) or met are masked out.
The language bonus multiplies the topical relevance, so a shared language alone is no reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

W_NEED = 1.0
W_GIVE = 0.8
W_SHARED = 0.25
W_LANG = 0.5
PRIORITY = 0.5
# Rows scored at once: bounds memory to BLOCK × n floats whatever the pool size.
BLOCK = 1024


@dataclass
class Pool:
    """Everyone who could be suggested, as aligned arrays (row i is one participant)."""

    offers: np.ndarray  # n × topics, 0/1
    seeks: np.ndarray  # n × topics, 0/1
    languages: np.ndarray  # n × languages, 0/1
    delegation: np.ndarray  # n ints; -1 for no delegation
    priority: np.ndarray  # n bools
    incoming: np.ndarray  # n ints: pending requests each has received
    opted_in: np.ndarray  # n bools
    # Pairs (i, j) never to suggest to i: requested, declined or met, in either direction.
    excluded: tuple[np.ndarray, np.ndarray] = field(
        default_factory=lambda: (np.empty(0, np.intp), np.empty(0, np.intp)))

    @property
    def size(self) -> int:
        return int(self.offers.shape[0])


def build_pool(offers: list[list[int]], seeks: list[list[int]], languages: list[list[int]],
               n_topics: int, n_languages: int, *, delegation: list[int], priority: list[bool],
               incoming: list[int], opted_in: list[bool],
               excluded: list[tuple[int, int]] = ()) -> Pool:  # type: ignore[assignment]
    """A pool from per-participant index lists (topic and language positions)."""
    n = len(offers)
    return Pool(_one_hot(offers, n, n_topics), _one_hot(seeks, n, n_topics),
                _one_hot(languages, n, n_languages), np.asarray(delegation, np.int64),
                np.asarray(priority, bool), np.asarray(incoming, np.int64),
                np.asarray(opted_in, bool), _pairs(excluded))


def _one_hot(rows: list[list[int]], n: int, width: int) -> np.ndarray:
    matrix = np.zeros((n, width), np.float32)
    if n and width:
        lengths = np.fromiter((len(r) for r in rows), np.intp, n)
        flat = np.fromiter((c for r in rows for c in r), np.intp, int(lengths.sum()))
        matrix[np.repeat(np.arange(n), lengths), flat] = 1.0
    return matrix


def _pairs(excluded: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
    if not len(excluded):
        return np.empty(0, np.intp), np.empty(0, np.intp)
    array = np.asarray(excluded, np.intp)
    # Symmetric: whoever asked, neither side is suggested the other again.
    return (np.concatenate([array[:, 0], array[:, 1]]),
            np.concatenate([array[:, 1], array[:, 0]]))


def _same_delegation_pairs(delegation: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every ordered pair (i, j) of members of one delegation, built without a Python loop."""
    members = np.flatnonzero(delegation >= 0)
    order = members[np.argsort(delegation[members], kind="stable")]
    if not len(order):
        return np.empty(0, np.intp), np.empty(0, np.intp)
    _, starts, counts = np.unique(delegation[order], return_index=True, return_counts=True)
    size = np.repeat(counts, counts)
    start = np.repeat(starts, counts)
    first = np.cumsum(size) - size
    offsets = np.arange(int(size.sum())) - np.repeat(first, size)
    return np.repeat(order, size), order[np.repeat(start, size) + offsets]


def _top_of_block(score: np.ndarray, k: int, chunk: int) -> tuple[np.ndarray, np.ndarray]:
    """Row-wise top k of the positive entries, best first, ties to the lower column.

    The k best entries of a row all lie in the k chunks with the highest maxima, so only
    k × chunk candidates per row are partitioned. Values are partitioned rather than indices:
    numpy's argpartition is very slow on the many ties these scores have.
    """
    rows, n = score.shape
    n_chunks = -(-n // chunk)
    if n_chunks > k:
        full = n // chunk
        peaks = np.full((rows, n_chunks), -np.inf, np.float32)
        peaks[:, :full] = score[:, :full * chunk].reshape(rows, full, chunk).max(axis=2)
        if full < n_chunks:
            peaks[:, full] = score[:, full * chunk:].max(axis=1)
        order = np.argsort(-peaks, axis=1, kind="stable")[:, :k]
        columns = (order[:, :, None] * chunk + np.arange(chunk)).reshape(rows, -1)
    else:
        columns = np.broadcast_to(np.arange(n_chunks * chunk), (rows, n_chunks * chunk))
    outside = columns >= n
    values = np.take_along_axis(score, np.minimum(columns, n - 1), axis=1)
    values[outside] = -np.inf
    width = values.shape[1]
    threshold = np.partition(values, width - k, axis=1)[:, width - k] if k < width else \
        values.min(axis=1)
    row, position = np.nonzero((values >= threshold[:, None]) & (values > 0))
    column = columns[row, position]
    value = values[row, position]
    order = np.lexsort((column, -value, row))
    row, column, value = row[order], column[order], value[order]
    first = np.searchsorted(row, row)
    rank = np.arange(len(row)) - first
    keep = rank < k
    index = np.full((rows, k), -1, np.intp)
    scores = np.full((rows, k), -np.inf, np.float32)
    index[row[keep], rank[keep]] = column[keep]
    scores[row[keep], rank[keep]] = value[keep]
    return index, scores


def top_k(pool: Pool, rows: np.ndarray | None = None, k: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Best `k` suggestions for each of `rows` (default: everyone): indices and scores.

    Missing suggestions are index -1 with score -inf; each row is sorted best first.
    """
    # These products are thin (a few dozen topics); BLAS threads cost more than they save here
    # and would compete with the server's workers, so one thread does the work.
    with threadpool_limits(limits=1, user_api="blas"):
        return _top_k(pool, rows, k)


def _top_k(pool: Pool, rows: np.ndarray | None, k: int) -> tuple[np.ndarray, np.ndarray]:
    n = pool.size
    rows = np.arange(n) if rows is None else np.asarray(rows, np.intp)
    k = max(0, min(k, n))
    out_idx = np.full((len(rows), k), -1, np.intp)
    out_score = np.full((len(rows), k), -np.inf, np.float32)
    if not k or not len(rows):
        return out_idx, out_score
    boost = (1.0 + PRIORITY * pool.priority).astype(np.float32)[:, None]
    interests = np.maximum(pool.offers, pool.seeks)
    # Damping and the opt-in are per column, so they are folded into the right-hand matrix:
    # someone not opted in gets relevance 0 for everyone, which means "no suggestion".
    column = ((1.0 / (1.0 + np.log1p(pool.incoming.astype(np.float32)))) * pool.opted_in)
    column = column.astype(np.float32)[:, None]
    # One matrix product for the three topic terms: [S·w·boost, O·w, I·w] @ [O, S·boost, I]ᵀ.
    left = np.hstack([W_NEED * boost * pool.seeks, W_GIVE * pool.offers, W_SHARED * interests])
    right = (np.hstack([pool.offers, boost * pool.seeks, interests]) * column).T.copy()
    languages_t = pool.languages.T.copy()
    # Pairs never suggested: requested, declined or met, and members of one delegation.
    same_i, same_j = _same_delegation_pairs(pool.delegation)
    position = np.full(n, -1, np.intp)
    position[rows] = np.arange(len(rows))
    pair_i = position[np.concatenate([pool.excluded[0], same_i])]
    pair_j = np.concatenate([pool.excluded[1], same_j])
    keep = pair_i >= 0
    order = np.argsort(pair_i[keep], kind="stable")
    pair_i, pair_j = pair_i[keep][order], pair_j[keep][order]
    chunk = max(16, int(np.sqrt(n)))
    for start in range(0, len(rows), BLOCK):
        block = rows[start:start + BLOCK]
        score = left[block] @ right
        shared = pool.languages[block] @ languages_t
        np.minimum(shared, 1.0, out=shared)
        shared *= W_LANG
        shared += 1.0
        score *= shared
        low, high = np.searchsorted(pair_i, [start, start + len(block)])
        score[pair_i[low:high] - start, pair_j[low:high]] = 0.0
        score[np.arange(len(block)), block] = 0.0
        best, best_scores = _top_of_block(score, k, chunk)
        out_idx[start:start + len(block)] = best
        out_score[start:start + len(block)] = best_scores
    return out_idx, out_score


@dataclass(frozen=True)
class Reason:
    """Why j is suggested to i, as topic and language positions (worded by the caller)."""

    they_offer: tuple[int, ...]  # topics j offers that i seeks
    they_seek: tuple[int, ...]  # topics i offers that j seeks
    shared: tuple[int, ...]  # other topics both are interested in
    languages: tuple[int, ...]  # languages both speak
    priority: bool  # i's delegation has priority and seeks what j offers


def reason(pool: Pool, i: int, j: int) -> Reason:
    """The reason for one suggestion (called only for the few shown)."""
    they_offer = np.flatnonzero(pool.seeks[i] * pool.offers[j])
    they_seek = np.flatnonzero(pool.offers[i] * pool.seeks[j])
    both = np.maximum(pool.offers[i], pool.seeks[i]) * np.maximum(pool.offers[j], pool.seeks[j])
    both[they_offer] = 0
    both[they_seek] = 0
    return Reason(tuple(they_offer.tolist()), tuple(they_seek.tolist()),
                  tuple(np.flatnonzero(both).tolist()),
                  tuple(np.flatnonzero(pool.languages[i] * pool.languages[j]).tolist()),
                  bool(pool.priority[i] and len(they_offer)))
