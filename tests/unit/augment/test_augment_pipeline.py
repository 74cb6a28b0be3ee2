"""lib/augment/pipeline.py: steps -> v2 transforms, rejected steps explained, the page's pipeline state."""
from __future__ import annotations

import numpy as np
import pytest
import torch

from lib.augment import config, pipeline, registry, sampling


@pytest.mark.parametrize("mode,numpy_mode", [
    ("constant", "constant"),   # zeros (fill=0)
    ("edge", "edge"),           # repeat the border pixel
    ("reflect", "reflect"),     # mirror without repeating the border
    ("symmetric", "symmetric"),  # mirror including the border
])
def test_pad_modes_match_numpy(mode, numpy_mode, make_image, make_steps):
    x = make_image(8, 10)
    built = pipeline.build_pipeline(make_steps(("Pad", {"padding": 3, "padding_mode": mode, "fill": 0})))
    out = sampling.sample(x, built, 1, 0).outputs[0]
    expected = np.pad(x.numpy(), ((0, 0), (3, 3), (3, 3)), mode=numpy_mode)
    np.testing.assert_array_equal(out.numpy(), expected)


def test_disabled_step_is_skipped(make_image, make_steps):
    steps = make_steps(("RandomVerticalFlip", {"p": 1.0}))
    steps[0].enabled = False
    assert torch.equal(sampling.sample(make_image(), pipeline.build_pipeline(steps), 1, 0).outputs[0], make_image())


def test_step_values_fill_in_defaults():
    step = pipeline.Step("Pad", {"padding": 5})
    assert step.values() == {"padding": 5, "fill": 0, "padding_mode": "constant"}
    assert pipeline.Step.default("Pad").values() == registry.REGISTRY["Pad"].defaults()


def test_default_pipeline_is_the_configured_one():
    steps = pipeline.default_pipeline()
    assert [s.name for s in steps] == list(config.AugmentConfig().default_pipeline)
    assert all(s.enabled and s.params == registry.REGISTRY[s.name].defaults() for s in steps)


# ---------------------------------------------------------------- bad parameter combinations


def test_build_error_is_reported_and_the_rest_still_runs(make_image, make_steps):
    steps = make_steps(("GaussianBlur", {"kernel_size": 4}), ("RandomHorizontalFlip", {"p": 1.0}))
    built = pipeline.build_pipeline(steps)
    assert "odd and positive" in built.errors[0]
    assert torch.equal(sampling.sample(make_image(), built, 1, 0).outputs[0], make_image().flip(-1))


@pytest.mark.parametrize("name,params,message", [
    ("ColorJitter", {"brightness": (1.4, 0.6)}, "brightness values should be between"),  # torchvision's check
    ("RandomResizedCrop", {"scale": (0.9, 0.2)}, "scale: the minimum (0.9) is larger than the maximum (0.2)"),
    ("RandomRotation", {"degrees": (30.0, -30.0)}, "degrees: the minimum (30) is larger"),
])
def test_min_above_max_is_explained(name, params, message, make_steps):
    built = pipeline.build_pipeline(make_steps((name, params)))
    assert message in built.errors[0]
    # ours keep their template, so the page shows them in the reader's language; torchvision's are plain text
    assert hasattr(built.errors[0], "template") == (name != "ColorJitter")


# ---------------------------------------------------------------- the page's pipeline state


def _names(state: pipeline.PipelineState) -> list[str]:
    return [s.name for s in state.steps()]


def test_state_starts_numbered_from_one():
    state = pipeline.PipelineState.start(pipeline.default_pipeline())
    assert [e.id for e in state.entries] == [1, 2, 3]  # the page's widget keys augment.s1 .. s3
    assert _names(state) == ["RandomResizedCrop", "RandomHorizontalFlip", "ColorJitter"]


def test_state_add_move_remove():
    state = pipeline.PipelineState.start(pipeline.default_pipeline())
    state.add("Pad")
    assert _names(state)[-1] == "Pad" and state.entries[-1].id == 4
    assert state.entries[-1].step.params == registry.REGISTRY["Pad"].defaults()
    state.move(3, -1)
    assert _names(state) == ["RandomResizedCrop", "RandomHorizontalFlip", "Pad", "ColorJitter"]
    state.move(0, -1)  # already first: nothing moves
    state.move(3, 1)   # already last: nothing moves
    assert _names(state) == ["RandomResizedCrop", "RandomHorizontalFlip", "Pad", "ColorJitter"]
    state.remove(0)
    assert _names(state) == ["RandomHorizontalFlip", "Pad", "ColorJitter"]
    assert [e.id for e in state.entries] == [2, 4, 3]


def test_state_replace_never_reuses_ids():
    state = pipeline.PipelineState.start(pipeline.default_pipeline())
    state.replace([pipeline.Step.default("RandomInvert")])
    assert [e.id for e in state.entries] == [4] and _names(state) == ["RandomInvert"]
    state.add("RGB")
    assert [e.id for e in state.entries] == [4, 5]
