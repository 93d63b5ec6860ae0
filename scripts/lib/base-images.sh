# shellcheck shell=bash
# Base images for datapub's engine tests, built from Debian packages (no registry pull).
# Sourced by scripts/dev-env. Needs: log, die, DOCKER (array: docker -H ...), STATE.
# Documented in test/fixtures/base-images/README.md.

BASE_SUITE=bookworm
BASE_BUILD_IMAGE=datapub-base/python-build:bookworm
BASE_RUNTIME_IMAGE=datapub-base/python-slim:bookworm
# Bump when the recipe changes in a way the package lists below do not show.
BASE_RECIPE_REV=1

# name -> comma-separated --include list (minbase + these + their Depends).
base_image_packages() {
  case "$1" in
    "$BASE_BUILD_IMAGE") echo "python3,python3-venv" ;;
    "$BASE_RUNTIME_IMAGE") echo "python3-minimal,libpython3.11-stdlib" ;;
    *) die "unknown base image: $1" ;;
  esac
}

base_image_env() {
  case "$1" in
    "$BASE_BUILD_IMAGE") printf '%s\n' 'PIP_DISABLE_PIP_VERSION_CHECK=1' 'PIP_NO_CACHE_DIR=1' ;;
    *) ;;
  esac
}

base_image_recipe_id() {
  local name=$1
  { echo "rev=$BASE_RECIPE_REV suite=$BASE_SUITE name=$name"
    base_image_packages "$name"
    base_image_env "$name"
    declare -f base_rootfs_strip
  } | sha256sum | cut -c1-16
}

debian_mirror() {
  if [[ -n "${DATAPUB_DEBIAN_MIRROR:-}" ]]; then echo "$DATAPUB_DEBIAN_MIRROR"; return; fi
  local uri=""
  if compgen -G '/etc/apt/sources.list.d/*.sources' >/dev/null; then
    uri=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/ && $i ~ /debian\/?$/) { print $i; exit } }' \
      /etc/apt/sources.list.d/*.sources 2>/dev/null || true)
  fi
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri=$(awk '$1 == "deb" && $0 !~ /security/ && $2 ~ /debian\/?$/ { print $2; exit }' /etc/apt/sources.list || true)
  fi
  echo "${uri:-http://deb.debian.org/debian}"
}

# Unmount anything debootstrap left mounted under a directory (an interrupted run
# leaves proc/sys there; rm -rf must never walk into them).
unmount_under() {
  local dir=$1 mnt
  [[ -d "$dir" ]] || return 0
  dir=$(cd "$dir" && pwd -P)
  while read -r mnt; do
    if [[ -n "$mnt" ]]; then umount -l "$mnt" 2>/dev/null || true; fi
  done < <(awk -v d="$dir/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r)
}

safe_rm_rootfs() {
  local dir=$1
  [[ -d "$dir" ]] || return 0
  unmount_under "$dir"
  if awk -v d="$(cd "$dir" && pwd -P)/" 'index($2, d) == 1 { found = 1 } END { exit !found }' /proc/mounts; then
    die "refusing to delete $dir: something is still mounted under it"
  fi
  rm -rf --one-file-system "$dir"
}

base_rootfs_strip() {
  local root=$1
  # Keep copyright files (licences), drop the rest of the docs, man pages, locales, caches.
  find "$root/usr/share/doc" -mindepth 1 ! -name copyright ! -type d -delete 2>/dev/null || true
  find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
  rm -rf "$root"/usr/share/man/* "$root"/usr/share/info/* "$root"/usr/share/locale/* \
    "$root"/usr/share/lintian "$root"/usr/share/linda \
    "$root"/var/cache/apt/* "$root"/var/lib/apt/lists/* \
    "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old "$root"/var/log/*.log \
    "$root"/var/log/apt/* "$root"/var/cache/ldconfig/aux-cache
  : >"$root/etc/resolv.conf"
  : >"$root/etc/hostname"
  mkdir -p "$root/etc/dpkg/dpkg.cfg.d" "$root/etc/apt/apt.conf.d"
  # Later `apt-get install` layers in Dockerfiles stay small too.
  cat >"$root/etc/dpkg/dpkg.cfg.d/01-datapub-nodoc" <<'CFG'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
CFG
  cat >"$root/etc/apt/apt.conf.d/01-datapub-clean" <<'CFG'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
APT::Install-Recommends "false";
CFG
}

# Present in the engine with the current recipe?
base_image_current() {
  local name=$1 want have
  want=$(base_image_recipe_id "$name")
  have=$("${DOCKER[@]}" image inspect -f '{{index .Config.Labels "io.datapub.base.recipe"}}' "$name" 2>/dev/null || true)
  [[ "$have" == "$want" ]]
}

build_base_image() {
  local name=$1 packages mirror recipe root cache slug
  packages=$(base_image_packages "$name")
  recipe=$(base_image_recipe_id "$name")
  mirror=$(debian_mirror)
  cache="$STATE/debootstrap-cache"
  slug=${name//[^a-zA-Z0-9]/-}
  root="$STATE/rootfs/$slug"
  mkdir -p "$cache" "$STATE/rootfs"
  safe_rm_rootfs "$root"
  log "building $name from Debian $BASE_SUITE ($mirror; packages: $packages)"
  local started=$SECONDS
  if ! debootstrap --variant=minbase --cache-dir="$cache" --include="$packages" \
      "$BASE_SUITE" "$root" "$mirror" >"$STATE/debootstrap-$slug.log" 2>&1; then
    tail -n 20 "$STATE/debootstrap-$slug.log" >&2 || true
    safe_rm_rootfs "$root"
    die "debootstrap failed for $name (full log: $STATE/debootstrap-$slug.log)"
  fi
  unmount_under "$root"
  chroot "$root" /usr/bin/python3 -c 'import sqlite3, http.server, json, asyncio' \
    || die "$name: python3 in the new root cannot import sqlite3/http.server/json/asyncio"
  if [[ "$name" == "$BASE_BUILD_IMAGE" ]]; then
    chroot "$root" /usr/bin/python3 -c 'import ensurepip, venv' || die "$name: venv/ensurepip missing"
  fi
  base_rootfs_strip "$root"
  local -a changes=(
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'
    --change 'ENV LANG=C.UTF-8'
    --change 'CMD ["python3"]'
    --change "LABEL io.datapub.base.recipe=$recipe"
    --change "LABEL io.datapub.base.packages=$packages"
  )
  local e
  while read -r e; do
    [[ -n "$e" ]] && changes+=(--change "ENV $e")
  done < <(base_image_env "$name")
  tar --numeric-owner -C "$root" -c . | "${DOCKER[@]}" import "${changes[@]}" - "$name" >/dev/null \
    || die "docker import of $name failed"
  safe_rm_rootfs "$root"
  log "built $name in $((SECONDS - started)) s ($(base_image_size "$name"))"
}

base_image_size() {
  local bytes
  bytes=$("${DOCKER[@]}" image inspect -f '{{.Size}}' "$1" 2>/dev/null || echo 0)
  echo "$((bytes / 1000000)) MB"
}

ensure_base_images() {
  local name
  for name in "$BASE_BUILD_IMAGE" "$BASE_RUNTIME_IMAGE"; do
    if base_image_current "$name"; then
      log "base image $name present ($(base_image_size "$name"))"
    else
      build_base_image "$name"
    fi
  done
}
