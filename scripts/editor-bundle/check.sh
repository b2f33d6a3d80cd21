#!/usr/bin/env bash
# Rebuild the policy editor's CodeMirror bundle from package-lock.json (npm ci, then build.mjs into
# a temporary folder) and compare it byte for byte with the committed
# workbench/widgets/static/codemirror.bundle.js and codemirror.LICENSES.md. Exit 0 when identical,
# 1 when they differ (with a diff summary), 2 when npm is missing.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
static="$here/../../workbench/widgets/static"
if ! command -v npm >/dev/null 2>&1 || ! command -v node >/dev/null 2>&1; then
  echo "check.sh: node and npm are needed (Debian: apt-get install nodejs npm)" >&2
  exit 2
fi
cd "$here"
# exactly the lockfile's packages; esbuild's binary comes from its @esbuild/<platform> package
npm ci --no-audit --no-fund --loglevel=error >/dev/null
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
node build.mjs "$out" >/dev/null
status=0
for name in codemirror.bundle.js codemirror.LICENSES.md; do
  if cmp -s "$out/$name" "$static/$name"; then
    echo "$name: reproduced ($(wc -c <"$out/$name") bytes)"
  else
    echo "$name: DIFFERS from the rebuild (committed $(wc -c <"$static/$name" 2>/dev/null || echo 0) bytes, rebuilt $(wc -c <"$out/$name") bytes)" >&2
    diff <(fold -w 200 "$static/$name" 2>/dev/null || true) <(fold -w 200 "$out/$name") | head -20 >&2 || true
    status=1
  fi
done
exit $status
