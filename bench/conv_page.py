"""Conv page: rerun time after a slider change (AppTest) against the bare F.conv2d it shows.

Run: .venv/bin/python -m bench.conv_page [--quick]
Both are measured in the same run on the 512x512 Astronaut sample, CPU.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F
from streamlit.testing.v1 import AppTest

from bench.common import ROOT, Figure, accelerators, cli, median_time
from lib.common.samples import load_sample
from lib.conv import image_ops, kernels

SAMPLE = "Astronaut"  # 512x512: the page's size cap


def _page(repeats: int) -> float:
    """Median seconds of a full page rerun after moving the dilation slider."""
    at = AppTest.from_file(str(ROOT / "pages" / "conv.py"), default_timeout=300)
    at.session_state["conv.image.sample"] = SAMPLE
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    values = iter([2, 1] * (repeats + 2))
    return median_time(lambda: at.slider(key="conv.dilation").set_value(next(values)).run(), repeats, warmup=1)


def run(quick: bool) -> list[Figure]:
    repeats = 2 if quick else 7
    x = image_ops.image_to_tensor(load_sample(SAMPLE), grey=False)  # (1, 3, 512, 512)
    weight = image_ops.conv_weight(kernels.preset_kernel("sobel_x"), 3, 1)
    bare = median_time(lambda: F.conv2d(x, weight, dilation=2), repeats * 5, warmup=2)
    settings = image_ops.ConvSettings(dilation=2)
    section = median_time(
        lambda: image_ops.to_display(image_ops.apply_conv(x, kernels.preset_kernel("sobel_x"), settings)),
        repeats * 5, warmup=2)
    page = _page(repeats)
    ratio = page / bare
    return [
        Figure("F.conv2d 3x3 on 1x3x512x512 (ms)", f"{bare * 1e3:.2f}"),
        Figure("image section compute: pad + conv + display (ms)", f"{section * 1e3:.2f}"),
        Figure("whole page rerun after a slider change, AppTest (ms)", f"{page * 1e3:.0f}"),
        Figure("page rerun / bare F.conv2d", f"{ratio:.1f}x", "<= 3x", ratio <= 3),
        Figure("torch threads", str(torch.get_num_threads())),
    ] + [accelerator_figure(x, weight, device, repeats) for device in accelerators()]


def accelerator_figure(x: torch.Tensor, weight: torch.Tensor, device: torch.device, repeats: int) -> Figure:
    """The bare convolution on a GPU, synchronised so the time is the kernel's."""
    from lib.common.device import synchronize

    x, weight = x.to(device), weight.to(device)

    def conv_synced():
        F.conv2d(x, weight, dilation=2)
        synchronize(device)

    return Figure(f"on {device}: F.conv2d 3x3 on 1x3x512x512 (ms)", f"{median_time(conv_synced, repeats * 5, warmup=3) * 1e3:.3f}")


if __name__ == "__main__":
    cli("Conv page: rerun after a slider change vs bare F.conv2d (512 px, CPU)", run)
