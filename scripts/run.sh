#!/usr/bin/env bash
# Set up if needed, then open the app (http://localhost:8501).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app
exec .venv/bin/python -m streamlit run app.py "$@"
