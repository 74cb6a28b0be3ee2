"""Shared fixtures of the conv tests: a small random RGB picture of any size."""
from collections.abc import Callable

import numpy as np
import pytest
from PIL import Image


def random_image(h: int = 20, w: int = 24, seed: int = 0) -> Image.Image:
    """A (h, w) RGB picture of seeded random pixels."""
    rng = np.random.default_rng(seed)
    return Image.fromarray(rng.integers(0, 256, (h, w, 3), dtype=np.uint8))


@pytest.fixture
def make_image() -> Callable[..., Image.Image]:
    """`make_image(h, w)`: a seeded random RGB picture (20x24 by default)."""
    return random_image
