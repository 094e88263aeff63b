#!/usr/bin/env bash
# Stop dev/test servers started by infra/start.sh: SIGTERM, then SIGKILL after
# $STOP_TIMEOUT seconds. Only processes recorded in $HOOKLINE_DATA/pids are
# touched. --kill sends SIGKILL right away (simulates a crash).
#
# Usage: infra/stop.sh [--kill] [kafka|registry|mongo ...]   (default: all)
set -euo pipefail
# shellcheck source=infra/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

stop_one() {
  local c=$1 hard=$2 pid t0
  if ! pid=$(running_pid "$c"); then
    rm -f "$(pid_file "$c")"
    log "$c: not running"
    return 0
  fi
  t0=$(now)
  if [[ $hard == 1 ]]; then
    kill -KILL "$pid" 2>/dev/null || true
  else
    kill -TERM "$pid" 2>/dev/null || true
  fi
  while pid_alive "$pid"; do
    if [[ $hard == 0 ]] && (($(now) - t0 >= STOP_TIMEOUT)); then
      log "$c: still alive after ${STOP_TIMEOUT}s, sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      hard=1
    fi
    sleep 0.1
  done
  # the leader thread turns zombie before the other threads have closed the
  # sockets: wait (bounded) until the ports are really free for a restart
  local port ports=("$(component_port "$c")") t1
  [[ $c == kafka ]] && ports+=("$KAFKA_CONTROLLER_PORT")
  t1=$(now)
  for port in "${ports[@]}"; do
    while port_open "$port" && (($(now) - t1 < 10)); do sleep 0.1; done
  done
  rm -f "$(pid_file "$c")"
  log "$c: stopped (pid $pid, $(($(now) - t0))s)"
}

main() {
  local hard=0 comps c
  if [[ ${1:-} == --kill ]]; then
    hard=1
    shift
  fi
  mapfile -t comps < <(components_from_args "$@")
  # stop in parallel: Kafka's clean shutdown takes a few seconds
  local pids=()
  for c in "${comps[@]}"; do
    stop_one "$c" "$hard" &
    pids+=("$!")
  done
  local rc=0 p
  for p in "${pids[@]}"; do wait "$p" || rc=1; done
  return "$rc"
}

main "$@"
