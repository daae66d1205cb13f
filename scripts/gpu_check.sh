#!/usr/bin/env bash
# The GPU check: everything about the "cuda" backend that needs a GPU, in one
# run that fits a lent machine's lease (under 6 minutes on 16 cores):
#   1. every backend test (tests/backend/) on "cuda";
#   2. ML-100K-sized generated data (943 users, 1682 items, 100,000 ratings):
#      200 epochs with per-epoch evaluation on the CPU and on the GPU;
#   3. one ML-25M-sized lazy_adam epoch and its evaluation on both
#      (mtrec_bench_scale ml25m);
#   4. the GPU-trained checkpoint of 2 evaluated on the CPU and on the GPU
#      (MRR within 1e-3, MSE within 1e-4 relative: tests/backend/README.md);
# then one table. It writes only under a temporary folder.
#
#   scripts/gpu_check.sh --prebuilt DIR   runs the bundle DIR of scripts/gpu_bundle.sh:
#                                         no apt, no compiler (a lent GPU machine)
#   scripts/gpu_check.sh                  builds the bundle gpu-bundle/ here first
#                                         (scripts/install_deps.sh, nvcc), then as above
# Exit: 0 every step passed, or no GPU here (then one line says so:
# "gpu_check: no GPU on this machine (...): nothing checked"); 1 a step failed
# (or the bundle cannot run here); 2 usage.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-}" in
  --prebuilt)
    [ $# -eq 2 ] || { echo "usage: scripts/gpu_check.sh [--prebuilt DIR]" >&2; exit 2; }
    bundle=$2
    ;;
  "")
    scripts/install_deps.sh
    scripts/gpu_bundle.sh gpu-bundle
    exec "$0" --prebuilt gpu-bundle
    ;;
  *)
    echo "usage: scripts/gpu_check.sh [--prebuilt DIR]" >&2
    exit 2
    ;;
esac
[ -x "$bundle/run" ] && [ -f "$bundle/BUILD_INFO" ] ||
  { echo "gpu_check: $bundle is not a bundle of scripts/gpu_bundle.sh" >&2; exit 2; }

# No GPU: one line, exit 0 (CI runs this on machines without one).
if ! command -v nvidia-smi >/dev/null; then
  echo "gpu_check: no GPU on this machine (no nvidia-smi): nothing checked"
  exit 0
fi
if ! gpus=$(nvidia-smi -L 2>/dev/null) || ! grep -q '^GPU ' <<<"$gpus"; then
  echo "gpu_check: no GPU on this machine (nvidia-smi lists no device): nothing checked"
  exit 0
fi

run=("$bundle/run")
cores=$(nproc)
echo "gpu_check: bundle: $(tr '\n' ';' <"$bundle/BUILD_INFO")"
nvidia-smi --query-gpu=name,driver_version,compute_cap,memory.total --format=csv,noheader |
  sed 's/^/gpu_check: device: /'
echo "gpu_check: host: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $cores cores"
# The bundle runs only where the instruction set it was built for is
# (cpu_flags: the builder's for -march=native, else x86-64-v3's).
isa='^(sse4_1|sse4_2|ssse3|avx|avx2|fma|f16c|bmi1|bmi2|movbe|avx512[a-z0-9_]*|amx[a-z0-9_]*|avx_vnni)$'
mine=$(grep -m1 '^flags' /proc/cpuinfo | cut -d: -f2 | tr ' ' '\n' | sed '/^$/d' | sort)
lacking=$(comm -23 <(grep -E "$isa" "$bundle/cpu_flags") <(echo "$mine") | tr '\n' ' ')
if [ -n "$lacking" ]; then
  echo "gpu_check: this CPU lacks instructions the bundle was built for: $lacking" \
    "($(sed -n 's/^native: //p' "$bundle/BUILD_INFO")); build one for x86-64-v3 with" \
    "scripts/gpu_bundle.sh DIR (no BUILD_DIR)" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if ! "${run[@]}" mtrec --help >/dev/null 2>"$tmp/start.err"; then
  echo "gpu_check: the bundle's mtrec does not start here: $(head -n 3 "$tmp/start.err" | tr '\n' ' ')" >&2
  exit 1
fi
failed=0
rows=()
row() { rows+=("| $1 | $2 | $3 | $4 |"); }
fail() { failed=1; echo "gpu_check: FAILED: $*" >&2; }
seconds() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
json() { grep -o "\"$1\": *[-0-9.e+naif]*" "$2" | tail -1 | sed 's/.*: *//'; }

# 1. The backend suite on "cuda" (names end in /cuda or /cuda_<case>; cuda-host's
# in /cuda_host...). A skipped test means the device is not usable.
t0=$(date +%s.%N)
set +e
timeout 120 "${run[@]}" mtrec_tests \
  --gtest_filter='AllBackends/*/cuda:AllBackends/*/cuda_*-AllBackends/*/cuda_host*' \
  --gtest_brief=1 >"$tmp/tests.log" 2>&1
tests_rc=$?
set -e
ran=$(grep -o '[0-9]* tests\? from [0-9]* test suites\? ran' "$tmp/tests.log" | grep -o '^[0-9]*' || echo 0)
count() { sed -n "s/^\[  $1 *\] \([0-9]*\) tests\?[.,].*/\1/p" "$tmp/tests.log" | tail -1; }
passed=$(count PASSED)
skipped=$(count SKIPPED)
failures=$(count FAILED)
tests_verdict=ok
if [ "$tests_rc" -ne 0 ] || [ "${ran:-0}" -eq 0 ] || [ "${skipped:-0}" -ne 0 ]; then
  tests_verdict="FAILED (exit $tests_rc$([ "${skipped:-0}" -ne 0 ] && echo ": skipped, the device is not usable"))"
  fail "backend tests on cuda (exit $tests_rc):"
  grep -E '^\[  (FAILED|SKIPPED) \]|Failure|error' "$tmp/tests.log" | head -20 >&2
fi
row "backend tests (tests/backend/) on cuda" "-" \
  "${ran:-0} ran: ${passed:-0} passed, ${failures:-0} failed, ${skipped:-0} skipped; $(seconds "$t0") s" \
  "$tests_verdict"

# 2. ML-100K-sized: 200 epochs, evaluated after each, on both backends.
awk 'BEGIN { srand(7); for (k = 0; k < 100000; ++k) printf "%d\t%d\t%d\t%d\n", int(rand() * 943) + 1, int(rand() * 1682) + 1, int(rand() * 5) + 1, 880000000 + k }' \
  >"$tmp/u.data"
declare -A wall mrr mse
for backend in cpu cuda; do
  flags=()
  [ "$backend" = cuda ] && flags=(--gpu)
  t0=$(date +%s.%N)
  if timeout "$([ "$backend" = cpu ] && echo 90 || echo 120)" "${run[@]}" mtrec train --dataset "$tmp/u.data" --epochs 200 --seed 3 \
    --logdir "$tmp/$backend" --save "$tmp/$backend.mtrec" "${flags[@]}" >"$tmp/$backend.out" 2>&1; then
    wall[$backend]="$(seconds "$t0") s"
    tail -n 1 "$tmp/$backend/metrics.jsonl" >"$tmp/$backend.last"
    mrr[$backend]=$(json mrr "$tmp/$backend.last" | awk '{ printf "%.6f", $1 }')
    mse[$backend]=$(json mse "$tmp/$backend.last" | awk '{ printf "%.6f", $1 }')
  else
    wall[$backend]="FAILED (exit $?)"
    fail "ML-100K-sized training on $backend: $(tail -n 2 "$tmp/$backend.out" | tr '\n' ' ')"
  fi
done
row "ML-100K-sized, 200 epochs + evaluation each (wall)" "${wall[cpu]}" "${wall[cuda]}" \
  "$([ -n "${mrr[cuda]:-}" ] && [ -n "${mrr[cpu]:-}" ] && echo ok || echo FAILED)"
row "ML-100K-sized, epoch 200: MRR / MSE" "${mrr[cpu]:--} / ${mse[cpu]:--}" \
  "${mrr[cuda]:--} / ${mse[cuda]:--}" "(trajectories differ by float rounding)"

# 3. ML-25M-sized: one lazy_adam epoch and its evaluation, each backend.
t0=$(date +%s.%N)
set +e
timeout 200 "${run[@]}" mtrec_bench_scale ml25m "$cores" cpu,cuda >"$tmp/ml25m.log" 2>&1
big_rc=$?
set -e
[ "$big_rc" -eq 0 ] || fail "ML-25M-sized epoch (exit $big_rc): $(tail -n 3 "$tmp/ml25m.log" | tr '\n' ' ')"
# big BACKEND: "EPOCH_S EVAL_S MRR MSE" from its line, or "- - - -".
big() {
  local v
  v=$(sed -n "s/^backend $1: epoch \([0-9.]*\) s, eval \([0-9.]*\) s, MRR \([0-9.e-]*\).*MSE \([0-9.e-]*\)$/\1 \2 \3 \4/p" "$tmp/ml25m.log")
  echo "${v:-- - - -}"
}
read -r e_cpu v_cpu m_cpu s_cpu <<<"$(big cpu)"
read -r e_gpu v_gpu m_gpu s_gpu <<<"$(big cuda)"
row "ML-25M-sized ($(sed -n 's/^generated and split in //p' "$tmp/ml25m.log") to generate): one lazy_adam epoch" \
  "$e_cpu s" "$e_gpu s" "$([ "$big_rc" -eq 0 ] && echo ok || echo "FAILED (exit $big_rc)")"
row "ML-25M-sized: evaluation (MRR over all test users + MSE)" \
  "$v_cpu s: MRR $m_cpu, MSE $s_cpu" "$v_gpu s: MRR $m_gpu, MSE $s_gpu" ""

# 4. The GPU checkpoint evaluated on the CPU and on the GPU.
if [ -f "$tmp/cuda.mtrec" ]; then
  ok=1
  "${run[@]}" mtrec evaluate --model "$tmp/cuda.mtrec" --format json >"$tmp/eval_cpu.json" 2>&1 || ok=0
  "${run[@]}" mtrec evaluate --model "$tmp/cuda.mtrec" --format json --gpu >"$tmp/eval_gpu.json" 2>&1 || ok=0
  verdict=FAILED
  if [ "$ok" -eq 1 ]; then
    read -r m1 s1 m2 s2 <<<"$(json mrr "$tmp/eval_cpu.json") $(json mse "$tmp/eval_cpu.json") \
      $(json mrr "$tmp/eval_gpu.json") $(json mse "$tmp/eval_gpu.json")"
    verdict=$(awk -v m1="$m1" -v s1="$s1" -v m2="$m2" -v s2="$s2" 'BEGIN {
      dm = m1 - m2; if (dm < 0) dm = -dm; ds = (s1 - s2) / s1; if (ds < 0) ds = -ds;
      printf "%s: |dMRR| %.2g (<= 1e-3), |dMSE|/MSE %.2g (<= 1e-4)", (dm <= 1e-3 && ds <= 1e-4) ? "ok" : "FAILED", dm, ds }')
  fi
  [[ $verdict == ok* ]] || fail "GPU checkpoint on cpu vs cuda: $verdict $(head -c 300 "$tmp/eval_cpu.json" "$tmp/eval_gpu.json")"
  row "GPU checkpoint evaluated: MRR / MSE" "${m1:--} / ${s1:--}" "${m2:--} / ${s2:--}" "$verdict"
else
  fail "no GPU checkpoint to evaluate"
  row "GPU checkpoint evaluated" "-" "-" "FAILED (no checkpoint)"
fi

echo
echo "=== gpu_check ($(nvidia-smi --query-gpu=name --format=csv,noheader | head -1); $cores cores) ==="
echo "| check | cpu | cuda | result |"
echo "|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo "gpu_check: $([ "$failed" -eq 0 ] && echo 'every check passed' || echo 'a check FAILED (above)')"
exit "$failed"
