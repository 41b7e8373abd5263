#!/usr/bin/env bash
# Make sure a Docker daemon answers. Idempotent: installs Debian's docker.io and starts dockerd only when needed.
# dockerd runs without a bridge or iptables rules: every labgym sandbox uses network mode "none".
set -euo pipefail

log() { echo "[ensure-docker] $*" >&2; }

if docker info >/dev/null 2>&1; then
  exit 0
fi

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v dockerd >/dev/null 2>&1; then
  log "installing docker.io from Debian's packages"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker.io >/dev/null
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  log "starting dockerd --bridge=none --iptables=false"
  as_root mkdir -p /var/log
  as_root sh -c 'nohup dockerd --bridge=none --iptables=false --ip6tables=false >/var/log/labgym-dockerd.log 2>&1 &'
fi

for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then log "daemon answers"; exit 0; fi
  sleep 0.5
done
log "dockerd did not answer within 60 s; see /var/log/labgym-dockerd.log"
exit 1
