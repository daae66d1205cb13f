#!/usr/bin/python3
"""The quality benchmark of issue 11: the original's model against mtrec's recipe.

For every data set and seed it trains, with the `mtrec` CLI,
  (a) the original model: `mtrec train` defaults, 200 epochs, the epoch chosen
      on a validation split carved from the training rows
      (--original_flags, default "--epochs 200 --validation_fraction 0.05
      --early_stopping mrr --patience 200": all 200 epochs run and the run
      ends with the weights of the best validation-MRR epoch), and
  (b) the recipe (--recipe_flags, default "--recipe mtrec"),
saves each run's checkpoint (--save) and then measures the SAVED model on the
test split once with `mtrec evaluate --format json`: test MRR (the original's
definition), RMSE, NDCG@10, recall@10. Seconds per epoch are the mean of the
run folder's metrics.jsonl `train_seconds`.

Writes, under --out (default: a new temporary folder; never the repository):
  results.md    a Markdown table per data set (per seed, mean +- sd) and a summary
  results.json  every figure, the commands and the flags
  curves.svg    validation MRR and MSE per epoch, original vs recipe
                (--curves_dataset, --curves_seed; default ML-100K, seed 1)
  runs/<data set>/<model>_seed<S>/   run folder, checkpoint, train.log, evaluate.json

Data sets (see README.md for where to get them and their md5):
  ml-100k           <data_dir>/ml-100k/u.data
  ml-latest-small   <data_dir>/ml-latest-small/ratings.csv   (trained with --remap_ids)
  movietweetings    <data_dir>/movietweetings-100k/ratings.dat (MovieTweetings
                    snapshots/100K, user::item::rating::timestamp, ratings 0-10)
A data set whose file is missing is skipped with a warning (and said so in
results.md) unless --strict.

With --libmf DIR (libmf_eval.py's --json output of each data set's MF and
BPR grids, as DIR/<data set>/mf.json and bpr.json), results.md also gets a
table of test RMSE, MRR and NDCG@10 beside LIBMF's chosen settings; this
script builds and runs no peer.

Runs one training process at a time (--threads each). With --reuse, a run
whose checkpoint and evaluate.json already exist under --out is not redone,
so an interrupted benchmark can continue.

Example:
  /usr/bin/python3 bench/quality/quality.py --data_dir ~/data --out /tmp/quality
"""

import argparse
import json
import math
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DATASETS = {
    # name: (file under --data_dir, extra mtrec flags, title)
    "ml-100k": ("ml-100k/u.data", [], "MovieLens 100K"),
    "ml-latest-small": ("ml-latest-small/ratings.csv", ["--remap_ids"], "MovieLens latest-small"),
    "movietweetings": ("movietweetings-100k/ratings.dat", ["--remap_ids"], "MovieTweetings 100K"),
}
ORIGINAL_FLAGS = "--epochs 200 --validation_fraction 0.05 --early_stopping mrr --patience 200"
RECIPE_FLAGS = "--recipe mtrec"
METRICS = [  # (key in evaluate's json, column title, digits)
    ("mrr", "test MRR", 4),
    ("rmse", "RMSE", 4),
    ("ndcg@10", "NDCG@10", 4),
    ("recall@10", "recall@10", 4),
]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_one(args, name, model, flags, path, extra, seed, out_dir):
    """Trains one model (unless reused) and evaluates its checkpoint once."""
    run_dir = os.path.join(out_dir, "runs", name, f"{model}_seed{seed}")
    ckpt = os.path.join(run_dir, "model.mtrec")
    logdir = os.path.join(run_dir, "run")
    eval_json = os.path.join(run_dir, "evaluate.json")
    train_cmd = ([args.mtrec, "train", "--dataset", path] + extra + shlex.split(flags) +
                 ["--seed", str(seed), "--threads", str(args.threads), "--save", ckpt,
                  "--logdir", logdir, "--overwrite"])
    eval_cmd = [args.mtrec, "evaluate", "--model", ckpt, "--format", "json", "--k", "10",
                "--threads", str(args.threads)]
    reused = args.reuse and os.path.exists(ckpt) and os.path.exists(eval_json)
    wall = None
    if not reused:
        os.makedirs(run_dir, exist_ok=True)
        log(f"[{time.strftime('%H:%M:%S')}] {name} {model} seed {seed}: " +
            " ".join(shlex.quote(c) for c in train_cmd))
        t0 = time.monotonic()
        with open(os.path.join(run_dir, "train.log"), "w") as f:
            rc = subprocess.call(train_cmd, stdout=f, stderr=subprocess.STDOUT)
        wall = time.monotonic() - t0
        if rc != 0:
            with open(os.path.join(run_dir, "train.log")) as f:
                tail = f.read()[-2000:]
            raise SystemExit(f"mtrec train failed (exit {rc}) for {name} {model} seed {seed}:\n"
                             f"{tail}")
        res = subprocess.run(eval_cmd, capture_output=True, text=True)
        if res.returncode != 0:
            raise SystemExit(f"mtrec evaluate failed (exit {res.returncode}): {res.stderr}")
        with open(eval_json, "w") as f:
            f.write(res.stdout)
    with open(eval_json) as f:
        ev = json.load(f)
    epochs = []
    with open(os.path.join(logdir, "metrics.jsonl")) as f:
        for line in f:
            if line.strip():
                epochs.append(json.loads(line))
    with open(os.path.join(logdir, "config.json")) as f:
        config = json.load(f)
    row = {
        "data set": name, "model": model, "seed": seed,
        "epochs_run": len(epochs),
        "model_epoch": ev.get("epoch"),
        "best_restored": ev.get("best_restored"),
        "s_per_epoch": statistics.fmean(e["train_seconds"] for e in epochs),
        "eval_s_per_epoch": statistics.fmean(e.get("eval_seconds", 0.0) for e in epochs),
        "wall_s": wall,
        "metrics": ev["metrics"],
        "train_size": config["run"].get("train_size"),
        "validation_size": config["run"].get("validation_size"),
        "test_size": config["run"].get("test_size"),
        "test_users": ev.get("test_users"),
        # the recipe chooses it on validation (config.json's run.rating_l2_trials)
        "rating_l2": config["config"].get("train", {}).get("rating_l2", 0),
        "rating_l2_trials": config["run"].get("rating_l2_trials"),
        "train_command": train_cmd, "evaluate_command": eval_cmd,
        "curves": [{"epoch": e["epoch"], "val_mrr": e.get("val_mrr"), "val_mse": e.get("val_mse")}
                   for e in epochs],
    }
    m = ev["metrics"]
    log(f"    epochs {row['epochs_run']}, model epoch {row['model_epoch']}: "
        f"MRR {m['mrr']:.4f} RMSE {m['rmse']:.4f} NDCG@10 {m['ndcg@10']:.4f} "
        f"recall@10 {m['recall@10']:.4f}, {row['s_per_epoch']:.3f} s/epoch")
    return row


def mean_sd(values, digits):
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.fmean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def dataset_table(rows):
    head = (["model", "seed", "epochs run", "model's epoch", "rating_l2"] +
            [t for _, t, _ in METRICS] + ["s/epoch", "run s"])
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for model in ("original", "recipe"):
        mine = [r for r in rows if r["model"] == model]
        for r in mine:
            cells = [model, str(r["seed"]), str(r["epochs_run"]), str(r["model_epoch"]),
                     f"{r['rating_l2']:g}"]
            cells += [f"{r['metrics'][k]:.{d}f}" for k, _, d in METRICS]
            cells.append(f"{r['s_per_epoch']:.3f}")
            cells.append("–" if r["wall_s"] is None else f"{r['wall_s']:.1f}")
            lines.append("| " + " | ".join(cells) + " |")
        if mine:
            cells = [f"**{model}**", "mean ± sd", "", "", ""]
            cells += [mean_sd([r["metrics"][k] for r in mine], d) for k, _, d in METRICS]
            cells.append(mean_sd([r["s_per_epoch"] for r in mine], 3))
            cells.append(wall_mean_sd(mine))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def wall_mean_sd(rows):
    """The runs' wall seconds (training, per-epoch evaluation, refit), or – when reused."""
    walls = [r["wall_s"] for r in rows]
    return "–" if None in walls else mean_sd(walls, 1)


def summary_table(rows, names):
    head = ["data set", "model"] + [t for _, t, _ in METRICS] + ["s/epoch", "run s"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        for model in ("original", "recipe"):
            mine = [r for r in rows if r["data set"] == name and r["model"] == model]
            if not mine:
                continue
            cells = [name, model] + [mean_sd([r["metrics"][k] for r in mine], d)
                                     for k, _, d in METRICS]
            cells.append(mean_sd([r["s_per_epoch"] for r in mine], 3))
            cells.append(wall_mean_sd(mine))
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def read_libmf(libmf_dir, name):
    """libmf_eval.py's JSON of a data set's chosen MF and BPR settings
    (<libmf_dir>/<name>/mf.json, bpr.json), or None for a missing one."""
    out = {}
    for kind in ("mf", "bpr"):
        path = os.path.join(libmf_dir, name, f"{kind}.json")
        if os.path.isfile(path):
            with open(path) as f:
                out[kind] = json.load(f)["chosen"]
    return out


def peers_table(rows, names, libmf_dir):
    """Test RMSE, MRR and NDCG@10 per data set: LIBMF's MF and BPR (chosen on
    the same validation rows by libmf_eval.py), the original and the recipe."""
    def chosen(c, key):
        return (f"{c[key]:.4f} ± {c[key + '_sd']:.4f}" if c.get("repeats", 1) > 1
                else f"{c[key]:.4f}")
    head = ["data set", "figure", "LIBMF MF", "LIBMF BPR", "original", "recipe"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name in names:
        lib = read_libmf(libmf_dir, name)
        for key, title in (("rmse", "test RMSE"), ("mrr", "test MRR"), ("ndcg@10", "NDCG@10")):
            cells = [name, title]
            for kind in ("mf", "bpr"):  # MF rates, BPR ranks
                c = lib.get(kind)
                ok = c is not None and (kind == "mf") == (key == "rmse") and f"test_{key}" in c
                setting = c["setting"].removesuffix(".model") if ok else ""
                cells.append(chosen(c, f"test_{key}") + f" (`{setting}`)" if ok else "–")
            for model in ("original", "recipe"):
                mine = [r["metrics"][key] for r in rows
                        if r["data set"] == name and r["model"] == model]
                cells.append(mean_sd(mine, 4) if mine else "–")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


# ---------------------------------------------------------------- SVG (plain text)

def _nice_ticks(lo, hi, n=5):
    if hi <= lo:
        hi = lo + 1.0
    raw = (hi - lo) / n
    mag = 10 ** math.floor(math.log10(raw))
    step = min((s * mag for s in (1, 2, 2.5, 5, 10) if s * mag >= raw), default=10 * mag)
    start = math.ceil(lo / step) * step
    ticks, t = [], start
    while t <= hi + 1e-12:
        ticks.append(round(t, 12))
        t += step
    return ticks


def _esc(s):
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def curves_svg(series, title):
    """series: {label: (colour, [(epoch, val_mrr, val_mse)], chosen epoch)} -> SVG, two panels.

    The chosen epoch (the saved model's) is marked with a dot on each curve.
    """
    W, H = 960, 420 + 20 * len(series)
    panels = [("val_mrr", "validation MRR (higher is better)", 1),
              ("val_mse", "validation MSE (lower is better)", 2)]
    pw, ph, top, left_pad = 380, 300, 60, 70
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="15">{_esc(title)}</text>']
    for p, (key, label, col) in enumerate(panels):
        x0 = left_pad + p * (pw + 100)
        pts_all = [(q[0], q[col]) for _, (c, pts, _) in series.items() for q in pts
                   if q[col] is not None and math.isfinite(q[col])]
        if not pts_all:
            continue
        xs = [q[0] for q in pts_all]
        ys = [q[1] for q in pts_all]
        xmin, xmax = 0, max(xs)
        ylo, yhi = min(ys), max(ys)
        if key == "val_mse":  # the first epochs' MSE dwarfs the rest: clip at the 5th epoch's
            late = [q[1] for q in pts_all if q[0] >= 5] or ys
            yhi = min(yhi, max(late))
        pad = (yhi - ylo) * 0.05 or 0.01
        ylo, yhi = ylo - pad, yhi + pad
        xt, yt = _nice_ticks(xmin, xmax), _nice_ticks(ylo, yhi)

        def X(v):
            return x0 + (v - xmin) / (xmax - xmin or 1) * pw

        def Y(v):
            return top + ph - (min(max(v, ylo), yhi) - ylo) / (yhi - ylo) * ph

        out.append(f'<rect x="{x0}" y="{top}" width="{pw}" height="{ph}" fill="none" stroke="#444"/>')
        for t in xt:
            out.append(f'<line x1="{X(t):.1f}" y1="{top}" x2="{X(t):.1f}" y2="{top + ph}" '
                       f'stroke="#ddd"/><text x="{X(t):.1f}" y="{top + ph + 16}" '
                       f'text-anchor="middle">{t:g}</text>')
        for t in yt:
            if ylo <= t <= yhi:
                out.append(f'<line x1="{x0}" y1="{Y(t):.1f}" x2="{x0 + pw}" y2="{Y(t):.1f}" '
                           f'stroke="#ddd"/><text x="{x0 - 6}" y="{Y(t) + 4:.1f}" '
                           f'text-anchor="end">{t:g}</text>')
        out.append(f'<text x="{x0 + pw / 2}" y="{top + ph + 36}" text-anchor="middle">epoch</text>')
        out.append(f'<text x="{x0 + pw / 2}" y="{top - 8}" text-anchor="middle">{_esc(label)}</text>')
        for lab, (colour, pts, chosen) in series.items():
            good = [(q[0], q[col]) for q in pts if q[col] is not None and math.isfinite(q[col])]
            if good:
                d = " ".join(f"{X(e):.1f},{Y(v):.1f}" for e, v in good)
                out.append(f'<polyline points="{d}" fill="none" stroke="{colour}" '
                           f'stroke-width="1.6"/>')
                for e, v in good:
                    if e == chosen:
                        out.append(f'<circle cx="{X(e):.1f}" cy="{Y(v):.1f}" r="4" '
                                   f'fill="{colour}" stroke="black"/>')
    ly = top + ph + 66
    for lab, (colour, _, chosen) in series.items():
        out.append(f'<line x1="{left_pad}" y1="{ly}" x2="{left_pad + 24}" y2="{ly}" '
                   f'stroke="{colour}" stroke-width="3"/><text x="{left_pad + 30}" '
                   f'y="{ly + 4}" font-size="11">{_esc(lab)} (dot: the saved model, '
                   f'epoch {chosen})</text>')
        ly += 20
    out.append("</svg>")
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 1)[1])
    ap.add_argument("--mtrec", default=os.path.join(ROOT, "build", "mtrec"),
                    help="the mtrec CLI (default: build/mtrec of this checkout)")
    ap.add_argument("--data_dir", default=os.path.expanduser("~/data"),
                    help="where the data files are (default: ~/data)")
    for name in DATASETS:
        ap.add_argument(f"--{name.replace('-', '_')}", metavar="PATH",
                        help=f"{name}'s ratings file (default: <data_dir>/{DATASETS[name][0]})")
    ap.add_argument("--datasets", default=",".join(DATASETS),
                    help="comma-separated data sets to run (default: all)")
    ap.add_argument("--seeds", default="1,2,3", help="comma-separated seeds (default: 1,2,3)")
    ap.add_argument("--original_flags", default=ORIGINAL_FLAGS,
                    help=f'mtrec train flags of the original model (default: "{ORIGINAL_FLAGS}")')
    ap.add_argument("--recipe_flags", default=RECIPE_FLAGS,
                    help=f'mtrec train flags of the recipe (default: "{RECIPE_FLAGS}")')
    ap.add_argument("--models", default="original,recipe",
                    help="which models to run (default: original,recipe)")
    ap.add_argument("--threads", type=int, default=2, help="threads per run (default: 2)")
    ap.add_argument("--out", help="output folder (default: a new temporary folder)")
    ap.add_argument("--curves_dataset", default="ml-100k")
    ap.add_argument("--curves_seed", type=int, default=1)
    ap.add_argument("--reuse", action="store_true",
                    help="keep runs already finished under --out (checkpoint + evaluate.json)")
    ap.add_argument("--strict", action="store_true", help="a missing data file is an error")
    ap.add_argument("--libmf", metavar="DIR",
                    help="LIBMF's chosen settings, libmf_eval.py --json output as "
                         "DIR/<data set>/mf.json and bpr.json: adds a table beside them")
    args = ap.parse_args()

    if not os.path.exists(args.mtrec):
        raise SystemExit(f"no mtrec CLI at {args.mtrec} (build it, or give --mtrec)")
    out_dir = args.out or tempfile.mkdtemp(prefix="mtrec-quality-")
    os.makedirs(out_dir, exist_ok=True)
    seeds = [int(s) for s in args.seeds.split(",") if s]
    models = [m for m in args.models.split(",") if m]
    flags = {"original": args.original_flags, "recipe": args.recipe_flags}
    names = [n for n in args.datasets.split(",") if n]
    for n in names:
        if n not in DATASETS:
            raise SystemExit(f"unknown data set {n!r} (known: {', '.join(DATASETS)})")

    t_start = time.monotonic()
    rows, skipped = [], []
    for name in names:
        rel, extra, _ = DATASETS[name]
        path = getattr(args, name.replace("-", "_")) or os.path.join(args.data_dir, rel)
        if not os.path.isfile(path):
            if args.strict:
                raise SystemExit(f"{name}: no file {path}")
            log(f"warning: {name}: no file {path}; skipped")
            skipped.append((name, path))
            continue
        for seed in seeds:
            for model in models:
                rows.append(run_one(args, name, model, flags[model], path, extra, seed, out_dir))
    total = time.monotonic() - t_start

    ran = [n for n in names if any(r["data set"] == n for r in rows)]
    md = ["# mtrec quality benchmark", "",
          f"original: `mtrec train {args.original_flags}`  ",
          f"recipe: `mtrec train {args.recipe_flags}`  ",
          f"seeds {args.seeds}, {args.threads} threads; every figure from `mtrec evaluate` of the "
          "saved checkpoint on the test split (MRR: the original's definition; NDCG@10, "
          "recall@10: full ranking without the user's training items); s/epoch: mean "
          "`train_seconds` of metrics.jsonl (the selection's epochs); run s: the whole "
          "`mtrec train` command's wall seconds (training, per-epoch evaluation and, in the "
          "recipe, the refit; – for runs reused from an earlier invocation).", "",
          f"Wall time of this invocation: {total / 60:.1f} min.", ""]
    for name in ran:
        r0 = next(r for r in rows if r["data set"] == name)
        md += [f"## {DATASETS[name][2]} (`{name}`)", "",
               f"train {r0['train_size']} / validation {r0['validation_size']} / test "
               f"{r0['test_size']} rows (original), {r0['test_users']} test users", "",
               dataset_table([r for r in rows if r["data set"] == name]), ""]
    if ran:
        md += ["## Summary (mean ± sd over seeds)", "", summary_table(rows, ran), ""]
    if ran and args.libmf:
        md += ["## Beside LIBMF (test figures; LIBMF: mean ± sd of its chosen setting's repeats; "
               "its MF does not rank, its BPR does not rate)", "",
               peers_table(rows, ran, args.libmf), ""]
    for name, path in skipped:
        md += [f"Not run: `{name}` (no file {path}).", ""]
    with open(os.path.join(out_dir, "results.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(out_dir, "results.json"), "w") as f:
        json.dump({"original_flags": args.original_flags, "recipe_flags": args.recipe_flags,
                   "seeds": seeds, "threads": args.threads, "wall_s": total,
                   "skipped": skipped, "runs": rows}, f, indent=1)

    curves = {}
    colours = {"original": "#1f77b4", "recipe": "#d62728"}
    for r in rows:
        if r["data set"] == args.curves_dataset and r["seed"] == args.curves_seed:
            lab = f"{r['model']}: {flags[r['model']]}"
            curves[lab if len(lab) <= 110 else lab[:107] + "..."] = (
                colours[r["model"]],
                [(c["epoch"], c["val_mrr"], c["val_mse"]) for c in r["curves"]],
                r["model_epoch"])
    if curves:
        with open(os.path.join(out_dir, "curves.svg"), "w") as f:
            f.write(curves_svg(curves, f"{DATASETS[args.curves_dataset][2]}, seed "
                                       f"{args.curves_seed}: validation curves"))
    print("\n".join(md))
    log(f"outputs in {out_dir}")


if __name__ == "__main__":
    main()
