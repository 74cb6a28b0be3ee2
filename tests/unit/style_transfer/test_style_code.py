"""lib/style_transfer/code.py: the standalone script reproduces lib's picture for the same settings."""
from dataclasses import replace

import pytest
import torch
from PIL import Image

from lib.common.samples import load_sample, sample_path
from lib.style_transfer.code import generate_code
from lib.style_transfer.images import pil_to_tensor, prepare_images, tensor_to_pil
from lib.style_transfer.optimise import run_to_end
from lib.style_transfer.presets import TUTORIAL
from tests.helpers import run_script
from tests.unit.style_transfer.conftest import TINY


@pytest.mark.parametrize("changes", [
    dict(),                                   # defaults: Adam, coarse-to-fine
    dict(optimizer="lbfgs", coarse_to_fine=False, keep_colors=True),
    {k: getattr(TUTORIAL, k) for k in ("space", "lr", "gram", "style_ratio", "tv_weight", "coarse_to_fine")},
])
def test_generated_script_reproduces_the_lib(features, tmp_path, changes):
    cfg = replace(TINY, **changes)
    code = generate_code(cfg, str(sample_path("Astronaut")), str(sample_path("The Scream (Munch)")))
    ran = run_script(code, tmp_path, "style_transfer.py")
    assert "saved stylized.png" in ran.stdout
    content, style, _ = prepare_images(load_sample("Astronaut"), load_sample("The Scream (Munch)"), 32)
    expected, _ = run_to_end(features, content, style, cfg)
    got = pil_to_tensor(Image.open(tmp_path / "stylized.png"))[0]
    torch.testing.assert_close(got, pil_to_tensor(tensor_to_pil(expected))[0], atol=2 / 255, rtol=0)
