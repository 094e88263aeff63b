#!/usr/bin/env bash
# Print the components of this checkout's dev/test servers that are running (one name a line; nothing when none
# is). `./dev test` reads it before the tests so that afterwards it stops only what the run itself started.
#
# Usage: infra/status.sh [kafka|registry|mongo ...]   (default: all)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

mapfile -t comps < <(components_from_args "$@")
for c in "${comps[@]}"; do
  if running_pid "$c" >/dev/null; then echo "$c"; fi
done
