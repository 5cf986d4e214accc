#!/usr/bin/env bash
# Set up everything the tests need, then lint (style, layering rules) and run the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --test
.venv/bin/ruff check .
.venv/bin/lint-imports --no-cache
.venv/bin/python -m pytest "$@"
