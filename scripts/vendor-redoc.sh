#!/usr/bin/env bash
# Vendors Redoc's single-file standalone bundle (MIT) from the npm registry into $1, pinned by
# version ($2) and checked against its SHA-256 ($3); the result is committed (see its VENDOR.md).
set -euo pipefail
dest=$1 pkg=$2 sha=$3
command -v npm >/dev/null || { echo "npm missing: cannot fetch $pkg" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
tar -xzf "$tmp"/*.tgz -C "$tmp"
echo "$sha  $tmp/package/bundles/redoc.standalone.js" | sha256sum --check --quiet
mkdir -p "$dest"
cp "$tmp"/package/bundles/redoc.standalone.js "$dest"/
cp "$tmp"/package/LICENSE "$dest"/LICENSE
cp "$tmp"/package/bundles/redoc.standalone.js.LICENSE.txt "$dest"/THIRD-PARTY-LICENSES.txt
echo "vendored $pkg into $dest (sha256 $sha)"
