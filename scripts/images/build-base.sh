#!/usr/bin/env bash
# Build the labgym base image with no registry: debootstrap Debian bookworm (minbase), install the scientific
# stack from Debian's archive, add the non-root `agent` user, then `docker import`.
# The tag carries a hash of this file, so an unchanged recipe is never rebuilt. Prints the image tag on stdout.
set -euo pipefail

PACKAGES=(
  python3 python3-numpy python3-scipy python3-pandas python3-sklearn python3-torch python3-torchvision
  python3-tqdm python3-pycosat python3-yaml flake8 jq procps less file
  python3-rdata bible-kjv
)
MIRROR="${LABGYM_DEBIAN_MIRROR:-http://deb.debian.org/debian}"

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
hash="$(sha256sum "$here/build-base.sh" | cut -c1-12)"
tag="labgym/base:$hash"
log() { echo "[build-base] $*" >&2; }

if docker image inspect "$tag" >/dev/null 2>&1; then
  log "$tag is up to date"
  echo "$tag"; exit 0
fi

command -v debootstrap >/dev/null 2>&1 || {
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

root="$(mktemp -d /var/tmp/labgym-rootfs.XXXXXX)"
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  rm -rf "$root"
}
trap cleanup EXIT

log "debootstrap bookworm into $root"
debootstrap --variant=minbase bookworm "$root" "$MIRROR" >/dev/null
cp /etc/apt/apt.conf.d/99* "$root/etc/apt/apt.conf.d/" 2>/dev/null || true
printf 'Acquire::Check-Valid-Until "false";\n' >"$root/etc/apt/apt.conf.d/99labgym"
mount -t proc proc "$root/proc"
log "installing ${#PACKAGES[@]} packages"
chroot "$root" apt-get update -qq
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${PACKAGES[@]}" >/dev/null
chroot "$root" apt-get clean
chroot "$root" groupadd -g 1000 mlgym
chroot "$root" useradd -u 1000 -g mlgym -m -d /home/agent -s /bin/bash agent
chroot "$root" install -d -o agent -g mlgym /home/agent/workspace
umount "$root/proc"
rm -rf "$root"/var/lib/apt/lists/* "$root"/usr/share/doc/* "$root"/usr/share/man/* "$root"/usr/share/locale/*

log "importing as $tag"
tar -C "$root" -c . | docker import \
  --change 'ENV LANG=C.UTF-8' \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
  --change 'ENV OMP_WAIT_POLICY=PASSIVE' \
  --change 'ENV OPENBLAS_NUM_THREADS=1' \
  --change 'ENV PYTHONUNBUFFERED=1' \
  --change 'WORKDIR /home/agent/workspace' \
  --change 'CMD ["/bin/bash"]' \
  --change "LABEL labgym.image=base labgym.recipe-hash=$hash" \
  - "$tag" >/dev/null
docker tag "$tag" labgym/base:latest
log "built $tag"
echo "$tag"
