"""Real TensorBoard logs for a page's training runs, and reading them back.

A `RunLog` wraps `torch.utils.tensorboard.SummaryWriter`: scalars per strategy and stage, an image grid
(the misclassified pictures), hyperparameters with the final metrics. The page then lists the runs of a
folder, draws their scalars read back from the event files (what TensorBoard itself would show), zips the
folder for download and gives the `tensorboard --logdir` command. Logs live in a per-session folder
(`LogFolder`) capped in size and deleted when the session's state is dropped.
"""
from __future__ import annotations

import io
import shutil
import tempfile
import weakref
import zipfile
from dataclasses import dataclass
from pathlib import Path

import torch

MAX_FOLDER_BYTES = 50 * 2**20  # a session's logs: plenty for scalars and a few image grids


class LogFolder:
    """A fresh temporary folder for one session's runs, removed when this object is garbage-collected
    (Streamlit drops a session's state when the visitor leaves) or when `remove()` is called."""

    def __init__(self, max_bytes: int = MAX_FOLDER_BYTES) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="explainer-runs-"))
        self.max_bytes = max_bytes
        self._finalizer = weakref.finalize(self, shutil.rmtree, self.path, True)

    def size(self) -> int:
        return sum(f.stat().st_size for f in self.path.rglob("*") if f.is_file())

    def full(self) -> bool:
        """True once the folder holds its cap: new runs are then not logged (the page says so)."""
        return self.size() >= self.max_bytes

    def runs(self) -> list[str]:
        """Run names (sub-folders holding event files), oldest first."""
        found = {f.parent for f in self.path.rglob("events.out.tfevents.*")}
        return sorted((str(p.relative_to(self.path)) for p in found), key=lambda r: (self.path / r).stat().st_mtime)

    def new_run(self, name: str) -> "RunLog":
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name).lstrip(".")[:80] or "run"
        path, n = self.path / safe, 1
        while path.exists():
            n += 1
            path = self.path / f"{safe}-{n}"
        return RunLog(path)

    def zip_bytes(self) -> bytes:
        """The whole folder as a zip, for download."""
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for f in sorted(self.path.rglob("*")):
                if f.is_file():
                    archive.write(f, Path("runs") / f.relative_to(self.path))
        return buffer.getvalue()

    def remove(self) -> None:
        self._finalizer()


class RunLog:
    """One run's SummaryWriter: call `scalar`, `images`, `hparams`, then `close`."""

    def __init__(self, path: Path) -> None:
        from torch.utils.tensorboard import SummaryWriter  # imports tensorboard: only when logging

        self.path = path
        self.writer = SummaryWriter(log_dir=str(path))

    def scalar(self, tag: str, value: float, step: int) -> None:
        self.writer.add_scalar(tag, value, step)

    def images(self, tag: str, images: torch.Tensor, step: int = 0, nrow: int = 8) -> None:
        """A grid of (N, C, H, W) images in [0, 1]."""
        from torchvision.utils import make_grid

        if len(images):
            self.writer.add_image(tag, make_grid(images.float().clamp(0, 1), nrow=nrow, pad_value=1.0), step)

    def hparams(self, params: dict, metrics: dict[str, float]) -> None:
        clean = {k: v if isinstance(v, (int, float, str, bool)) else str(v) for k, v in params.items()}
        self.writer.add_hparams(clean, metrics, run_name=".")

    def close(self) -> None:
        self.writer.close()


@dataclass(frozen=True)
class Curve:
    """One logged scalar of one run, as TensorBoard reads it from the event file."""

    run: str
    tag: str
    steps: list[int]
    values: list[float]


def read_scalars(folder: Path, run: str) -> list[Curve]:
    """Every scalar of `run` read back from its event files (TensorBoard's own reader)."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    acc = EventAccumulator(str(folder / run), size_guidance={"scalars": 0})
    acc.Reload()
    return [Curve(run, tag, [e.step for e in acc.Scalars(tag)], [e.value for e in acc.Scalars(tag)])
            for tag in sorted(acc.Tags().get("scalars", []))]


def tensorboard_command(folder: Path) -> str:
    """What to type to open the logs in TensorBoard itself (after unzipping the download: `runs`)."""
    return f"tensorboard --logdir {folder}"
