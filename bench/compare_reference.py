#!/usr/bin/python3
"""mtrec against the PyTorch reference of the original, in one invocation.

Runs `mtrec train` and reference/train_reference.py on the same data with the
same settings, alternating (mtrec, reference, mtrec, reference, ...) so that
machine noise hits both alike, and prints medians and ratios of:
  - training seconds per epoch, evaluation seconds per epoch (from each run's
    per-epoch metrics, median over every epoch of every repeat),
  - whole-run wall time including start-up (median over repeats),
  - peak resident memory (max over repeats),
and mtrec's achieved GFLOP/s against the machine's nominal float32 peak.

Needs Debian's python3-torch (run with /usr/bin/python3) and, for a fair
baseline, OpenBLAS (libopenblas0-pthread); with netlib's reference BLAS the
PyTorch numbers are several times slower and the script says so.

With --python, the mtrec Python package (build/python) runs the same training
too, as a third contestant: its fit() against the CLI, and its overhead per
epoch (the time between two epochs' callbacks minus the engine's train and
eval seconds of that epoch, i.e. what the Python layer adds).

Example (the original's settings, ML-100K):
  /usr/bin/python3 bench/compare_reference.py --data ~/data/ml-100k/u.data \
      --epochs 10 --repeats 3 --threads 2
"""

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_measured(cmd, env=None):
    """Runs cmd, returns (wall seconds, peak RSS in MiB); raises on failure."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    _, status, rusage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    err = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{err}")
    return wall, rusage.ru_maxrss / 1024.0


# The Python package's run: the same data, split and settings as the CLI's;
# writes metrics.jsonl lines plus each epoch's wall time between callbacks.
PYTHON_RUN = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
import mtrec
args = json.loads(sys.argv[2])
data = mtrec.load_dataset(args["data"])
train, test = mtrec.random_train_test_split(data)
model = mtrec.MultitaskModel(embedding_dim=args["embedding_dim"], layers=args["layers"],
                             shared_embeddings=not args["no_shared_embeddings"],
                             factorization_weight=args["factorization_weight"],
                             regression_weight=args["regression_weight"],
                             batch_size=args["batch_size"], seed=1, threads=args["threads"])
marks = [time.perf_counter()]
model.fit(train, epochs=args["epochs"], test=test,
          callback=lambda e: marks.append(time.perf_counter()))
with open(args["out"], "w") as f:
    for e, (a, b) in zip(model.history, zip(marks, marks[1:])):
        f.write(json.dumps({**e, "epoch_wall_seconds": b - a}) + "\\n")
"""


def read_metrics(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def blas_in_use():
    try:
        out = subprocess.run(["update-alternatives", "--query", "libblas.so.3-x86_64-linux-gnu"],
                             capture_output=True, text=True).stdout
        m = re.search(r"^Value: (.*)$", out, re.M)
        return m.group(1) if m else "unknown"
    except OSError:
        return "unknown"


def nominal_peak_gflops(threads):
    """cores x GHz x flops/cycle (two 256-bit FMA units = 32 float32 flops/cycle;
    64 with AVX-512)."""
    mhz, avx512 = None, False
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("cpu MHz") and mhz is None:
                mhz = float(line.split(":")[1])
            if line.startswith("flags") and " avx512f" in line:
                avx512 = True
    flops_per_cycle = 64 if avx512 else 32
    return threads * (mhz or 0) / 1000.0 * flops_per_cycle, mhz, flops_per_cycle


def measured_peak_gflops(bench_scale, threads):
    """The FMA throughput `mtrec_bench_scale peak` measures on `threads` threads,
    or None without that binary."""
    if not os.path.exists(bench_scale):
        return None
    out = subprocess.run([bench_scale, "peak", str(threads)], check=True, capture_output=True,
                         text=True).stdout
    m = re.findall(r"^fma peak, (\d+) threads?, .*: ([0-9.]+) GFLOP/s$", out, re.M)
    return float(m[-1][1]) if m else None


def flops_per_sample(dim, hidden):
    """Multiply-adds of one training sample, x2: MLP forward, weight gradient and
    input gradient (3 x in x out per layer), plus the factorisation head."""
    widths = [3 * dim] + hidden + [1]
    macs = sum(3 * a * b for a, b in zip(widths, widths[1:])) + 5 * dim
    return 2 * macs


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="u.data-style ratings file")
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--threads", type=int, default=2, help="mtrec's threads (the reference uses 1)")
    p.add_argument("--batch_size", type=int, default=1024)
    p.add_argument("--embedding_dim", type=int, default=32)
    p.add_argument("--layers", default="64")
    p.add_argument("--factorization_weight", type=float, default=0.99)
    p.add_argument("--regression_weight", type=float, default=0.01)
    p.add_argument("--no_shared_embeddings", action="store_true")
    p.add_argument("--mtrec", default=os.path.join(ROOT, "build", "mtrec"))
    p.add_argument("--bench_scale", default=os.path.join(ROOT, "build", "mtrec_bench_scale"),
                   help="its 'peak' mode gives the measured FMA peak (skipped if absent)")
    p.add_argument("--skip_reference", action="store_true", help="time mtrec alone")
    p.add_argument("--python", action="store_true",
                   help="also time the mtrec Python package (build/python)")
    p.add_argument("--python_path", default=os.path.join(ROOT, "build", "python"))
    args = p.parse_args()

    common = ["--epochs", str(args.epochs), "--batch_size", str(args.batch_size),
              "--embedding_dim", str(args.embedding_dim), "--layers", args.layers,
              "--factorization_weight", str(args.factorization_weight),
              "--regression_weight", str(args.regression_weight), "--seed", "1"]
    if args.no_shared_embeddings:
        common.append("--no_shared_embeddings")
    work = tempfile.mkdtemp(prefix="mtrec_bench_")
    results = {name: {"train": [], "eval": [], "wall": [], "rss": [], "overhead": []}
               for name in ("mtrec", "python", "reference")}
    try:
        for r in range(args.repeats):
            logdir = os.path.join(work, f"run{r}")
            wall, rss = run_measured([args.mtrec, "train", "--dataset", args.data, "--logdir", logdir,
                                      "--threads", str(args.threads)] + common)
            rows = read_metrics(os.path.join(logdir, "metrics.jsonl"))
            m = results["mtrec"]
            m["train"] += [x["train_seconds"] for x in rows]
            m["eval"] += [x["eval_seconds"] for x in rows]
            m["wall"].append(wall)
            m["rss"].append(rss)
            if args.python:
                out = os.path.join(work, f"py{r}.jsonl")
                settings = dict(vars(args), layers=[int(w) for w in args.layers.split(",")], out=out)
                wall, rss = run_measured(["/usr/bin/python3", "-c", PYTHON_RUN, args.python_path,
                                          json.dumps(settings)])
                rows = read_metrics(out)
                m = results["python"]
                m["train"] += [x["train_seconds"] for x in rows]
                m["eval"] += [x["eval_seconds"] for x in rows]
                m["overhead"] += [x["epoch_wall_seconds"] - x["train_seconds"] - x["eval_seconds"]
                                  for x in rows]
                m["wall"].append(wall)
                m["rss"].append(rss)
            if args.skip_reference:
                continue
            out = os.path.join(work, f"ref{r}.jsonl")
            wall, rss = run_measured(["/usr/bin/python3", os.path.join(ROOT, "reference", "train_reference.py"),
                                      "--data", args.data, "--metrics_out", out] + common)
            rows = read_metrics(out)
            m = results["reference"]
            m["train"] += [x["train_seconds"] for x in rows]
            m["eval"] += [x["eval_seconds"] for x in rows]
            m["wall"].append(wall)
            m["rss"].append(rss)
            print(f"repeat {r + 1}/{args.repeats} done", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)

    med = lambda xs: statistics.median(xs) if xs else float("nan")
    hidden = [int(x) for x in args.layers.split(",")]
    with open(args.data) as f:
        n_train = int(sum(1 for line in f if line.strip()) * 0.95)
    flops = n_train * flops_per_sample(args.embedding_dim, hidden)
    peak, mhz, fpc = nominal_peak_gflops(args.threads)

    print(f"# mtrec vs PyTorch reference: {args.data}, {args.epochs} epochs x {args.repeats} repeats, "
          f"batch {args.batch_size}, {'separate' if args.no_shared_embeddings else 'shared'}, "
          f"mtrec {args.threads} threads, reference 1 thread")
    print(f"# BLAS for the reference: {blas_in_use()}")
    if args.python:
        print("| measure | mtrec CLI | mtrec Python | Python / CLI |")
        print("|---|---|---|---|")
        for label, key, agg, fmt in [("train s/epoch (median)", "train", med, "{:.4f}"),
                                     ("eval s/epoch (median)", "eval", med, "{:.4f}"),
                                     ("whole run wall s (median)", "wall", med, "{:.2f}"),
                                     ("peak RSS MiB (max)", "rss", max, "{:.0f}")]:
            a, b = agg(results["mtrec"][key]), agg(results["python"][key])
            print(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {b / a:.3f} |")
        over = results["python"]["overhead"]
        cli_epoch = med([t + e for t, e in zip(results["mtrec"]["train"], results["mtrec"]["eval"])])
        print(f"# Python layer per epoch: median {1e3 * med(over):.3f} ms, max {1e3 * max(over):.3f} ms "
              f"= {100 * med(over) / cli_epoch:.2f}% of the CLI's epoch ({1e3 * cli_epoch:.1f} ms "
              f"train+eval)")
    print(f"| measure | mtrec | reference | reference / mtrec |")
    print(f"|---|---|---|---|")
    rows = [("train s/epoch (median)", "train", med, "{:.4f}"),
            ("eval s/epoch (median)", "eval", med, "{:.4f}"),
            ("whole run wall s (median)", "wall", med, "{:.2f}"),
            ("peak RSS MiB (max)", "rss", max, "{:.0f}")]
    for label, key, agg, fmt in rows:
        a = agg(results["mtrec"][key])
        b = agg(results["reference"][key]) if results["reference"][key] else float("nan")
        print(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {b / a:.1f}x |")
    train = med(results["mtrec"]["train"])
    print(f"# mtrec training: {flops / 1e9:.2f} GFLOP/epoch ({flops_per_sample(args.embedding_dim, hidden)} "
          f"flop/sample) -> {flops / train / 1e9:.1f} GFLOP/s = {100 * flops / train / 1e9 / peak:.0f}% "
          f"of nominal peak {peak:.0f} GFLOP/s ({args.threads} cores x {mhz / 1000:.2f} GHz x {fpc} flop/cycle)")
    measured = measured_peak_gflops(args.bench_scale, args.threads)
    if measured:
        print(f"# = {100 * flops / train / 1e9 / measured:.0f}% of the measured FMA peak, "
              f"{measured:.0f} GFLOP/s on {args.threads} threads ({args.bench_scale} peak, "
              f"run after the timings)")


if __name__ == "__main__":
    main()
