#!/usr/bin/env bash
# The README's "Try it": runs the bundled action (dist/index.js) on this machine the way the runner
# runs a step — inputs as INPUT_* variables, outputs and job summary written to files — with no
# token and nothing sent anywhere: `pin: false`, local Nids of this repository's own dist/ files.
# Then prints the step's outputs, the job summary and where the manifest is.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

if ! command -v node >/dev/null 2>&1; then
  echo "try-it: Node.js 20 or newer is needed (https://nodejs.org)" >&2
  exit 1
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "try-it: Node.js 20 or newer is needed; this is $(node --version)" >&2
  exit 1
fi
if [ ! -d node_modules ]; then
  echo "try-it: installing dependencies (npm ci)…" >&2
  npm ci --no-audit --no-fund >&2
fi
if [ ! -f dist/index.js ]; then
  echo "try-it: dist/index.js is missing; build it with 'npm run bundle'" >&2
  exit 1
fi

# Kept after the run, so the manifest can be opened.
tmp=$(mktemp -d "${TMPDIR:-/tmp}/numbers-try-it.XXXXXX")
: >"$tmp/github-output"
: >"$tmp/step-summary"

# Provenance recorded in the manifest, as far as a local run has any.
sha=$(git rev-parse HEAD 2>/dev/null || true)
ref=$(git symbolic-ref -q HEAD 2>/dev/null || true)

echo "── action log ───────────────────────────────────────────"
status=0
# Input names keep their hyphens (INPUT_NID-SOURCE), which only `env` can set.
env 'INPUT_PATH=dist/*' 'INPUT_PIN=false' 'INPUT_NID-SOURCE=local' \
  GITHUB_OUTPUT="$tmp/github-output" GITHUB_STEP_SUMMARY="$tmp/step-summary" RUNNER_TEMP="$tmp" \
  GITHUB_WORKSPACE="$root" GITHUB_WORKFLOW='try-it (local)' GITHUB_SHA="$sha" GITHUB_REF="$ref" \
  GITHUB_ACTOR="${USER:-local}" \
  node dist/index.js >"$tmp/log" 2>&1 || status=$?
# Workflow commands (::debug::, ::notice::…) as the runner would show them.
sed -E -e '/^::debug::/d' -e 's/^::(error|warning|notice)[^:]*::/\1: /' "$tmp/log"

echo
echo "── outputs ──────────────────────────────────────────────"
# GITHUB_OUTPUT holds `name<<delimiter`, the value's lines, then the delimiter.
node -e '
  const text = require("node:fs").readFileSync(process.argv[1], "utf8")
  const lines = text.split("\n")
  for (let i = 0; i < lines.length; i++) {
    const block = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (block) {
      const end = lines.indexOf(block[2], i + 1)
      const value = lines.slice(i + 1, end).join("\n")
      let entries
      try {
        entries = JSON.parse(value)
      } catch {}
      // `results` is a JSON array of objects: one entry per line reads better.
      if (Array.isArray(entries) && entries.some(e => typeof e === "object"))
        console.log(`${block[1]}: [\n${entries.map(e => `  ${JSON.stringify(e)}`).join(",\n")}\n]`)
      else console.log(`${block[1]}: ${value}`)
      i = end
    } else if (/^[^=]+=/.test(lines[i])) {
      console.log(lines[i].replace("=", ": "))
    }
  }
' "$tmp/github-output"

echo
echo "── job summary ──────────────────────────────────────────"
# The summary is GitHub-flavoured Markdown with a little HTML: drop the tags and entities, keep the
# Markdown, which reads well as it is.
node -e '
  const text = require("node:fs").readFileSync(process.argv[1], "utf8")
  const entities = { amp: "&", lt: "<", gt: ">", quot: "\"", "#39": "\x27", nbsp: " " }
  console.log(
    text
      .replace(/<h([1-6])>(.*?)<\/h\1>/g, (_, level, title) => `${"#".repeat(Number(level))} ${title}`)
      .replace(/<br\s*\/?>/g, "\n")
      .replace(/<\/?(?:p|div|span|strong|em|b|i|code|pre|a|ul|ol|li|table|thead|tbody|tr|th|td|details|summary)(?:\s[^>]*)?>/g, "")
      .replace(/&(amp|lt|gt|quot|#39|nbsp);/g, (_, name) => entities[name])
      .replace(/\\([\\`*_{}[\]()#+!<>~])/g, "$1")
      .replace(/\n{3,}/g, "\n\n")
      .trim() || "(no summary written)"
  )
' "$tmp/step-summary"

echo
echo "Manifest:  $tmp/numbers-manifest.json"
echo "Checksums: $tmp/numbers-checksums.txt"
if [ "$status" -ne 0 ]; then
  echo "try-it: the action exited with status $status (see the log above)" >&2
fi
exit "$status"
