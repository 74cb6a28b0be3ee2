"""lib/augment/code.py: every code panel runs as a standalone script and gives the page's numbers."""
from __future__ import annotations

import pytest
import torch
from PIL import Image

from lib.augment import code, images, normalise, pipeline, registry, sampling
from tests.helpers import run_script


def _photo(folder, image: torch.Tensor) -> None:
    Image.fromarray(image.permute(1, 2, 0).numpy()).save(folder / "photo.png")  # (3, H, W) -> (H, W, 3)


@pytest.mark.parametrize("name", list(registry.REGISTRY))
def test_step_code_builds_the_same_transform(name, tmp_path):
    step = pipeline.Step.default(name)
    script = f"import torch\nfrom torchvision.transforms import v2\nt = {code.step_code(step)}\n"
    built = run_script(script, tmp_path).namespace["t"]
    assert repr(built) == repr(pipeline.build_transform(step, faster=False))
    assert isinstance(pipeline.build_transform(step), type(built))  # the page's class is v2's or a subclass


def test_exported_code_reproduces_the_page_grid(tmp_path, make_image, make_steps, mixed):
    image = make_image(120, 160)
    _photo(tmp_path, image)
    steps = make_steps(*mixed, ("GaussianBlur", {"kernel_size": 4}), ("RandomErasing", {"p": 1.0}))
    steps[3].enabled = False
    built = pipeline.build_pipeline(steps)
    script = code.export_code(steps, seed=11, n=4, build_errors=built.errors)
    assert "# v2.RandomHorizontalFlip(p=0.5),  # switched off" in script
    assert "rejected: Kernel size value should be an odd" in script
    run = run_script(script, tmp_path, name="export.py")
    page = sampling.sample(image, built, 4, seed=11).outputs
    for got, want in zip(run.namespace["draws"], page, strict=True):
        assert torch.equal(got.as_subclass(torch.Tensor), want.as_subclass(torch.Tensor))
    assert (tmp_path / "draw_3.png").exists()
    assert run.stdout.strip() == str([tuple(d.shape) for d in page])


def test_boxes_code_moves_the_box_as_the_page_does(tmp_path, make_image, make_steps):
    image, box, seed = make_image(100, 200), (0.1, 0.2, 0.4, 0.6), 5
    _photo(tmp_path, image)
    steps = make_steps(("RandomResizedCrop", {"size": 64, "scale": (0.5, 1.0)}), ("RandomHorizontalFlip", {}))
    built = pipeline.build_pipeline(steps)
    run = run_script(code.boxes_code(steps, box, seed, built.errors), tmp_path, name="boxes.py")
    page = sampling.sample(images.boxed_sample(image, box), built, 1, seed).outputs[0]
    assert torch.equal(run.namespace["out"]["boxes"].as_subclass(torch.Tensor),
                       page["boxes"].as_subclass(torch.Tensor))
    assert torch.equal(run.namespace["out"]["image"].as_subclass(torch.Tensor),
                       page["image"].as_subclass(torch.Tensor))


def test_normalise_code_gives_the_page_tensor(tmp_path, make_image):
    image = make_image(40, 56)
    _photo(tmp_path, image)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    run = run_script(code.normalise_code(mean, std), tmp_path, name="normalise.py")
    torch.testing.assert_close(run.namespace["x"], normalise.normalise(normalise.to_float(image), mean, std))
    assert run.stdout.startswith("mean per channel")


def test_pipeline_code_of_an_empty_pipeline():
    assert code.pipeline_code([]) == "v2.Compose([])"


def test_step_summary_names_the_first_parameters():
    step = pipeline.Step("RandomResizedCrop", {**registry.REGISTRY["RandomResizedCrop"].defaults(), "size": 64})
    assert code.step_summary(step) == "size=64, scale=(0.08, 1.0), ratio=(0.75, 1.3333), …"
    assert code.step_summary(pipeline.Step.default("RandomChannelPermutation")) == ""
