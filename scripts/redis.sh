#!/usr/bin/env bash
# A throwaway redis-server for tests, CI and trying distributed sweeps on one
# machine: loopback only, a free port, no persistence.
#
#   scripts/redis.sh install        install redis-server with apt-get if it is missing
#   scripts/redis.sh start [PORT]   install if needed, start, print redis://127.0.0.1:PORT
#   scripts/redis.sh url            print the URL of the running server
#   scripts/redis.sh stop           stop it and remove its state dir
#
# State (pid file, port, log) lives in $RPP_SAC_REDIS_DIR (default /tmp/rpp-sac-redis-$UID).
# Not for production: see docs/distributed-sweeps.md for a real deployment.
set -euo pipefail

STATE_DIR="${RPP_SAC_REDIS_DIR:-${TMPDIR:-/tmp}/rpp-sac-redis-$(id -u)}"

log() { echo "redis.sh: $*" >&2; }

install_redis() {
  if command -v redis-server >/dev/null 2>&1; then
    return 0
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    log "redis-server is missing and apt-get is not available; install Redis >= 6.2 with your package manager"
    return 1
  fi
  local sudo=""
  if [ "$(id -u)" != "0" ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      log "redis-server is missing; run as root or install it: apt-get install -y redis-server"
      return 1
    fi
  fi
  log "installing redis-server with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  if ! $sudo apt-get install -y --no-install-recommends redis-server >/dev/null; then
    $sudo apt-get update >/dev/null
    $sudo apt-get install -y --no-install-recommends redis-server >/dev/null
  fi
  command -v redis-server >/dev/null 2>&1
}

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

running_pid() {
  [ -f "$STATE_DIR/redis.pid" ] || return 1
  local pid
  pid="$(cat "$STATE_DIR/redis.pid")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

ping_port() {
  if command -v redis-cli >/dev/null 2>&1; then
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = "PONG" ]
  else
    # No redis-cli: speak RESP with bash's /dev/tcp.
    exec 3<>"/dev/tcp/127.0.0.1/$1" 2>/dev/null || return 1
    printf 'PING\r\n' >&3
    local reply
    read -r -t 2 reply <&3 || true
    exec 3>&-
    [ "${reply%$'\r'}" = "+PONG" ]
  fi
}

start_redis() {
  if pid="$(running_pid)"; then
    log "already running (pid $pid)"
    echo "redis://127.0.0.1:$(cat "$STATE_DIR/port")"
    return 0
  fi
  install_redis
  mkdir -p "$STATE_DIR"
  local port="${1:-$(free_port)}"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --maxmemory-policy noeviction --daemonize yes --dir "$STATE_DIR" \
    --pidfile "$STATE_DIR/redis.pid" --logfile "$STATE_DIR/redis.log"
  echo "$port" > "$STATE_DIR/port"
  for _ in $(seq 1 50); do
    if ping_port "$port"; then
      echo "redis://127.0.0.1:$port"
      return 0
    fi
    sleep 0.1
  done
  log "redis-server did not answer on port $port; see $STATE_DIR/redis.log"
  return 1
}

stop_redis() {
  if pid="$(running_pid)"; then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
    log "stopped (pid $pid)"
  else
    log "not running"
  fi
  rm -rf "$STATE_DIR"
}

case "${1:-}" in
  install) install_redis ;;
  start) start_redis "${2:-}" ;;
  url)
    running_pid >/dev/null || { log "not running; start it with: scripts/redis.sh start"; exit 1; }
    echo "redis://127.0.0.1:$(cat "$STATE_DIR/port")"
    ;;
  stop) stop_redis ;;
  *)
    echo "usage: scripts/redis.sh install|start [PORT]|url|stop" >&2
    exit 2
    ;;
esac
