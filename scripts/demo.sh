#!/usr/bin/env bash
# Set up tradewire and run the demo: the service with simulated sources, no network or accounts.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/tradewire demo "$@"
