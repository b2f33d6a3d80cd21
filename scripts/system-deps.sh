#!/usr/bin/env bash
# Debian packages the workbench needs: graphviz (the `dot` program that draws access graphs).
# Installs only what is missing; uses sudo when not root.
set -euo pipefail
need=()
command -v dot >/dev/null 2>&1 || need+=(graphviz)
[ ${#need[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "please install: ${need[*]} (no apt-get on this machine)" >&2
  exit 1
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing Debian packages: ${need[*]}" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
