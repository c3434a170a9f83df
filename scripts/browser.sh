#!/usr/bin/env bash
# The browser the page tests drive: Debian's Chromium (Playwright's own browser downloads are
# not used), plus a CJK font so screenshots of Chinese pages show text, not boxes.
# Idempotent: installs only what is missing. Playwright itself is a dev dependency in
# pyproject.toml (scripts/bootstrap.sh installs it).
set -euo pipefail

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
fc-list 2>/dev/null | grep -qi 'wenquanyi\|noto sans cjk\|noto serif cjk' || need+=(fonts-wqy-microhei)
if [ ${#need[@]} -gt 0 ]; then
  printf 'browser: installing %s from Debian packages\n' "${need[*]}" >&2
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
