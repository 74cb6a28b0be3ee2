"""Make the repository root importable (lib/, ui/) from every test folder."""
import os
import sys
from pathlib import Path

# The suite runs a Streamlit server, Chromium and pytest side by side on two cores:
# one torch thread per process avoids OpenMP threads spinning against each other
# (which made small-op training 30x slower in a measurement here). Set before torch
# is imported; the e2e server inherits it. Benchmarks do not run under this.
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
