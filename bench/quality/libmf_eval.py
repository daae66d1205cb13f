#!/usr/bin/python3
"""Scores LIBMF model files on mtrec's split (it only reads files: it builds and runs nothing).

Given the split folder written by splits.py (train.txt, val.txt, test.txt,
meta.json) and LIBMF model files (mf-train's output), it computes for each
model, on the validation rows and on the test rows:
  rmse  sqrt of the mean squared error of p_u . q_i (LIBMF's mf_predict: a row
        or column LIBMF never saw, or a NaN product, predicts the model's b)
  mrr   the original's MRR (ranking.py): every item row of mtrec's table
        ranked by p_u . q_i (b where LIBMF has no vector), the user's
        training items ranked last (validation: train.txt's; test: train.txt's
        and val.txt's, the whole training split, as mtrec does), ties at
        their average rank
LIBMF with more than one thread is not deterministic (its threads' schedule
changes the updates), so a setting is trained several times: files whose names
differ only in a `_rep<N>` part (`bpr_l2-0.01_t-50_rep1.model`, `..._rep2...`)
are the repeats of one setting. The setting with the best MEAN validation
figure is chosen (--select rmse: lowest, --select mrr: highest), and its
repeats' test figures are reported as mean +- sd. The test figures of every
setting are printed too, but only the chosen one's is meant to be reported.
The chosen setting's repeats are also scored by NDCG@10 on the test rows
(ranking.ndcg_at_k, mtrec's definition: the whole training split's items left
out), reported as test_ndcg@10 in the JSON and the last line.

Output: a Markdown table and (--json) a JSON file.

Example:
  /usr/bin/python3 bench/quality/libmf_eval.py --split /tmp/splits/ml-100k \\
      --select mrr /tmp/libmf-runs/ml-100k/bpr_*.model
"""

import argparse
import glob
import json
import math
import os
import re
import statistics
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ranking  # noqa: E402


def read_model(path):
    """LIBMF's text model file -> (header dict, P (m, k), Q (n, k)); NaN rows where 'F'."""
    header, P, Q = {}, [], []
    with open(path) as f:
        for line in f:
            tok = line.split()
            if not tok:
                continue
            if tok[0][0] in "pq" and len(tok) > 1 and tok[1] in ("T", "F"):
                k = int(header["k"])
                vec = ([float(x) for x in tok[2:2 + k]] if tok[1] == "T" else [math.nan] * k)
                (P if tok[0][0] == "p" else Q).append(vec)
            else:
                header[tok[0]] = float(tok[1])
    k = int(header["k"])
    return (header, np.array(P, dtype=np.float32).reshape(-1, k),
            np.array(Q, dtype=np.float32).reshape(-1, k))


def read_split(path):
    a = np.loadtxt(path, dtype=np.float64, ndmin=2)
    return a[:, 0].astype(np.int64), a[:, 1].astype(np.int64), a[:, 2]


def pad(M, rows):
    """LIBMF's table covers the training rows' max index + 1; mtrec's may be larger."""
    if M.shape[0] >= rows:
        return M[:rows]
    return np.vstack([M, np.full((rows - M.shape[0], M.shape[1]), np.nan, dtype=np.float32)])


def evaluate(model_path, split, meta, known_sets):
    """known_sets[part]: the items ranked last in part's MRR (val: the training
    rows'; test: the training and validation rows', mtrec's rule)."""
    header, P, Q = read_model(model_path)
    b = np.float32(header["b"])
    P, Q = pad(P, meta["num_users"]), pad(Q, meta["num_items"])
    out = {}
    score = ranking.dot_scorer(P, Q, fallback=b)
    for part in ("val", "test"):
        u, i, r = split[part]
        pred = np.einsum("ij,ij->i", P[u], Q[i]).astype(np.float32)
        pred = np.where(np.isnan(pred), b, pred)
        out[f"{part}_rmse"] = float(np.sqrt(np.mean((pred.astype(np.float64) - r) ** 2)))
        out[f"{part}_mrr"], _ = ranking.mean_reciprocal_rank(score, known_sets[part],
                                                             ranking.item_sets(u, i))
    return out


def test_ndcg(model_path, split, meta, known):
    """NDCG@10 of a model on the test rows, the whole training split's items left out."""
    header, P, Q = read_model(model_path)
    P, Q = pad(P, meta["num_users"]), pad(Q, meta["num_items"])
    u, i, _ = split["test"]
    score = ranking.dot_scorer(P, Q, fallback=np.float32(header["b"]))
    return ranking.ndcg_at_k(score, known, ranking.item_sets(u, i), 10)[0]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--split", required=True, help="a folder written by splits.py")
    ap.add_argument("--select", choices=["rmse", "mrr"], required=True,
                    help="the validation figure that picks the model")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("models", nargs="+", help="LIBMF model files (globs allowed)")
    args = ap.parse_args()

    with open(os.path.join(args.split, "meta.json")) as f:
        meta = json.load(f)
    split = {p: read_split(os.path.join(args.split, f"{p}.txt")) for p in ("train", "val", "test")}
    known_sets = {"val": ranking.item_sets(split["train"][0], split["train"][1]),
                  "test": ranking.item_sets(np.concatenate([split["train"][0], split["val"][0]]),
                                            np.concatenate([split["train"][1], split["val"][1]]))}
    paths = sorted({p for m in args.models for p in (glob.glob(m) or [m])})
    groups, full_paths = {}, {}
    for p in paths:
        key = re.sub(r"_rep\d+", "", os.path.basename(p))
        full_paths.setdefault(key, []).append(p)
        groups.setdefault(key, []).append({"model": os.path.basename(p),
                                           **evaluate(p, split, meta, known_sets)})
    figs = ("val_rmse", "val_mrr", "test_rmse", "test_mrr")
    rows = []
    for key, reps in groups.items():
        row = {"setting": key, "repeats": len(reps), "models": reps}
        for f in figs:
            v = [r[f] for r in reps]
            row[f] = statistics.fmean(v)
            row[f + "_sd"] = statistics.stdev(v) if len(v) > 1 else 0.0
        rows.append(row)
    key = f"val_{args.select}"
    best = (min if args.select == "rmse" else max)(rows, key=lambda r: r[key])
    ndcg = [test_ndcg(p, split, meta, known_sets["test"]) for p in full_paths[best["setting"]]]
    best["test_ndcg@10"] = statistics.fmean(ndcg)
    best["test_ndcg@10_sd"] = statistics.stdev(ndcg) if len(ndcg) > 1 else 0.0

    def ms(r, f):
        return f"{r[f]:.4f} ± {r[f + '_sd']:.4f}" if r["repeats"] > 1 else f"{r[f]:.4f}"
    print("| setting | repeats | val RMSE | val MRR | test RMSE | test MRR |")
    print("|---|---|---|---|---|---|")
    for r in rows:
        mark = f" **(chosen on validation {args.select})**" if r is best else ""
        print(f"| {r['setting']}{mark} | {r['repeats']} | " +
              " | ".join(ms(r, f) for f in figs) + " |")
    print(f"\nchosen on mean validation {args.select}: {best['setting']} ({best['repeats']} "
          f"repeats): test RMSE {ms(best, 'test_rmse')}, test MRR {ms(best, 'test_mrr')}, "
          f"test NDCG@10 {ms(best, 'test_ndcg@10')}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"split": meta, "select": args.select, "chosen": best, "settings": rows},
                      f, indent=1)

if __name__ == "__main__":
    main()
