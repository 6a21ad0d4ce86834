"""The recommender: two-sided scores, masks, priority, damping, and agreement with a plain loop."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from app.matchmaking import recommend


def pool(offers, seeks, languages=None, *, delegation=None, priority=None, incoming=None,
         opted_in=None, excluded=()):
    n = len(offers)
    return recommend.build_pool(
        offers, seeks, languages or [[] for _ in range(n)], 6, 3,
        delegation=delegation or list(range(n)), priority=priority or [False] * n,
        incoming=incoming or [0] * n, opted_in=opted_in or [True] * n, excluded=list(excluded))


def suggestions(p, row, k=10):
    best, scores = recommend.top_k(p, np.array([row]), k)
    return [(int(j), float(s)) for j, s in zip(best[0], scores[0], strict=True) if j >= 0]


def test_two_sided_score_prefers_mutual_benefit():
    # 0 seeks topic 1 and offers topic 2; 1 offers 1 only; 2 offers 1 and seeks 2.
    p = pool([[2], [1], [1]], [[1], [], [2]])
    assert [j for j, _ in suggestions(p, 0)] == [2, 1]


def test_masks_self_delegation_opt_out_and_existing_pairs():
    p = pool([[1]] * 5, [[1]] * 5, delegation=[7, 7, 8, 9, -1], opted_in=[True] * 4 + [False],
             excluded=[(2, 0)])
    assert [j for j, _ in suggestions(p, 0)] == [3]
    assert 0 not in [j for j, _ in suggestions(p, 2)]  # exclusion holds both ways


def test_no_topic_in_common_means_no_suggestion_even_with_a_shared_language():
    p = pool([[1], [3]], [[2], [4]], [[0], [0]])
    assert suggestions(p, 0) == []


def test_shared_language_bonus_and_priority_multiplier():
    base = pool([[], [1], [1]], [[1], [], []], [[0], [0], [1]])
    (first, s1), (second, s2) = suggestions(base, 0)
    assert (first, second) == (1, 2) and math.isclose(s1, s2 * (1 + recommend.W_LANG))
    prioritised = pool([[], [1]], [[1], []], priority=[True, False])
    plain = pool([[], [1]], [[1], []])
    # Only the "what j can give i" term is raised, by PRIORITY of its weight.
    assert math.isclose(suggestions(prioritised, 0)[0][1] - suggestions(plain, 0)[0][1],
                        recommend.W_NEED * recommend.PRIORITY)


def test_popular_people_are_damped():
    p = pool([[], [1], [1]], [[1], [], []], incoming=[0, 0, 20])
    (_, top), (_, damped) = suggestions(p, 0)
    assert math.isclose(damped, top / (1 + math.log1p(20)), rel_tol=1e-6)


def test_reason_lists_topics_and_languages():
    p = pool([[2], [1, 3]], [[1, 3], [2]], [[0, 2], [2]], priority=[True, False])
    why = recommend.reason(p, 0, 1)
    assert why == recommend.Reason((1, 3), (2,), (), (2,), True)


def loop_scores(offers, seeks, languages, delegation, priority, incoming, opted, excluded, i):
    """The formula written as a plain loop, the reference the vectorised code must match."""
    out = {}
    for j in range(len(offers)):
        if (j == i or not opted[j] or (i, j) in excluded or (j, i) in excluded
                or (delegation[i] >= 0 and delegation[i] == delegation[j])):
            continue
        need = len(set(seeks[i]) & set(offers[j])) * (1 + recommend.PRIORITY * priority[i])
        give = len(set(offers[i]) & set(seeks[j])) * (1 + recommend.PRIORITY * priority[j])
        shared = len((set(offers[i]) | set(seeks[i])) & (set(offers[j]) | set(seeks[j])))
        relevance = recommend.W_NEED * need + recommend.W_GIVE * give + recommend.W_SHARED * shared
        if relevance <= 0:
            continue
        bonus = 1 + recommend.W_LANG * bool(set(languages[i]) & set(languages[j]))
        out[j] = relevance * bonus / (1 + math.log1p(incoming[j]))
    return out


topics = st.lists(st.integers(0, 5), max_size=3, unique=True)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 40).flatmap(lambda n: st.tuples(
    st.lists(topics, min_size=n, max_size=n), st.lists(topics, min_size=n, max_size=n),
    st.lists(st.lists(st.integers(0, 2), max_size=2, unique=True), min_size=n, max_size=n),
    st.lists(st.integers(-1, 3), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.lists(st.integers(0, 30), min_size=n, max_size=n),
    st.lists(st.booleans(), min_size=n, max_size=n),
    st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=n),
    st.integers(1, 12))))
def test_vectorised_top_k_matches_the_plain_loop(case):
    offers, seeks, languages, delegation, priority, incoming, opted, excluded, k = case
    p = recommend.build_pool(offers, seeks, languages, 6, 3, delegation=delegation,
                             priority=priority, incoming=incoming, opted_in=opted,
                             excluded=excluded)
    best, scores = recommend.top_k(p, k=k)
    for i in range(len(offers)):
        expected = loop_scores(offers, seeks, languages, delegation, priority, incoming, opted,
                               set(excluded), i)
        got = [(int(j), float(s)) for j, s in zip(best[i], scores[i], strict=True) if j >= 0]
        assert len(got) == min(k, len(expected))
        ranked = sorted(expected.values(), reverse=True)[:k]
        assert np.allclose([s for _, s in got], ranked, rtol=1e-5)
        for j, s in got:
            assert math.isclose(expected[j], s, rel_tol=1e-5)


def test_large_pool_uses_chunked_top_k_correctly():
    rng = np.random.default_rng(3)
    n = 3000
    offers = [list(rng.choice(6, 2, replace=False)) for _ in range(n)]
    seeks = [list(rng.choice(6, 2, replace=False)) for _ in range(n)]
    p = pool(offers, seeks, delegation=list(rng.integers(0, 50, n)),
             incoming=list(rng.integers(0, 4, n)))
    best, scores = recommend.top_k(p, np.array([0, 1500, 2999]), 10)
    for row, i in enumerate((0, 1500, 2999)):
        full = loop_scores(offers, seeks, [[]] * n, list(p.delegation), [False] * n,
                           list(p.incoming), [True] * n, set(), i)
        assert np.allclose(scores[row], sorted(full.values(), reverse=True)[:10], rtol=1e-5)
