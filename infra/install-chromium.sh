#!/usr/bin/env bash
# Chromium for the admin page's browser test (test/e2e/web-admin.test.ts), from Debian's packages.
# Nothing to do when /usr/bin/chromium exists. Otherwise, as root, `apt-get install chromium`, refreshing the
# package lists only when the install fails (they may be missing or stale); the downloaded .deb files are kept
# under ~/.cache/hookline/apt so a reinstall needs no network. Without root it only says what is missing: the
# test then skips (or fails under CI=true).
set -euo pipefail

CHROMIUM=${HOOKLINE_CHROMIUM:-/usr/bin/chromium}
if [[ -x $CHROMIUM ]]; then
  exit 0
fi
if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null; then
  echo "install-chromium: $CHROMIUM is missing; install Debian's chromium package (needs root and apt-get)" >&2
  exit 0
fi

cache=${HOOKLINE_APT_CACHE:-$HOME/.cache/hookline/apt}
mkdir -p "$cache/partial"
apt_install() {
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends -o Dir::Cache::archives="$cache" chromium
}
echo "install-chromium: installing Debian's chromium (cached in $cache)"
if ! apt_install; then
  apt-get update -q
  apt_install
fi
[[ -x $CHROMIUM ]] || { echo "install-chromium: still no $CHROMIUM after installing chromium" >&2; exit 1; }
echo "install-chromium: $CHROMIUM ready"
