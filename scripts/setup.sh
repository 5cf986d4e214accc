#!/usr/bin/env bash
# Set up tradewire in ./.venv (idempotent). With --test, also the test tools and the system
# packages the integration tests drive (Chromium, Tesseract, Xvfb for a windowed Chromium).
set -euo pipefail
cd "$(dirname "$0")/.."

PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip >/dev/null

if [ "${1:-}" = "--test" ]; then
  missing=()
  [ -x /usr/bin/chromium ] || missing+=(chromium)
  command -v tesseract >/dev/null 2>&1 || missing+=(tesseract-ocr tesseract-ocr-eng)
  [ -x /usr/bin/Xvfb ] || missing+=(xvfb)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing system packages: ${missing[*]}"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
else
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e .
fi

# The backtest's HTML charts inline TradingView's lightweight-charts (Apache-2.0), vendored in
# src/tradewire/web/vendor/; put it back from the npm registry if it is missing.
VENDOR=src/tradewire/web/vendor
if [ ! -f "$VENDOR/lightweight-charts.standalone.production.js" ]; then
  echo "fetching lightweight-charts@4 from the npm registry"
  mkdir -p "$VENDOR"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent lightweight-charts@4 >/dev/null && tar xzf lightweight-charts-*.tgz \
    package/dist/lightweight-charts.standalone.production.js package/LICENSE)
  cp "$tmp/package/dist/lightweight-charts.standalone.production.js" "$VENDOR/"
  cp "$tmp/package/LICENSE" "$VENDOR/lightweight-charts.LICENSE"
  rm -rf "$tmp"
fi
