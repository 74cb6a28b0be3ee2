"""The output-size formula of convolution and pooling, checked, and written out with the numbers filled in."""
from __future__ import annotations

import math

from lib.common.messages import LearnerError


def check_hyper(stride: int, dilation: int = 1, padding: int = 0) -> None:
    """Refuse stride/dilation below 1 and negative padding with a learner-level sentence."""
    if stride < 1:
        raise LearnerError("Stride must be at least 1 (got {stride}): the window has to move forward.", stride=stride)
    if dilation < 1:
        raise LearnerError("Dilation must be at least 1 (got {dilation}); 1 means no gaps.", dilation=dilation)
    if padding < 0:
        raise LearnerError("Padding cannot be negative (got {padding}).", padding=padding)


def check_pool_padding(padding: int, kh: int, kw: int) -> None:
    """PyTorch refuses pooling padding above half the window: say so, with the largest it takes."""
    if padding > min(kh, kw) // 2:
        raise LearnerError("Pooling padding can be at most half the window ({most} for a {kh}x{kw} window); "
                           "PyTorch refuses more.", most=min(kh, kw) // 2, kh=kh, kw=kw)


def output_size(n: int, kernel: int, stride: int = 1, padding: int = 0, dilation: int = 1,
                ceil_mode: bool = False) -> int:
    """PyTorch's output length along one axis: floor((n + 2p - d(k-1) - 1) / s) + 1."""
    check_hyper(stride, dilation, padding)
    span = dilation * (kernel - 1) + 1  # how many input cells one window covers
    if n + 2 * padding < span:
        raise LearnerError("The kernel covers {span} cells but the padded input has only {padded} ({n} + 2x{padding} "
                           "padding): use a smaller kernel or dilation, or more padding.",
                           span=span, padded=n + 2 * padding, n=n, padding=padding)
    room = n + 2 * padding - span
    out = (math.ceil(room / stride) if ceil_mode else room // stride) + 1
    if ceil_mode and (out - 1) * stride >= n + padding:
        out -= 1  # PyTorch drops a last window that would start in the right padding
    return out


def formula_text(n: int, kernel: int, stride: int, padding: int, dilation: int,
                 ceil_mode: bool = False) -> str:
    """The output-size formula with the numbers filled in, as LaTeX."""
    out = output_size(n, kernel, stride, padding, dilation, ceil_mode)
    rounding = r"\left\lceil" if ceil_mode else r"\left\lfloor"
    closing = r"\right\rceil" if ceil_mode else r"\right\rfloor"
    numerator = f"{n} + 2\\cdot{padding} - {dilation}\\cdot({kernel}-1) - 1"
    value = n + 2 * padding - dilation * (kernel - 1) - 1
    return (f"{rounding}\\frac{{{numerator}}}{{{stride}}}{closing} + 1 = "
            f"{rounding}\\frac{{{value}}}{{{stride}}}{closing} + 1 = {out}")


def same_padding(kernel: int, dilation: int = 1) -> tuple[int, int]:
    """(before, after) padding that keeps the size at stride 1; the extra cell goes after, as in PyTorch."""
    total = dilation * (kernel - 1)
    return total // 2, total - total // 2
