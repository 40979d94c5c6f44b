#!/usr/bin/env bash
# Runs the bundled action locally as a workflow step would, with no token and nothing sent:
# local Nids of this repository's own dist/ (pin: false), then prints the outputs and job summary.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || npm ci --no-audit --no-fund >&2

tmp=$(mktemp -d)
: >"$tmp/output"
: >"$tmp/summary"
env 'INPUT_PATH=dist/*' INPUT_PIN=false 'INPUT_NID-SOURCE=local' \
  GITHUB_OUTPUT="$tmp/output" GITHUB_STEP_SUMMARY="$tmp/summary" RUNNER_TEMP="$tmp" \
  GITHUB_WORKSPACE="$PWD" GITHUB_REPOSITORY=local/numbers-pin-action \
  node dist/index.js | grep -v '^::debug::'

echo
echo "── outputs ──────────────────────────────────────────────"
node -e '
  const text = require("node:fs").readFileSync(process.argv[1], "utf8")
  for (const [, name, , value] of text.matchAll(/^([^<\n]+)<<(\S+)\n([\s\S]*?)\n\2$/gm)) console.log(`${name}: ${value}`)
' "$tmp/output" 2>/dev/null || cat "$tmp/output"
echo
echo "── job summary ──────────────────────────────────────────"
sed -e 's/<[^>]*>//g' "$tmp/summary"
echo
echo "Manifest: $tmp/numbers-manifest.json"
