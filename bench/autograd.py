"""Autograd page: is the stepper light enough to bypass the heavy-job gate, and how long do its links get?

Run: .venv/bin/python -m bench.autograd [--quick]
In one run, taking turns (interleaved, so a busy spell on a shared machine hits all of them): a page rerun
after a plain setting change (AppTest), the rerun after a click on "Step 100" (the heaviest click of the
page), and the rerun after moving the regression's steps slider near its maximum (up to 2000 steps, a new
value each time, so the page's cache of fits never answers). The gate is for jobs of seconds to minutes; an
interaction that costs at most about one more rerun than any click pays anyway is light, and must not queue
behind them (issue 22). CPU.
"""
from __future__ import annotations

import statistics
from urllib.parse import urlencode

import torch
from streamlit.testing.v1 import AppTest

from bench.common import ROOT, Figure, cli, interleaved_times, median_ratio, median_time
from lib.autograd import backprop, linreg, parser

CPU = torch.device("cpu")
# every setting away from its default, with realistic values: the longest link a learner is likely to send
FULL_LINK = {"tab": "backprop", "preset": "neuron", "expr": "tanh(w @ x + b) * sigmoid(sum(x * w)) - mean(x ** 2)",
             "x": "1, 2; 3, 4", "w": "0.5, -0.25", "b": "0.1, 0.2", "gx": "1", "gw": "0", "gb": "0", "bw": "0",
             "da": "0", "db": "1", "calls": "5", "zero": "1", "retain": "1", "v": "1, 0.5, 0", "freeze": "0",
             "bp_lr": "0.1", "bp_y": "0.25", "bp_seed": "7", "data": "own", "lr": "0.003", "steps": "1500",
             "pts": "\n".join(f"{i}, {2 * i + 1}" for i in range(20))}


def _page() -> AppTest:
    at = AppTest.from_file(str(ROOT / "pages" / "autograd.py"), default_timeout=300)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _reruns(repeats: int) -> dict[str, list[float]]:
    """Seconds of three kinds of rerun, taking turns."""
    plain, step, fit = _page(), _page(), _page()
    flip = iter([True, False] * (repeats + 4))
    sizes = iter(range(2000, 1000, -10))  # a new value each time: never served from the page's cache

    def step100() -> None:
        step.button(key="autograd.bp.reset").click().run()  # a fresh pair each time: always 100 real steps
        step.button(key="autograd.bp.step100").click().run()

    def reset_only() -> None:
        step.button(key="autograd.bp.reset").click().run()

    times = interleaved_times({
        "plain": lambda: plain.checkbox(key="autograd.demo.zero").set_value(next(flip)).run(),
        "reset": reset_only,
        "reset+step": step100,
        "fit": lambda: fit.slider(key="autograd.lr.steps").set_value(next(sizes)).run(),
    }, repeats=repeats, warmup=1)
    times["step"] = [both - reset for both, reset in zip(times.pop("reset+step"), times.pop("reset"))]
    return times


def run(quick: bool) -> list[Figure]:
    repeats = 3 if quick else 9
    pair = backprop.new_pair(backprop.BackpropConfig(), CPU)
    steps_s = median_time(lambda: backprop.advance(backprop.new_pair(pair.config, CPU), 100), repeats, warmup=1)
    fit_s = median_time(lambda: list(linreg.fit(linreg.CLASSIC_X, linreg.CLASSIC_Y, 0.01, 2000, CPU)), repeats, 1)
    times = _reruns(repeats)
    plain = statistics.median(times["plain"])
    link = len(urlencode(FULL_LINK))
    budget = parser.MAX_LENGTH + 3 * 300 + 100 + linreg.LinRegConfig().max_chars  # the text fields' caps
    return [
        Figure("100 backprop steps, lib only (ms)", f"{steps_s * 1e3:.0f}"),
        Figure("2000 regression steps, lib only (ms)", f"{fit_s * 1e3:.0f}"),
        Figure("page rerun after a plain setting change (ms)", f"{plain * 1e3:.0f}"),
        Figure("rerun with a 'Step 100' click / plain rerun", f"{median_ratio(times['step'], times['plain']):.2f}x",
               "<= 2x (light: no gate)", median_ratio(times["step"], times["plain"]) <= 2),
        Figure("rerun fitting ~2000 new steps / plain rerun", f"{median_ratio(times['fit'], times['plain']):.2f}x",
               "<= 2x (light: no gate)", median_ratio(times["fit"], times["plain"]) <= 2),
        Figure("link with every setting changed (characters of the query)", str(link), "<= 2000",
               link <= 2000),
        Figure("upper bound of the text settings (characters before URL encoding)", str(budget)),
    ]


if __name__ == "__main__":
    cli("Autograd page", run)
