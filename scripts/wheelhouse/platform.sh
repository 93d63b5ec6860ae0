# shellcheck shell=bash
# The images' platform and Python, as pip download flags: the base images are Debian bookworm
# (glibc 2.36) on x86_64 with CPython 3.11, and pip must never build from source.
WHEELHOUSE_PIP_PLATFORM=(
  --only-binary=:all: --implementation cp --python-version 3.11 --abi cp311 --abi abi3 --abi none
  --platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64
  --platform linux_x86_64 --platform any
)
