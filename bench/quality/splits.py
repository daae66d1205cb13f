#!/usr/bin/python3
"""Exports mtrec's train / validation / test split of a data set for peers, and checks it.

mtrec train splits the data with the original's RandomState(123) split
(--test_fraction 0.05), then carves the validation rows out of the training
rows with the same procedure and seed 321 (--validation_fraction 0.05). This
script does exactly that through the Python package (mtrec.load_dataset +
mtrec.random_train_test_split twice) and writes, under --out:
  train.txt  the training rows the model is fitted on (without the validation rows)
  val.txt    the validation rows
  test.txt   the test rows
each line "<user row> <item row> <rating>" (mtrec's table rows, 0-based: LIBMF's
format; `--implicit` also writes train1/val1/test1.txt with rating 1 for
one-class/BPR peers), and meta.json (sizes, table sizes, md5 of each file).

--check_run DIR verifies that the exported split is the CLI's: DIR is a run
folder written by quality.py (model.mtrec, evaluate.json, run/config.json) or
any folder with those files. It compares the split sizes with the CLI's
config.json, recomputes the saved model's test MSE from the exported test rows
with model.predict, and its test MRR in numpy (ranking.py, the original's
definition: the whole training split's items, validation rows included, ranked
last) and NDCG@10 (ranking.ndcg_at_k, mtrec's definition) from the model's
embeddings, against `mtrec evaluate`'s figures.

Example:
  PYTHONPATH=build/python:python /usr/bin/python3 bench/quality/splits.py \\
      --dataset ~/data/ml-100k/u.data --out /tmp/splits/ml-100k --implicit \\
      --check_run /tmp/quality/runs/ml-100k/original_seed1
"""

import argparse
import hashlib
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import ranking  # noqa: E402

try:
    import mtrec
except ImportError:
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    sys.path[:0] = [os.path.join(root, "build", "python"), os.path.join(root, "python")]
    import mtrec


def md5(path):
    h = hashlib.md5()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write(path, part, implicit=False):
    r = np.ones(len(part), dtype=np.float32) if implicit else part.ratings
    np.savetxt(path, np.column_stack([part.user_rows, part.item_rows, r]),
               fmt=["%d", "%d", "%.9g"], delimiter=" ")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--dataset", required=True, help="ratings file (as mtrec train --dataset)")
    ap.add_argument("--remap_ids", action="store_true", help="as mtrec train --remap_ids")
    ap.add_argument("--test_fraction", type=float, default=0.05)
    ap.add_argument("--validation_fraction", type=float, default=0.05)
    ap.add_argument("--out", required=True)
    ap.add_argument("--implicit", action="store_true", help="also write rating-1 copies")
    ap.add_argument("--check_run", help="a quality.py run folder to verify the split against")
    args = ap.parse_args()

    data = mtrec.load_dataset(args.dataset, remap_ids=True if args.remap_ids else None)
    train_full, test = mtrec.random_train_test_split(data, args.test_fraction, 123)
    train, val = mtrec.random_train_test_split(train_full, args.validation_fraction, 321)
    os.makedirs(args.out, exist_ok=True)
    files = {}
    for name, part in (("train", train), ("val", val), ("test", test)):
        p = os.path.join(args.out, f"{name}.txt")
        write(p, part)
        files[f"{name}.txt"] = md5(p)
        if args.implicit:
            p = os.path.join(args.out, f"{name}1.txt")
            write(p, part, implicit=True)
            files[f"{name}1.txt"] = md5(p)
    meta = {"dataset": os.path.abspath(args.dataset), "dataset_md5": md5(args.dataset),
            "remap_ids": args.remap_ids, "num_users": data.num_users, "num_items": data.num_items,
            "train_size": len(train), "validation_size": len(val), "test_size": len(test),
            "files": files}

    if args.check_run:
        d = args.check_run
        with open(os.path.join(d, "run", "config.json")) as f:
            run = json.load(f)["run"]
        with open(os.path.join(d, "evaluate.json")) as f:
            ev = json.load(f)["metrics"]
        sizes = {k: (meta[k], run[k]) for k in ("train_size", "validation_size", "test_size")}
        model = mtrec.load(os.path.join(d, "model.mtrec"))
        pred, _ = model.predict(test.users, test.items)
        mse = float(np.mean((pred.astype(np.float64) - test.ratings.astype(np.float64)) ** 2))
        score = ranking.dot_scorer(model.user_embeddings, model.item_embeddings, model.item_biases)
        known = ranking.item_sets(train_full.user_rows, train_full.item_rows)
        tested = ranking.item_sets(test.user_rows, test.item_rows)
        mrr, users = ranking.mean_reciprocal_rank(score, known, tested)
        ndcg, _ = ranking.ndcg_at_k(score, known, tested, 10)
        ok = (all(a == b for a, b in sizes.values()) and
              abs(mse - ev["mse"]) <= 1e-6 * ev["mse"] and abs(mrr - ev["mrr"]) <= 1e-9 and
              abs(ndcg - ev["ndcg@10"]) <= 1e-9)
        meta["check"] = {"run": os.path.abspath(d), "sizes (export, CLI)": sizes,
                         "test_mse (export, CLI)": (mse, ev["mse"]),
                         "test_mrr (numpy, CLI)": (mrr, ev["mrr"]), "mrr_users": users,
                         "test_ndcg@10 (numpy, CLI)": (ndcg, ev["ndcg@10"]),
                         "ok": ok}
    with open(os.path.join(args.out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=1)
    print(json.dumps(meta, indent=1))
    if args.check_run and not meta["check"]["ok"]:
        raise SystemExit("the exported split does NOT reproduce the CLI's figures")


if __name__ == "__main__":
    main()
