#!/usr/bin/python3
"""RecBole's general-recommendation protocol on the data sets at hand, beside RecBole's published ML-1M figures.

The protocol (RecBole's ML-1M setting, as issue 25 states it):
  * keep ratings >= 3 (on a 1-5 scale; MovieTweetings rates 0-10, so >= 6 there);
  * keep users and items with >= 10 interactions, filtered again until stable;
  * per user, in a seeded random order, 80 % train / 10 % validation / 10 % test
    (RecBole's _calcu_split_ids: validation and test int(0.1 * n) each, the
    rest train);
  * full ranking of every item, the user's training items masked for
    validation and the training and validation items for test;
  * Recall@10, MRR@10, NDCG@10, Hit@10 and Precision@10 as RecBole's
    recbole/evaluator/metrics.py defines them (RUCAIBox/RecBole): per user
    with at least one item in the evaluated part, then the mean over users.
    Hit = a relevant item in the top 10; MRR = 1 / rank of the first one (0
    if none); NDCG = DCG / IDCG with binary gains, IDCG over min(|R(u)|, 10)
    positions; Recall = hits / |R(u)|; Precision = hits / 10;
  * the model of the epoch of best validation NDCG@10, stopping after 10
    epochs without improvement (RecBole's stopping_step 10), at most
    --max_epochs epochs.

The split is written as files (train.tsv, valid.tsv, test.tsv under
--out/<data set>/split/: "user<TAB>item<TAB>rating<TAB>timestamp", the data
set's own ids, for peers) and read back with mtrec.load_split, the Python form
of `mtrec train --train FILE --validation FILE --test FILE`, so the models
train on exactly the exported rows. Training goes through the Python package
because selection needs NDCG@10, which mtrec's own early stopping does not
compute: each epoch's scores come from the model's embeddings (the ranking
head's score u.q + b_i).

Models:
  bpr        plain BPR: factorization_weight 1, regression_weight 0,
             embedding_dim 64, sigmoid loss, Adam lr 1e-3, batch 4096
  bpr_hard5  the same with the hardest of 5 sampled negatives (negatives=5)
  recipe     the multitask recipe's model (separate tables, rating biases,
             rating_l2 30, hardest of 5 negatives, 0.5/0.5 loss weights,
             embedding_dim 32, batch 1024) selected by this protocol (one
             epoch for both heads, no refit); its test RMSE is of the kept
             ratings (>= the threshold)

Example (the table in README.md):
  PYTHONPATH=build/python:python /usr/bin/python3 bench/quality/recbole.py \\
      --data_dir ~/data --seeds 1,2,3 --out /tmp/recbole-s3
"""

import argparse
import json
import math
import os
import sys
import time

import numpy as np

try:
    import mtrec
except ImportError:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path[:0] = [os.path.join(root, "build", "python"), os.path.join(root, "python")]
    import mtrec

K = 10
SPLIT_SEED = 2020  # RecBole's default seed; this script's own shuffle, not RecBole's

# name: (file under --data_dir, separator, header lines, rating threshold, title)
DATASETS = {
    "ml-100k": ("ml-100k/u.data", "\t", 0, 3.0, "MovieLens 100K"),
    "ml-latest-small": ("ml-latest-small/ratings.csv", ",", 1, 3.0, "MovieLens latest-small"),
    "movietweetings": ("movietweetings-100k/ratings.dat", "::", 0, 6.0,
                       "MovieTweetings 100K (ratings 0-10: kept >= 6)"),
}

MODELS = {
    "bpr": dict(factorization_weight=1.0, regression_weight=0.0, embedding_dim=64,
                bpr_loss="sigmoid", learning_rate=1e-3, batch_size=4096),
    "bpr_hard5": dict(factorization_weight=1.0, regression_weight=0.0, embedding_dim=64,
                      bpr_loss="sigmoid", learning_rate=1e-3, batch_size=4096, negatives=5),
    "recipe": dict(shared_embeddings=False, rating_biases=True, rating_l2=30, negatives=5,
                   factorization_weight=0.5, regression_weight=0.5),
    # Not in the default run (--models): RecBole's own loss, with and without
    # redrawing negatives that are the user's training items (docs/quality.md,
    # "Why the log loss learned worse"), the recipe at BPR's width, and the
    # recipe with only its ranking tables at BPR's width (ranking_dim).
    "bpr_log": dict(factorization_weight=1.0, regression_weight=0.0, embedding_dim=64,
                    bpr_loss="log", learning_rate=1e-3, batch_size=4096),
    "bpr_log_unseen": dict(factorization_weight=1.0, regression_weight=0.0, embedding_dim=64,
                           bpr_loss="log", learning_rate=1e-3, batch_size=4096,
                           unseen_negatives=True),
    "recipe64": dict(shared_embeddings=False, rating_biases=True, rating_l2=30, negatives=5,
                     factorization_weight=0.5, regression_weight=0.5, embedding_dim=64),
    "recipe_rank64": dict(shared_embeddings=False, rating_biases=True, rating_l2=30, negatives=5,
                          factorization_weight=0.5, regression_weight=0.5, ranking_dim=64),
}
DEFAULT_MODELS = ("bpr", "bpr_hard5", "recipe")

# RecBole's published ML-1M figures (RecBole-GNN, results/general/ml-1m.md:
# ratings >= 3, ratio-based 8:1:1, full sort, embedding size 64, batch 4096,
# selected on validation MRR@10). ML-1M itself is not run here.
PUBLISHED_ML1M = [
    ("BPR", 0.1776, 0.4187, 0.2401, 0.7199, 0.1779),
    ("LightGCN", 0.1861, 0.4388, 0.2538, 0.7330, 0.1863),
    ("XSimGCL", 0.2116, 0.4638, 0.2750, 0.7743, 0.1987),
]
PUBLISHED_SOURCE = ("RUCAIBox/RecBole-GNN, results/general/ml-1m.md "
                    "(https://github.com/RUCAIBox/RecBole-GNN/blob/main/results/general/ml-1m.md)")
METRICS = ("recall", "mrr", "ndcg", "hit", "precision")


def read_ratings(path, sep, header):
    users, items, ratings, times = [], [], [], []
    with open(path, encoding="utf-8", errors="replace") as f:
        for _ in range(header):
            next(f)
        for line in f:
            line = line.strip()
            if not line:
                continue
            u, i, r, t = line.split(sep)[:4]
            users.append(u)
            items.append(i)
            ratings.append(float(r))
            times.append(int(float(t)))
    return (np.array(users, dtype=object), np.array(items, dtype=object),
            np.array(ratings, dtype=np.float64), np.array(times, dtype=np.int64))


def core_filter(users, items, keep, core):
    """RecBole's user/item interaction-count filter, repeated until stable."""
    while True:
        _, uinv, ucnt = np.unique(users[keep], return_inverse=True, return_counts=True)
        _, iinv, icnt = np.unique(items[keep], return_inverse=True, return_counts=True)
        ok = (ucnt[uinv] >= core) & (icnt[iinv] >= core)
        if ok.all():
            return keep
        keep = keep[ok]


def split_ids(tot, ratios=(0.8, 0.1, 0.1)):
    """RecBole's Dataset._calcu_split_ids: the part sizes of one user's rows."""
    cnt = [int(r * tot) for r in ratios]
    cnt[0] = tot - sum(cnt[1:])
    for i in range(1, len(ratios)):
        if cnt[0] <= 1:
            break
        if 0 < ratios[-i] * tot < 1:
            cnt[-i] += 1
            cnt[0] -= 1
    return cnt


def protocol_split(users, keep, seed):
    """Rows (indices into the data) of train, validation and test."""
    order = keep[np.random.RandomState(seed).permutation(len(keep))]
    by_user = {}
    for row in order:
        by_user.setdefault(users[row], []).append(row)
    parts = ([], [], [])
    for rows in by_user.values():
        n_train, n_val, _ = split_ids(len(rows))
        parts[0].extend(rows[:n_train])
        parts[1].extend(rows[n_train:n_train + n_val])
        parts[2].extend(rows[n_train + n_val:])
    return [np.array(p, dtype=np.int64) for p in parts]


def write_part(path, rows, data):
    users, items, ratings, times = data
    with open(path, "w", encoding="utf-8") as f:
        for r in rows:
            f.write(f"{users[r]}\t{items[r]}\t{ratings[r]:g}\t{times[r]}\n")


def rows_by_user(part, n_users):
    """The set of item rows of each user row in `part` (an mtrec.Interactions)."""
    out = [set() for _ in range(n_users)]
    for u, i in zip(part.user_rows, part.item_rows):
        out[u].add(int(i))
    return out


def topk_metrics(scores, positives, masked, k=K):
    """RecBole's top-k metrics at k, averaged over the users with positives."""
    sums = dict.fromkeys(METRICS, 0.0)
    users = [u for u in range(len(positives)) if positives[u]]
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    for u in users:
        s = scores[u].copy()
        if masked[u]:
            s[list(masked[u])] = -np.inf
        top = np.argpartition(-s, k)[:k]
        top = top[np.argsort(-s[top], kind="stable")]
        hits = np.array([int(i) in positives[u] for i in top], dtype=bool)
        n_pos = len(positives[u])
        sums["hit"] += float(hits.any())
        sums["mrr"] += 1.0 / (np.argmax(hits) + 1) if hits.any() else 0.0
        sums["ndcg"] += float(discount[hits].sum() / discount[:min(n_pos, k)].sum())
        sums["recall"] += hits.sum() / n_pos
        sums["precision"] += hits.sum() / k
    return {m: v / len(users) for m, v in sums.items()}


def ranking_scores(model):
    return model.user_embeddings @ model.item_embeddings.T + model.item_biases[None, :]


def run_model(name, split, seed, args):
    train, valid, test = split
    n_users = train.num_users
    seen_train = rows_by_user(train, n_users)
    val_pos = rows_by_user(valid, n_users)
    test_pos = rows_by_user(test, n_users)
    seen_both = [a | b for a, b in zip(seen_train, val_pos)]
    model = mtrec.MultitaskModel(seed=seed, threads=args.threads, **MODELS[name])
    state = {"best": -1.0, "epoch": 0, "since": 0, "test": None, "val": None, "rmse": None}

    def on_epoch(e):
        scores = ranking_scores(model)
        val = topk_metrics(scores, val_pos, seen_train)
        if val["ndcg"] > state["best"]:
            state.update(best=val["ndcg"], epoch=e["epoch"], since=0, val=val,
                         test=topk_metrics(scores, test_pos, seen_both))
            if MODELS[name].get("regression_weight", 0.005) > 0:
                pred, _ = model.predict(test.users, test.items)
                state["rmse"] = float(np.sqrt(np.mean((pred - test.ratings) ** 2)))
        else:
            state["since"] += 1
        return state["since"] < args.patience

    t0 = time.time()
    history = model.fit(train, epochs=args.max_epochs, callback=on_epoch)
    return {"model": name, "seed": seed, "epochs_run": len(history), "best_epoch": state["epoch"],
            "validation": state["val"], "test": state["test"], "test_rmse": state["rmse"],
            "seconds": time.time() - t0,
            "s_per_epoch": float(np.mean([h["train_seconds"] for h in history]))}


def mean_sd(values, digits=4):
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    m = sum(values) / len(values)
    sd = math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1))
    return f"{m:.{digits}f} ± {sd:.{digits}f}"


def table(runs):
    lines = ["| model | seeds | epochs (best) | Recall@10 | MRR@10 | NDCG@10 | Hit@10 | "
             "Precision@10 | val NDCG@10 | test RMSE | s/epoch |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for name in MODELS:
        rs = [r for r in runs if r["model"] == name]
        if not rs:
            continue
        epochs = ", ".join(f"{r['epochs_run']} ({r['best_epoch']})" for r in rs)
        cells = [mean_sd([r["test"][m] for r in rs]) for m in METRICS]
        val = mean_sd([r["validation"]["ndcg"] for r in rs])
        rmse = mean_sd([r["test_rmse"] for r in rs]) if rs[0]["test_rmse"] is not None else "–"
        lines.append(f"| {name} | {len(rs)} | {epochs} | " + " | ".join(cells) +
                     f" | {val} | {rmse} | {mean_sd([r['s_per_epoch'] for r in rs], 3)} |")
    return "\n".join(lines)


def published_table():
    lines = [f"RecBole's published **ML-1M** figures (not measured here; {PUBLISHED_SOURCE}):", "",
             "| model (ML-1M, published) | Recall@10 | MRR@10 | NDCG@10 | Hit@10 | Precision@10 |",
             "|---|---|---|---|---|---|"]
    for row in PUBLISHED_ML1M:
        lines.append(f"| {row[0]} | " + " | ".join(f"{v:.4f}" for v in row[1:]) + " |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data_dir", default=os.path.expanduser("~/data"))
    ap.add_argument("--datasets", default=",".join(DATASETS))
    ap.add_argument("--models", default=",".join(DEFAULT_MODELS),
                    help="any of " + ", ".join(MODELS))
    ap.add_argument("--seeds", default="1")
    ap.add_argument("--max_epochs", type=int, default=300)
    ap.add_argument("--patience", type=int, default=10)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    seeds = [int(s) for s in args.seeds.split(",")]
    report = [published_table(), ""]
    results = []
    for ds in args.datasets.split(","):
        rel, sep, header, threshold, title = DATASETS[ds]
        path = os.path.join(args.data_dir, rel)
        if not os.path.exists(path):
            report.append(f"### {title}\n\nskipped: no {path}\n")
            continue
        data = read_ratings(path, sep, header)
        users, items, ratings, _ = data
        keep = core_filter(users, items, np.flatnonzero(ratings >= threshold), 10)
        parts = protocol_split(users, keep, SPLIT_SEED)
        split_dir = os.path.join(args.out, ds, "split")
        os.makedirs(split_dir, exist_ok=True)
        files = [os.path.join(split_dir, f) for f in ("train.tsv", "valid.tsv", "test.tsv")]
        for f, rows in zip(files, parts):
            write_part(f, rows, data)
        train, valid, test = mtrec.load_split(files[0], files[2], files[1], format="tsv",
                                              remap_ids=True)
        split = (train, valid, test)
        stats = (f"{len(np.unique(users[keep]))} users, {len(np.unique(items[keep]))} items, "
                 f"{len(keep)} interactions (ratings >= {threshold:g}, 10-core); "
                 f"train {len(train)} / validation {len(valid)} / test {len(test)}")
        print(f"{ds}: {stats}", flush=True)
        runs = []
        for name in args.models.split(","):
            for seed in seeds:
                r = run_model(name, split, seed, args)
                print(f"  {name} seed {seed}: {r['epochs_run']} epochs (best {r['best_epoch']}), "
                      f"test NDCG@10 {r['test']['ndcg']:.4f} MRR@10 {r['test']['mrr']:.4f}, "
                      f"{r['seconds']:.0f} s", flush=True)
                runs.append(dict(r, dataset=ds))
        results.extend(runs)
        report.append(f"### {title}\n\n{stats}\n\n{table(runs)}\n")
    text = "\n".join(report)
    with open(os.path.join(args.out, "results.md"), "w", encoding="utf-8") as f:
        f.write(text + "\n")
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as f:
        json.dump({"args": vars(args), "split_seed": SPLIT_SEED, "runs": results}, f, indent=1)
    print(text)


if __name__ == "__main__":
    main()
