#!/usr/bin/env bash
# Set up if needed (the start-up bench drives Chromium), then run every bench and write bench/RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
exec .venv/bin/python -m bench.run_all "$@"
