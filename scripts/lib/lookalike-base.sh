# shellcheck shell=bash
# A python:3.11-slim look-alike, built here: Debian bookworm minbase plus CPython 3.11 compiled
# from Debian's upstream source tarball into /usr/local with a shared libpython, as the official
# image does. Sourced by scripts/dev-env after base-images.sh (uses its helpers).
# Documented in test/fixtures/base-images/README.md.

LOOKALIKE_IMAGE=datapub-base/python:3.11-slim-bookworm
LOOKALIKE_PY_VERSION=3.11.2
# Debian's pool holds upstream's tarball as the .orig of its python3.11 source package; the hash
# is the one bookworm's signed Sources index lists for it.
LOOKALIKE_SRC=pool/main/p/python3.11/python3.11_${LOOKALIKE_PY_VERSION}.orig.tar.gz
LOOKALIKE_SRC_SHA256=2411c74bda5bbcfcddaf4531f66d1adc73f247f529aee981b029513aefdbf849
LOOKALIKE_RECIPE_REV=1
# The official Dockerfile's build and runtime package sets, less tk, gdbm and nis.
LOOKALIKE_BUILD_PACKAGES=gcc,make,libc6-dev,pkg-config,libssl-dev,libsqlite3-dev,zlib1g-dev,libffi-dev,libbz2-dev,liblzma-dev,libexpat1-dev,uuid-dev,libncursesw5-dev,libreadline-dev,ca-certificates
LOOKALIKE_RUNTIME_PACKAGES=ca-certificates,netbase,tzdata,libssl3,libsqlite3-0,libffi8,libbz2-1.0,liblzma5,zlib1g,libexpat1,libuuid1,libncursesw6,libreadline8

lookalike_recipe_id() {
  { echo "rev=$LOOKALIKE_RECIPE_REV suite=$BASE_SUITE py=$LOOKALIKE_PY_VERSION sha=$LOOKALIKE_SRC_SHA256"
    echo "$LOOKALIKE_BUILD_PACKAGES $LOOKALIKE_RUNTIME_PACKAGES"
    declare -f lookalike_compile lookalike_finish base_rootfs_strip
  } | sha256sum | cut -c1-16
}

# The compiled tree is cached on its own key, so changing the image around it does not recompile.
lookalike_compile_id() {
  { echo "suite=$BASE_SUITE py=$LOOKALIKE_PY_VERSION sha=$LOOKALIKE_SRC_SHA256 $LOOKALIKE_BUILD_PACKAGES"
    declare -f lookalike_compile
  } | sha256sum | cut -c1-16
}

lookalike_current() {
  local have
  have=$("${DOCKER[@]}" image inspect -f '{{index .Config.Labels "io.datapub.base.recipe"}}' "$LOOKALIKE_IMAGE" 2>/dev/null || true)
  [[ "$have" == "$(lookalike_recipe_id)" ]]
}

lookalike_debootstrap() {
  local root=$1 packages=$2 slug=$3
  safe_rm_rootfs "$root"
  if ! debootstrap --variant=minbase --cache-dir="$STATE/debootstrap-cache" --include="$packages" \
      "$BASE_SUITE" "$root" "$(debian_mirror)" >"$STATE/debootstrap-$slug.log" 2>&1; then
    tail -n 20 "$STATE/debootstrap-$slug.log" >&2 || true
    safe_rm_rootfs "$root"
    die "debootstrap failed for $slug (full log: $STATE/debootstrap-$slug.log)"
  fi
  unmount_under "$root"
}

# Configure flags follow the official image's Dockerfile, except --enable-optimizations and
# --with-lto (PGO runs the test suite: about 30 min on two cores for no difference tests see).
lookalike_compile() {
  local root=$1 src=$2
  mkdir -p "$root/usr/src/python"
  tar -xzf "$src" -C "$root/usr/src/python" --strip-components=1
  mount -t proc proc "$root/proc"
  chroot "$root" /bin/sh -eu -c '
    cd /usr/src/python
    ./configure --build=x86_64-linux-gnu --prefix=/usr/local --enable-loadable-sqlite-extensions \
      --enable-shared --with-system-expat --with-ensurepip LDFLAGS=-Wl,--strip-all >/tmp/configure.log 2>&1
    make -j"$(nproc)" >/tmp/make.log 2>&1
    make install DESTDIR=/out >/tmp/install.log 2>&1
  ' || { umount "$root/proc"; tail -n 30 "$root"/tmp/*.log >&2; return 1; }
  umount "$root/proc"
}

# The official image's clean-up and links, then ldconfig so /usr/local/lib/libpython is found.
lookalike_finish() {
  local root=$1
  find "$root/usr/local" -depth \( \( -type d -a \( -name test -o -name tests -o -name idle_test \) \) \
    -o \( -type f -a \( -name '*.pyc' -o -name '*.pyo' -o -name 'libpython*.a' \) \) \) -exec rm -rf '{}' +
  local src
  for src in idle3 pip3 pydoc3 python3 python3-config; do ln -sfT "$src" "$root/usr/local/bin/${src//3/}"; done
  chroot "$root" /sbin/ldconfig
  chroot "$root" /usr/local/bin/python3 -c 'import sqlite3, ssl, ctypes, zlib, bz2, lzma, pyexpat, uuid, venv, ensurepip, http.server, asyncio' \
    || die "$LOOKALIKE_IMAGE: python3 in the new root misses a module"
}

build_lookalike_image() {
  local recipe src build run started=$SECONDS
  recipe=$(lookalike_recipe_id)
  src="$STATE/src/$(basename "$LOOKALIKE_SRC")"
  build="$STATE/rootfs/lookalike-build"
  run="$STATE/rootfs/lookalike-run"
  mkdir -p "$STATE/src" "$STATE/rootfs"
  if [[ ! -f "$src" ]] || ! echo "$LOOKALIKE_SRC_SHA256  $src" | sha256sum -c --status; then
    log "fetching CPython $LOOKALIKE_PY_VERSION source from the Debian archive"
    curl -fsS --max-time 600 -o "$src.tmp" "$(debian_mirror)/$LOOKALIKE_SRC" || die "download of $LOOKALIKE_SRC failed"
    echo "$LOOKALIKE_SRC_SHA256  $src.tmp" | sha256sum -c --status || die "$LOOKALIKE_SRC: sha256 mismatch"
    mv "$src.tmp" "$src"
  fi
  local out
  out="$STATE/cpython-$LOOKALIKE_PY_VERSION-$(lookalike_compile_id).tar"
  if [[ ! -f "$out" ]]; then
    log "compiling CPython $LOOKALIKE_PY_VERSION for $LOOKALIKE_IMAGE (several minutes on two cores)"
    lookalike_debootstrap "$build" "$LOOKALIKE_BUILD_PACKAGES" lookalike-build
    lookalike_compile "$build" "$src" || { safe_rm_rootfs "$build"; die "compiling CPython failed"; }
    tar -C "$build/out" -cf "$out.tmp" usr/local && mv "$out.tmp" "$out"
    safe_rm_rootfs "$build"
  fi
  lookalike_debootstrap "$run" "$LOOKALIKE_RUNTIME_PACKAGES" lookalike-run
  tar -C "$run" -xf "$out"
  lookalike_finish "$run"
  base_rootfs_strip "$run"
  tar --numeric-owner -C "$run" -c . | "${DOCKER[@]}" import \
    --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change "ENV PYTHON_VERSION=$LOOKALIKE_PY_VERSION" \
    --change 'CMD ["python3"]' \
    --change "LABEL io.datapub.base.recipe=$recipe" \
    - "$LOOKALIKE_IMAGE" >/dev/null || die "docker import of $LOOKALIKE_IMAGE failed"
  safe_rm_rootfs "$run"
  log "built $LOOKALIKE_IMAGE in $((SECONDS - started)) s ($(base_image_size "$LOOKALIKE_IMAGE"))"
}

ensure_lookalike_image() {
  if lookalike_current; then
    log "base image $LOOKALIKE_IMAGE present ($(base_image_size "$LOOKALIKE_IMAGE"))"
  else
    build_lookalike_image
  fi
}
