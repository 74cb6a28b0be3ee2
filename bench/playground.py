"""Network playground: training steps/s and boundary redraws/s for a 3x8 network on CPU.

The reference in the same run is the un-batched redraw: one forward pass per grid point.
Run: `.venv/bin/python -m bench.playground [--quick]`.
"""
from __future__ import annotations

import base64
import io
from dataclasses import replace

import torch
from PIL import Image

from bench.common import Figure, accelerators, cli, median_time
from lib.playground import config, training, views

CPU = torch.device("cpu")


def redraw(run: training.Run, size: int) -> str:
    """What the page does per frame for the boundary: batched grid eval, colouring, PNG data URI."""
    rgb = views.boundary_rgb(views.boundary(run, size))[::-1].copy()
    buffer = io.BytesIO()
    Image.fromarray(rgb).save(buffer, format="PNG")
    return base64.b64encode(buffer.getvalue()).decode()


def run(quick: bool) -> list[Figure]:
    torch.set_num_threads(1)  # tiny nets: extra OpenMP threads only add waiting (see the report)
    size, steps, naive_size = (20, 20, 10) if quick else (100, 200, 100)
    cfg = replace(config.PlaygroundConfig(), dataset="circles", hidden_layers=3, width=8, activation="tanh", lr=0.03)
    r = training.new_run(cfg, CPU)
    step_s = median_time(lambda: training.train_step(r), repeats=steps, warmup=5)
    frame_s = median_time(lambda: list(training.train(r, cfg.steps_per_frame, record_every=cfg.steps_per_frame)),
                          repeats=3 if quick else 20)
    batched_s = median_time(lambda: redraw(r, size), repeats=3 if quick else 20)
    naive_s = median_time(lambda: views.boundary_naive(r, naive_size), repeats=1, warmup=0)
    naive_s *= (size / naive_size) ** 2  # per-point cost scales with the number of points
    return [
        Figure("training steps/s (3x8 tanh, batch 32, 1 thread)", f"{1 / step_s:,.0f}"),
        Figure(f"play frame: {cfg.steps_per_frame} steps + train/test eval, ms", f"{frame_s * 1000:.1f}"),
        Figure(f"boundary redraws/s, batched ({size}x{size} grid, eval + colour + PNG)", f"{1 / batched_s:,.1f}",
               ">= 10", 1 / batched_s >= 10),
        Figure(f"boundary redraws/s, one point at a time (reference, {size}x{size})", f"{1 / naive_s:,.2f}"),
        Figure("batched speed-up over the per-point loop", f"{naive_s / batched_s:,.0f}x", "> 1x",
               naive_s > batched_s),
    ] + [f for device in accelerators() for f in accelerator_figures(cfg, device, size, steps)]


def accelerator_figures(cfg: config.PlaygroundConfig, device: torch.device, size: int, steps: int) -> list[Figure]:
    """The same on a GPU: tiny nets are launch-bound there, which is worth seeing."""
    r = training.new_run(cfg, device)
    step_s = median_time(lambda: training.train_step(r), repeats=steps, warmup=5)
    redraw_s = median_time(lambda: redraw(r, size), repeats=20)
    return [Figure(f"on {device}: training steps/s", f"{1 / step_s:,.0f}"),
            Figure(f"on {device}: boundary redraws/s ({size}x{size})", f"{1 / redraw_s:,.1f}", ">= 10", 1 / redraw_s >= 10)]


if __name__ == "__main__":
    cli("Network playground (CPU)", run)
