#!/usr/bin/env bash
# The README's "Try it": runs the committed bundle (dist/index.js) on this machine the way the runner
# runs a step — inputs as INPUT_* variables, outputs and job summary written to files — with nothing
# but Node 20+ (no `npm ci`), and nothing sent anywhere.
#
#   scripts/try-it.sh          `pin: false`: the local Nids of this repository's own dist/ files.
#   scripts/try-it.sh --pin    pins a few sample files against the repository's Numbers mock
#                              (dist/mock/index.js, on 127.0.0.1): order IDs and the summary, then a
#                              re-run with `previous-manifest` that skips everything as already pinned.
#   --keep                     keeps the temporary directory (manifests, checksums, logs) afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

pin=false
keep=false
for arg in "$@"; do
  case "$arg" in
    --pin) pin=true ;;
    --keep) keep=true ;;
    -h | --help)
      sed -n '2,10s/^# \{0,1\}//p' "$0"
      exit 0
      ;;
    *)
      echo "try-it: unknown option '$arg' (expected --pin, --keep or --help)" >&2
      exit 2
      ;;
  esac
done

if ! command -v node >/dev/null 2>&1; then
  echo "try-it: Node.js 20 or newer is needed (https://nodejs.org)" >&2
  exit 1
fi
if ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)'; then
  echo "try-it: Node.js 20 or newer is needed; this is $(node --version)" >&2
  exit 1
fi
for bundle in dist/index.js $([ "$pin" = true ] && echo dist/mock/index.js); do
  if [ ! -f "$bundle" ]; then
    echo "try-it: $bundle is missing; build it with 'npm ci && npm run bundle'" >&2
    exit 1
  fi
done

tmp=$(mktemp -d "${TMPDIR:-/tmp}/numbers-try-it.XXXXXX")
mock_pid=
cleanup() {
  if [ -n "$mock_pid" ]; then
    kill "$mock_pid" 2>/dev/null || true
    wait "$mock_pid" 2>/dev/null || true
  fi
  if [ "$keep" = true ]; then
    echo "Kept: $tmp"
  else
    rm -rf "$tmp"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Provenance recorded in the manifest, as far as a local run has any.
sha=$(git rev-parse HEAD 2>/dev/null || true)
ref=$(git symbolic-ref -q HEAD 2>/dev/null || true)

# Runs the action once in $tmp/<name>/ with the given inputs (NAME=value, hyphens kept: only `env`
# can set INPUT_NID-SOURCE), then shows its log, outputs and job summary. Returns its exit status.
run_action() {
  local name=$1 workspace=$2
  shift 2
  local dir="$tmp/$name"
  mkdir -p "$dir"
  : >"$dir/github-output"
  : >"$dir/step-summary"
  local status=0
  env "$@" \
    GITHUB_OUTPUT="$dir/github-output" GITHUB_STEP_SUMMARY="$dir/step-summary" RUNNER_TEMP="$dir" \
    GITHUB_WORKSPACE="$workspace" GITHUB_WORKFLOW='try-it (local)' GITHUB_SHA="$sha" GITHUB_REF="$ref" \
    GITHUB_ACTOR="${USER:-local}" \
    node "$root/dist/index.js" >"$dir/log" 2>&1 || status=$?

  echo "── $name: action log ─────────────────────────────────────"
  # Workflow commands (::debug::, ::notice::…) as the runner would show them.
  sed -E -e '/^::(debug|add-mask)::/d' -e 's/^::(error|warning|notice)[^:]*::/\1: /' "$dir/log"

  echo
  echo "── $name: outputs ────────────────────────────────────────"
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
  ' "$dir/github-output"

  echo
  echo "── $name: job summary ────────────────────────────────────"
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
  ' "$dir/step-summary"
  echo
  if [ "$status" -ne 0 ]; then
    echo "try-it: the action exited with status $status (see the log above)" >&2
  fi
  return "$status"
}

if [ "$pin" = false ]; then
  run_action run "$root" 'INPUT_PATH=dist/*' 'INPUT_PIN=false' 'INPUT_NID-SOURCE=local'
  [ "$keep" = true ] || echo "(The files above are removed on exit; --keep keeps them.)"
  exit 0
fi

# The mock prints the inputs to use, then one line per request (kept in its log).
node dist/mock/index.js --port 0 >"$tmp/mock.log" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do
  grep -q 'pins last until the mock stops' "$tmp/mock.log" && break
  kill -0 "$mock_pid" 2>/dev/null || break
  sleep 0.1
done
input() { sed -n "s/^  $1: *//p" "$tmp/mock.log"; }
token=$(input capture-token)
if [ -z "$token" ]; then
  echo "try-it: the Numbers mock did not start:" >&2
  cat "$tmp/mock.log" >&2
  exit 1
fi
echo "Numbers mock (pid $mock_pid): pin-api-url $(input pin-api-url)"
echo

# A few sample files, in a workspace of their own: two of one chunk, one of three (a bafy... Nid).
workspace="$tmp/workspace"
mkdir -p "$workspace/artifacts"
printf 'hello world\n' >"$workspace/artifacts/hello.txt"
printf '# Release notes\n\nTried locally against the Numbers mock.\n' >"$workspace/artifacts/notes.md"
node -e 'require("node:fs").writeFileSync(process.argv[1], Uint8Array.from({ length: 600000 }, (_, i) => i % 251))' \
  "$workspace/artifacts/app.bin"

mock_inputs=(
  'INPUT_PATH=artifacts/*' 'INPUT_PIN=true' "INPUT_CAPTURE-TOKEN=$token"
  "INPUT_NID-API-URL=$(input nid-api-url)" "INPUT_PIN-API-URL=$(input pin-api-url)"
  "INPUT_UNPIN-API-URL=$(input unpin-api-url)" "INPUT_GATEWAY-URL=$(input gateway-url)"
)
run_action pin "$workspace" "${mock_inputs[@]}"
# The re-run reads the first run's manifest, as a workflow would from a release or an artifact.
cp "$tmp/pin/numbers-manifest.json" "$workspace/previous-manifest.json"
run_action re-run "$workspace" "${mock_inputs[@]}" 'INPUT_PREVIOUS-MANIFEST=previous-manifest.json'
echo "The re-run pinned nothing: each file's Nid was in the previous manifest. Requests the mock received:"
grep '→' "$tmp/mock.log" || true
[ "$keep" = true ] || echo "(The files above are removed on exit; --keep keeps them.)"
