#!/usr/bin/env bash
# Schemathesis (property-based API testing, from PyPI) against Hookline's two OpenAPI documents.
#   run.sh install                       create or refresh the cached venv (~/.cache/hookline/schemathesis), nothing else
#   run.sh check CONFIG_API_URL INGEST_URL
#                                        run it against both APIs; exit 0 only if neither breaks its document
# `check` needs the variables schemathesis.toml reads (HOOKLINE_ST_*): test/e2e/schemathesis.test.ts seeds a test
# tenant and sets them; it also installs first. Everything is pinned (requirements.txt), the venv is cached and
# reinstalled only when requirements.txt changes, and only python3 with its venv module is needed.
# Budget: HOOKLINE_ST_EXAMPLES examples per operation (default 20) with a fixed seed (HOOKLINE_ST_SEED).
# The checks (what fails a run) are in schemathesis.toml.
# Failures recorded in known-failures/<api>.json (a Schemathesis baseline) are reported and tolerated; an entry that
# the run no longer reproduces fails the run, so the files only shrink. HOOKLINE_ST_BASELINE_UPDATE=1 adds the
# run's failures to them instead (then say in each new entry's `reason` why it is accepted, and who fixes it).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
venv=${HOOKLINE_ST_VENV:-$HOME/.cache/hookline/schemathesis}
stamp=$venv/.requirements.sha256

install() {
  local want
  want=$(sha256sum "$here/requirements.txt" | cut -d' ' -f1)
  if [[ -x $venv/bin/st && -f $stamp && $(cat "$stamp") == "$want" ]]; then return 0; fi
  command -v python3 >/dev/null || { echo "schemathesis: python3 is required" >&2; exit 1; }
  echo "schemathesis: installing into $venv"
  rm -rf "$venv"
  if ! python3 -m venv "$venv"; then
    # Debian ships venv separately; as root, install it (as infra/install-chromium.sh does for Chromium).
    if [[ $(id -u) -eq 0 ]] && command -v apt-get >/dev/null; then
      DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv || { apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-venv; }
      rm -rf "$venv"
      python3 -m venv "$venv"
    else
      echo "schemathesis: python3 -m venv failed; install python3-venv" >&2
      exit 1
    fi
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$here/requirements.txt"
  echo "$want" >"$stamp"
}

# One API: $1 a name for the report, $2 its base URL.
check_api() {
  local name=$1 url=$2 reports=${HOOKLINE_ST_REPORT_DIR:-test-results/schemathesis}
  mkdir -p "$reports"
  echo "schemathesis: $name at $url"
  local status=0
  # One worker: with two, Hypothesis parses sources from two threads at once, which trips CPython 3.11's
  # "AST constructor recursion depth mismatch" (a thread-safety bug of the ast module) as a flaky Runtime Error.
  "$venv/bin/st" --config-file "$here/schemathesis.toml" run "$url/openapi.json" \
    --max-examples "${HOOKLINE_ST_EXAMPLES:-20}" --seed "${HOOKLINE_ST_SEED:-20261201}" --workers "${HOOKLINE_ST_WORKERS:-1}" \
    --baseline "$here/known-failures/$name.json" ${HOOKLINE_ST_BASELINE_UPDATE:+--baseline-update} \
    --report junit,json --report-dir "$reports" --report-junit-path "$reports/$name.xml" --report-json-path "$reports/$name.json" \
    --no-color --output-truncate false || status=$?
  # Known failures that did not come back have been fixed: the entry must go.
  [[ -z ${HOOKLINE_ST_BASELINE_UPDATE:-} ]] || return "$status"
  local unobserved
  unobserved=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1])).get("baseline") or {}; print(" ".join(b.get("unobserved_ids") or []))' "$reports/$name.json")
  if [[ -n $unobserved ]]; then
    echo "schemathesis: $name no longer fails as known-failures/$name.json says (ids: $unobserved); remove those entries" >&2
    status=1
  fi
  return "$status"
}

case "${1:-}" in
  install)
    install
    ;;
  check)
    [[ $# -eq 3 ]] || { sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }
    install
    status=0
    check_api ingest "$3" || status=$?
    check_api config-api "$2" || status=$?
    exit "$status"
    ;;
  *)
    sed -n '2,5p' "$0" | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
