#!/usr/bin/env bash
# Installs the Debian packages the suite needs (Chromium for browser tests, a Java runtime for
# ODK Validate, gettext for translation checks) when running as root with apt, as in CI.
# Elsewhere the tests that need them skip with a message naming the package.
set -euo pipefail
want=()
command -v chromium >/dev/null 2>&1 || want+=(chromium)
command -v java >/dev/null 2>&1 || want+=(default-jre-headless)
command -v msgfmt >/dev/null 2>&1 || want+=(gettext)
[ ${#want[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "note: not root with apt; tests needing ${want[*]} will skip" >&2
  exit 0
fi
echo "installing system packages: ${want[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
apt-get install -y -qq --no-install-recommends "${want[@]}" >/dev/null
