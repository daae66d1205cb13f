#!/usr/bin/env bash
# The serving benchmark (docs/performance.md#serving): `mtrec serve` driven by
# wrk over keep-alive connections, single-user top-10, on an ML-100K model and
# on a model with ML-25M's tables (162,541 users, 59,047 items; generated
# ratings), beside the in-process Model::Recommend rate on the same model and
# threads. Prints one table: requests/s and p50/p99 latency per connection count.
#
#   bench/serve/run.sh BUILD [U_DATA] [THREADS] [SECONDS] [CONNECTIONS...]
#
# BUILD: a build folder with mtrec and mtrec_serve_recommend_rate
# (-DMTREC_BUILD_BENCHMARKS=ON); U_DATA: ML-100K's u.data (default
# ~/data/ml-100k/u.data); THREADS: the server's worker threads and the
# model's threads, as `mtrec serve --threads` (default 1);
# SECONDS per wrk run (default 10); CONNECTIONS (default 1 4 16 64 256).
# The models and the generated ratings are kept in BUILD/serve-bench/.
set -euo pipefail
build="$(cd "$1" && pwd)"
udata="${2:-$HOME/data/ml-100k/u.data}"
threads="${3:-1}"
seconds="${4:-10}"
shift $(( $# < 4 ? $# : 4 ))
connections=("$@")
[ ${#connections[@]} -eq 0 ] && connections=(1 4 16 64 256)
here="$(cd "$(dirname "$0")" && pwd)"
work="$build/serve-bench"
mkdir -p "$work"
command -v wrk >/dev/null || { echo "run.sh: wrk is not installed (scripts/install_deps.sh)" >&2; exit 1; }

train() {  # train NAME DATA FLAGS...: the checkpoint $work/NAME.mtrec, once
  local name="$1" data="$2"
  shift 2
  [ -f "$work/$name.mtrec" ] && return
  "$build/mtrec" train --dataset "$data" --logdir "$work/run-$name" --overwrite \
    --save "$work/$name.mtrec" "$@" >/dev/null
}
train ml100k "$udata" --epochs 5
if [ ! -f "$work/catalog25m/ratings.tsv" ]; then
  mkdir -p "$work/catalog25m"
  /usr/bin/python3 "$here/make_catalog.py" "$work/catalog25m/ratings.tsv"
fi
train catalog25m "$work/catalog25m/ratings.tsv" --epochs 1 --optimizer lazy_adam --test_fraction 0.01

# wrk's latency line ("50%  612.00us") in ms.
ms() { awk -v p="$1%" '$1 == p { v = $2; u = v; gsub(/[0-9.]/, "", u); sub(/[a-z]+$/, "", v);
  f = (u == "us") ? 0.001 : (u == "s") ? 1000 : 1; printf "%.3f", v * f }'; }

cpu="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')"
echo "# $(nproc) CPUs ($cpu); model threads $threads; wrk -t2 (-t1 for 1 connection) ${seconds}s per row; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-12s %-22s %6s %10s %9s %9s %7s %9s\n' model what conns "req/s" "p50 ms" "p99 ms" errors \
  "RSS KiB"
for spec in "ml100k 196" "catalog25m 1"; do
  set -- $spec
  name="$1" user="$2"
  inproc="$("$build/mtrec_serve_recommend_rate" "$work/$name.mtrec" "$user" "$threads" 5 10)"
  read -r rate p50 p99 < <(echo "$inproc" | sed -E 's/.*: ([0-9]+) calls\/s, p50 ([0-9.]+) ms, p99 ([0-9.]+) ms.*/\1 \2 \3/')
  printf '%-12s %-22s %6s %10s %9s %9s %7s %9s\n' "$name" "in-process Recommend" "$threads" "$rate" \
    "$p50" "$p99" - -
  log="$work/serve-$name.log"
  : >"$log"  # emptied before the server starts: an earlier run's port is not read
  "$build/mtrec" serve --model "$work/$name.mtrec" --port 0 --threads "$threads" \
    --connections 256 >/dev/null 2>"$log" &
  server=$!
  trap 'kill "$server" 2>/dev/null || true' EXIT
  port=""
  for _ in $(seq 300); do
    port="$(sed -nE 's/.*listening on http:\/\/127\.0\.0\.1:([0-9]+).*/\1/p' "$log")"
    [ -n "$port" ] && break
    sleep 0.1
  done
  [ -n "$port" ] || { cat "$log" >&2; kill "$server"; exit 1; }
  url="http://127.0.0.1:$port/v1/users/$user/recommendations?k=10"
  rss_before="$(awk '/VmRSS/ {print $2}' /proc/$server/status)"
  for c in "${connections[@]}"; do
    out="$(wrk -t"$(( c < 2 ? c : 2 ))" -c"$c" -d"${seconds}s" --latency "$url")"
    rate="$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')"
    # Non-2xx answers plus wrk's socket errors (connect, read, write, its 2 s timeout).
    errors="$(echo "$out" | awk '/Non-2xx/ {n += $NF} /Socket errors/ {gsub(/[^0-9 ]/, "");
      for (k = 1; k <= NF; ++k) n += $k} END {print n + 0}')"
    # The server's resident memory after the row.
    printf '%-12s %-22s %6s %10s %9s %9s %7s %9s\n' "$name" "mtrec serve + wrk" "$c" "$rate" \
      "$(echo "$out" | ms 50)" "$(echo "$out" | ms 99)" "$errors" \
      "$(awk '/VmRSS/ {print $2}' /proc/$server/status)"
  done
  rss_after="$(awk '/VmRSS/ {print $2}' /proc/$server/status)"
  echo "# $name: server RSS ${rss_before} KiB before the wrk runs, ${rss_after} KiB after"
  kill -TERM "$server"
  wait "$server"
done
