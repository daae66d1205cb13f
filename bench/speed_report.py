#!/usr/bin/python3
"""Issue 24's speed figures, measured side by side in one invocation.

Runs, one after the other on the same machine:
  1. the sparse path: `mtrec_bench_scale sparse THREADS PAIRS` (BPR-only
     ML-25M-sized epochs, rowwise_adagrad and lazy_adam alternating, the
     triad bandwidth probe and each epoch's bytes against it);
  2. with --libmf, LIBMF's BPR on the same training rows (`mtrec_bench_scale
     libmf FILE`, then `mf-train -f 10 -k 32 -s THREADS -t 1` and `-t 3`
     alternating, twice: one iteration = (t3 - t1) / 2, so reading the file
     is left out);
  3. the dense path: bench/compare_reference.py (mtrec against the PyTorch
     reference on --data, with the fraction of the nominal and of the measured
     FMA peak, `mtrec_bench_scale peak`);
  4. the original's 200-epoch experiment, `mtrec train --dataset DATA --epochs
     200 --threads THREADS`, --runs times (wall seconds);
then prints one table of the figures against issue 24's targets. Needs what
compare_reference.py needs (python3-torch, libopenblas0-pthread); nothing is
downloaded or built. Machines are noisy: read the figures with the load
average printed beside them, and compare only figures of one invocation.

Example:
  /usr/bin/python3 bench/speed_report.py --data ~/data/ml-100k/u.data \\
      --libmf /tmp/libmf
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load():
    with open("/proc/loadavg") as f:
        return f.read().split()[0]


def run(cmd):
    """Runs cmd, echoes and returns its stdout; raises on failure."""
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    sys.stdout.write(out)
    sys.stdout.flush()
    return out


def timed(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def number(pattern, text, what):
    m = re.search(pattern, text, re.M)
    if not m:
        raise RuntimeError(f"speed_report: no {what} in the output above")
    return float(m.group(1))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data", required=True, help="ML-100K's u.data (the dense path's data)")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--pairs", type=int, default=3, help="sparse epochs per optimizer")
    p.add_argument("--repeats", type=int, default=3, help="compare_reference.py's repeats")
    p.add_argument("--runs", type=int, default=3, help="200-epoch experiments")
    p.add_argument("--libmf", help="a folder holding LIBMF's mf-train (built, not fetched here)")
    p.add_argument("--build", default=os.path.join(ROOT, "build"),
                   help="the folder with mtrec and mtrec_bench_scale")
    args = p.parse_args()
    mtrec = os.path.join(args.build, "mtrec")
    scale = os.path.join(args.build, "mtrec_bench_scale")
    for path in (mtrec, scale):
        if not os.path.exists(path):
            sys.exit(f"speed_report: {path} not found (build with -DMTREC_BUILD_BENCHMARKS=ON)")
    t = str(args.threads)
    rows = []  # (figure, measured, target, met)

    print(f"## sparse path (load {load()})", flush=True)
    out = run([scale, "sparse", t, str(args.pairs)])
    rowwise = number(r"^\| rowwise_adagrad \| ([0-9.]+) \|", out, "rowwise epoch")
    ratio = number(r"^ratio rowwise_adagrad / lazy_adam: ([0-9.]+) wall", out, "ratio")
    bound = number(r"^\| rowwise_adagrad \|.*\| ([0-9]+)% \|$", out, "bandwidth bound")
    rows.append(("BPR-only epoch, rowwise_adagrad / lazy_adam (wall)", f"{ratio:.2f}", "<= 0.60",
                 ratio <= 0.60))
    rows.append(("rowwise epoch's bandwidth bound / its time", f"{bound:.0f} %", "-", None))

    if args.libmf:
        print(f"## LIBMF BPR on the same rows (load {load()})", flush=True)
        train = os.path.join(args.libmf, "mf-train")
        with tempfile.TemporaryDirectory(prefix="speed_report_") as work:
            data = os.path.join(work, "rows.txt")
            run([scale, "libmf", data])
            times = {1: [], 3: []}
            for _ in range(2):
                for iters in (1, 3):
                    times[iters].append(timed([train, "-f", "10", "-k", "32", "-s", t, "-t",
                                               str(iters), data, os.path.join(work, "model")]))
            per_iteration = (statistics.median(times[3]) - statistics.median(times[1])) / 2
        print(f"mf-train -t 1: {times[1]} s, -t 3: {times[3]} s -> {per_iteration:.2f} s per "
              f"iteration")
        rows.append(("rowwise epoch / LIBMF BPR iteration (wall)",
                     f"{rowwise / per_iteration:.1f}x", "<= 2x", rowwise / per_iteration <= 2))

    print(f"## dense path against the PyTorch reference (load {load()})", flush=True)
    out = run(["/usr/bin/python3", os.path.join(ROOT, "bench", "compare_reference.py"), "--data",
               args.data, "--epochs", "5", "--repeats", str(args.repeats), "--threads", t,
               "--mtrec", mtrec, "--bench_scale", scale])
    speedup = number(r"^\| train s/epoch \(median\) \|.*\| ([0-9.]+)x \|$", out, "train ratio")
    nominal = number(r"= ([0-9]+)% of nominal peak", out, "nominal fraction")
    measured = number(r"^# = ([0-9]+)% of the measured FMA peak", out, "measured fraction")
    rows.append(("dense training epoch, reference / mtrec", f"{speedup:.1f}x", ">= 6x",
                 speedup >= 6))
    rows.append(("dense training, fraction of the measured FMA peak", f"{measured:.0f} %",
                 ">= 75 %", measured >= 75))
    rows.append(("dense training, fraction of the nominal peak", f"{nominal:.0f} %", "-", None))

    print(f"## the original's 200-epoch experiment (load {load()})", flush=True)
    walls = []
    with tempfile.TemporaryDirectory(prefix="speed_report_") as work:
        for r in range(args.runs):
            walls.append(timed([mtrec, "train", "--dataset", args.data, "--epochs", "200",
                                "--threads", t, "--logdir", os.path.join(work, f"run{r}")]))
    print("wall s: " + ", ".join(f"{w:.2f}" for w in walls))
    best = min(walls)
    rows.append(("200-epoch experiment, wall s (best of runs)", f"{best:.2f}", "< 6", best < 6))

    print(f"\n## issue 24's figures (load {load()}; {args.threads} threads)")
    print("| figure | measured | target | met |\n|---|---|---|---|")
    for figure, value, target, met in rows:
        print(f"| {figure} | {value} | {target} | {'-' if met is None else 'yes' if met else 'no'} |")


if __name__ == "__main__":
    main()
