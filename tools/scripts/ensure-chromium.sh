#!/usr/bin/env bash
# Makes sure Debian's chromium is installed at /usr/bin/chromium for the browser tests (playwright-core drives it
# with executablePath '/usr/bin/chromium'). Idempotent: exits 0 at once when it is already there.
set -euo pipefail
CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

fail() {
  printf '[ensure-chromium] %s\n' "$*" >&2
  exit 1
}

command -v apt-get >/dev/null 2>&1 || fail "$CHROMIUM is missing and apt-get is not available: install Chromium so" \
  "that $CHROMIUM exists, then rerun."
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO=sudo
  else
    fail "$CHROMIUM is missing; run as root (or with passwordless sudo): apt-get update && apt-get install -y chromium"
  fi
else
  SUDO=
fi

printf '[ensure-chromium] installing chromium with apt-get (first run only; this takes a while)\n' >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q >&2 || fail "apt-get update failed; check network access to the Debian mirrors"
$SUDO apt-get install -y -q chromium >&2 || fail "apt-get install chromium failed"
[ -x "$CHROMIUM" ] || fail "chromium was installed but $CHROMIUM does not exist"
printf '[ensure-chromium] %s\n' "$("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM installed")" >&2
