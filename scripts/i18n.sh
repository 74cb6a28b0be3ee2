#!/usr/bin/env bash
# Extract every translatable string and update the catalogs in locales/ (see scripts/i18n.py).
#   bash scripts/i18n.sh [zh_CN] [domain ...]   (domains: app and one per page)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh app >/dev/null
exec .venv/bin/python -m scripts.i18n "$@"
