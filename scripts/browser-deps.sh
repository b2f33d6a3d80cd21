#!/usr/bin/env bash
# What the browser tests need, only for the test path (`make test`): Debian's chromium (the tests
# drive /usr/bin/chromium; `playwright install` cannot download browsers here) and the playwright
# Python package in the venv given as $1 (default .venv). Installs only what is missing; uses sudo
# when not root. Without apt-get it says what is missing and leaves the browser tests to skip.
set -euo pipefail
venv="${1:-.venv}"
PLAYWRIGHT_VERSION="1.65.2"
if ! "$venv/bin/python" -c "import playwright" >/dev/null 2>&1; then
  echo "installing playwright==$PLAYWRIGHT_VERSION into $venv" >&2
  "$venv/bin/pip" install --quiet "playwright==$PLAYWRIGHT_VERSION"
fi
[ -x /usr/bin/chromium ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "please install chromium at /usr/bin/chromium (no apt-get here): the browser tests will skip" >&2
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "installing Debian packages: chromium" >&2
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
