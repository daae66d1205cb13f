#!/usr/bin/env bash
# Fails on any #include that runs up mtrec's layer order (docs/architecture.md):
#   core < dist, io < data < model, loss, optim < eval < backend < train
#        < infer < api < run < report < the front ends (src/cli, python/src)
# A folder of src/mtrec/ may include its own folder and the folders below it;
# the public headers (include/mtrec/*.h) only public headers; the Python
# binding (python/src) and the HTTP server (src/serve) only public headers. The order is this script's table.
#   scripts/check_layers.sh [ROOT]     check the tree at ROOT (default: the repository)
#   scripts/check_layers.sh --self-test   shows that an upward include is caught
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"

if [ "${1:-}" = "--self-test" ]; then
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  cp -r "$here/src" "$here/include" "$here/python" "$tmp/"
  "$0" "$tmp" >/dev/null || { echo "check_layers --self-test: the clean tree fails" >&2; exit 1; }
  # One planted include per rule: a lower layer reaching up, a public header
  # reaching into src/, the binding reaching into src/.
  for plant in "src/mtrec/core/check.h:mtrec/api/model_hooks.h" \
               "include/mtrec/status.h:mtrec/core/check.h" \
               "python/src/module.cc:mtrec/train/trainer.h"; do
    file="$tmp/${plant%%:*}"
    cp "$file" "$file.orig"
    printf '#include "%s"\n' "${plant#*:}" >>"$file"
    if "$0" "$tmp" >/dev/null 2>&1; then
      echo "check_layers --self-test: '${plant#*:}' in ${plant%%:*} was not caught" >&2
      exit 1
    fi
    mv "$file.orig" "$file"
  done
  echo "check_layers --self-test: 3 planted upward includes caught"
  exit 0
fi

root="${1:-$here}"
exec /usr/bin/python3 - "$root" <<'EOF'
import os, re, sys

root = sys.argv[1]
# Lowest first; folders on one line are one layer (they may include each other).
LAYERS = [["core"], ["dist", "io"], ["data"], ["model", "loss", "optim"], ["eval"],
          ["backend"], ["train"], ["infer"], ["api"], ["run"], ["report"]]
rank = {folder: k for k, layer in enumerate(LAYERS) for folder in layer}
public = {f for f in os.listdir(os.path.join(root, "include/mtrec")) if f.endswith(".h")}
include = re.compile(r'^\s*#\s*include\s+"mtrec/([^"]+)"')
bad = []

def includes(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        for number, line in enumerate(f, 1):
            m = include.match(line)
            if m:
                yield number, m.group(1)

def sources(folder):
    for dirpath, _, files in os.walk(os.path.join(root, folder)):
        for name in sorted(files):
            if name.endswith((".h", ".cc", ".cu", ".inl")):
                yield os.path.join(dirpath, name)

for path in sources("src/mtrec"):
    folder = os.path.relpath(path, os.path.join(root, "src/mtrec")).split(os.sep)[0]
    if folder not in rank:
        bad.append(f"{os.path.relpath(path, root)}: folder '{folder}' has no place in the layer order")
        continue
    for number, target in includes(path):
        top = target.split("/")[0]
        if "/" not in target:
            continue  # a public header: every layer may use the public types
        if top not in rank:
            bad.append(f"{os.path.relpath(path, root)}:{number}: includes mtrec/{target}, in no layer")
        elif rank[top] > rank[folder]:
            bad.append(f"{os.path.relpath(path, root)}:{number}: {folder} includes mtrec/{target}, "
                       f"a higher layer ({top})")
for folder in ("include/mtrec", "python/src", "src/serve"):
    for path in sources(folder):
        for number, target in includes(path):
            if "/" in target or target not in public:
                bad.append(f"{os.path.relpath(path, root)}:{number}: includes mtrec/{target}; "
                           f"{folder} may include only the public headers (include/mtrec/)")
for line in bad:
    print(line, file=sys.stderr)
if bad:
    print(f"check_layers: {len(bad)} include(s) against the layer order (docs/architecture.md)",
          file=sys.stderr)
    sys.exit(1)
print("check_layers: every include follows the layer order")
EOF
