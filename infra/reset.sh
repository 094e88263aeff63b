#!/usr/bin/env bash
# Stop the dev/test servers and delete their data and logs under
# $HOOKLINE_DATA (the download/build cache in $HOOKLINE_CACHE is kept).
#
# Usage: infra/reset.sh [kafka|registry|mongo ...]   (default: all)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
  local comps c
  mapfile -t comps < <(components_from_args "$@")
  "$INFRA_DIR/stop.sh" "${comps[@]}"
  for c in "${comps[@]}"; do
    case "$c" in
      kafka) rm -rf "$KAFKA_DATA" "$LOG_DIR/kafka-format.log" ;;
      registry) rm -rf "$REGISTRY_DATA" ;;
      mongo) rm -rf "$MONGO_DATA" ;;
    esac
    rm -f "$(log_file "$c")" "$(log_file "$c").prev"
    log "$c: data removed"
  done
  if (($# == 0)); then
    rm -rf "$PID_DIR" "$LOG_DIR" "$HOOKLINE_DATA/infra.env" "$HOOKLINE_DATA/.start.lock"
    rmdir "$HOOKLINE_DATA" 2>/dev/null || true
  fi
}

main "$@"
