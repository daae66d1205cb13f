#!/usr/bin/env bash
# The bit-identity check of a refactor: runs the same trainings and inference
# commands with two mtrec binaries on a real ratings file and lists every output
# that differs (metrics.jsonl and refit.json timings aside; evaluate's table
# names the model's path, so its first line is skipped).
#   scripts/compare_runs.sh OLD_MTREC NEW_MTREC RATINGS_FILE [WORK_DIR]
# e.g. a build of the previous commit against build/mtrec on ML-100K's u.data.
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,7p "$0" >&2; exit 2; }
old=$1 new=$2 data=$3 work=${4:-$(mktemp -d)}
run() {  # run MTREC OUT
  local m=$1 o=$2
  rm -rf "$o" && mkdir -p "$o"
  "$m" train --dataset "$data" --epochs 5 --seed 3 --threads 2 --logdir "$o/a" --save "$o/a.mtrec" >/dev/null
  "$m" train --dataset "$data" --epochs 5 --seed 3 --threads 2 --no_shared_embeddings \
    --optimizer lazy_adam --logdir "$o/b" --save "$o/b.mtrec" >/dev/null
  "$m" train --dataset "$data" --recipe mtrec --seed 1 --threads 2 --logdir "$o/c" \
    --save "$o/c.mtrec" >/dev/null
  seq 1 50 >"$o/users.txt"
  for x in a b c; do
    "$m" recommend --model "$o/$x.mtrec" --users "$o/users.txt" >"$o/$x.rec_users" || true
    "$m" recommend --model "$o/$x.mtrec" --ratings 50:5,172:5,181:5 --format json >"$o/$x.rec_ratings"
    "$m" evaluate --model "$o/$x.mtrec" | tail -n +2 >"$o/$x.eval"
    "$m" predict --model "$o/$x.mtrec" --user 196 --item 242 >"$o/$x.predict"
    sed -E 's/"[a-z_]*seconds":[^,}]*//g' "$o/$x/metrics.jsonl" >"$o/$x.metrics"
    if [ -f "$o/$x/refit.json" ]; then
      sed -E 's/"[a-z_]*seconds":[^,}]*//g' "$o/$x/refit.json" >"$o/$x.refit"
    fi
  done
}
run "$old" "$work/old"
run "$new" "$work/new"
status=0
for f in "$work"/old/*.*; do
  case "$f" in *.mtrec | *.txt) continue ;; esac
  name=$(basename "$f")
  if cmp -s "$f" "$work/new/$name"; then echo "same    $name"; else echo "DIFFERS $name"; status=1; fi
done
exit $status
