"""The original's test MRR in numpy (docs/semantics.md, section 7), and mtrec's
NDCG@k (src/mtrec/eval/ranking_metrics.h), for peers' models.

For each user with test rows, in ascending order: the scores of EVERY item row
(float32), negated; the user's training items set to FLT_MAX (ranked last);
average ranks (ties share the mean of their places, 1-based); the user's
reciprocal rank is the mean of 1/rank over its DISTINCT test items. MRR is the
mean over those users. Checked against mtrec's own MRR on an mtrec model's
embeddings by splits.py --check_run (agreement to ~1e-15).
"""

import numpy as np

FLT_MAX = np.finfo(np.float32).max


def item_sets(user_rows, item_rows):
    """{user row: sorted array of its distinct item rows}."""
    order = np.lexsort((item_rows, user_rows))
    u, i = np.asarray(user_rows)[order], np.asarray(item_rows)[order]
    out = {}
    if len(u) == 0:
        return out
    cuts = np.flatnonzero(np.diff(u)) + 1
    for uu, ii in zip(np.split(u, cuts), np.split(i, cuts)):
        out[int(uu[0])] = np.unique(ii)
    return out


def mean_reciprocal_rank(score_fn, known, test):
    """score_fn(user row) -> float32 scores of every item row; known, test: item_sets().

    Returns (MRR, number of users averaged over).
    """
    per_user = []
    for u in sorted(test):
        s = -np.asarray(score_fn(u), dtype=np.float32)
        k = known.get(u)
        if k is not None and len(k):
            s[k] = FLT_MAX
        s = np.where(np.isnan(s), FLT_MAX, s)  # a NaN score ranks last, as in mtrec
        st = np.sort(s)
        v = s[test[u]]
        less = np.searchsorted(st, v, side="left")
        equal = np.searchsorted(st, v, side="right") - less
        per_user.append(np.mean(1.0 / (less + (equal + 1) / 2.0)))
    return float(np.mean(per_user)), len(per_user)


def ndcg_at_k(score_fn, known, test, k=10):
    """mtrec's NDCG@k: every item row that is not one of the user's known items
    is a candidate (known items are left out, not ranked last), ranked by score
    (ties to the lower row); R = the user's distinct test items among the
    candidates; DCG over the top k with gains 1/log2(rank + 1), divided by the
    ideal DCG of min(k, |R|) hits; the mean over users with a non-empty R.

    Returns (NDCG@k, number of users averaged over).
    """
    discounts = 1.0 / np.log2(np.arange(2, k + 2))
    per_user = []
    for u in sorted(test):
        s = np.asarray(score_fn(u), dtype=np.float32)
        s = np.where(np.isnan(s), -np.inf, s)  # a NaN score ranks last
        candidate = np.ones(len(s), dtype=bool)
        kn = known.get(u)
        if kn is not None and len(kn):
            candidate[kn] = False
        relevant = test[u][candidate[test[u]]]
        if len(relevant) == 0:
            continue
        rows = np.flatnonzero(candidate)
        top = rows[np.argsort(-s[rows], kind="stable")[:k]]  # stable: ties to the lower row
        hits = np.isin(top, relevant)
        ideal = discounts[:min(k, len(relevant))].sum()
        per_user.append(float(discounts[:len(top)][hits].sum() / ideal))
    return float(np.mean(per_user)), len(per_user)


def dot_scorer(P, Q, bias=None, fallback=None):
    """Scores p_u . q_i (+ bias_i) in float32; a NaN product becomes `fallback` (LIBMF's b)."""
    P = np.asarray(P, dtype=np.float32)
    Q = np.asarray(Q, dtype=np.float32)

    def score(u):
        s = (Q @ P[u]).astype(np.float32)
        if bias is not None:
            s = s + np.asarray(bias, dtype=np.float32)
        if fallback is not None:
            s = np.where(np.isnan(s), np.float32(fallback), s)
        return s
    return score
