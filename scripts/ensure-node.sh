#!/usr/bin/env bash
# Installs Debian's nodejs and npm when node is missing (the npm package's tests, tests/npm,
# install the tracker's tarball with npm and run it on Node; Node is never used to build).
set -euo pipefail
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" != 0 ]; then
  echo "node or npm is not installed and this is not root: the npm package tests will be skipped" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -qq nodejs npm >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null; }
