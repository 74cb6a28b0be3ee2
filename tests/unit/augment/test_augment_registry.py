"""lib/augment/registry.py and specs.py: the catalogue covers transforms.v2, every entry's defaults are valid."""
from __future__ import annotations

import pytest
import torch
from torchvision.transforms import v2

from lib.augment import config, pipeline, registry, sampling
from lib.augment.specs import ParamSpec

# The required catalogue.
REQUIRED = [
    "Resize", "CenterCrop", "Pad", "RandomCrop", "RandomResizedCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
    "RandomRotation", "RandomAffine", "RandomPerspective", "ColorJitter", "Grayscale", "RandomGrayscale",
    "GaussianBlur", "RandomInvert", "RandomPosterize", "RandomSolarize", "RandomAdjustSharpness",
    "RandomAutocontrast", "RandomEqualize", "ElasticTransform", "RandomErasing", "AutoAugment", "RandAugment",
    "TrivialAugmentWide", "AugMix",
]


@pytest.mark.parametrize("name", REQUIRED)
def test_required_transform_in_registry(name):
    assert name in registry.REGISTRY
    assert registry.REGISTRY[name].doc


def test_coverage_check_lists_nothing_missing_for_installed_torchvision():
    assert registry.uncovered_transforms() == [], "new transforms.v2 classes: add them to REGISTRY or NOT_PREVIEWED"
    assert set(registry.REGISTRY).isdisjoint(registry.NOT_PREVIEWED)


def test_coverage_check_notices_a_new_class(monkeypatch):
    class Sparkle(v2.Transform):
        pass

    monkeypatch.setattr(v2, "Sparkle", Sparkle, raising=False)
    assert registry.uncovered_transforms() == ["Sparkle"]


def test_pad_offers_all_four_modes():
    assert registry.REGISTRY["Pad"].param("padding_mode").options == ("constant", "edge", "reflect", "symmetric")
    assert registry.REGISTRY["AutoAugment"].param("policy").options == ("IMAGENET", "CIFAR10", "SVHN")


@pytest.mark.parametrize("spec", registry.REGISTRY.values(), ids=list(registry.REGISTRY))
def test_defaults_are_valid_widget_values(spec):
    for p in spec.params:
        assert p.validate(p.default) == (tuple(p.default) if p.kind == "pair" else p.default)


@pytest.mark.parametrize("name", list(registry.REGISTRY))
def test_every_transform_runs_with_defaults_on_uint8(name, make_image):
    built = pipeline.build_pipeline([pipeline.Step.default(name)])
    draws = sampling.sample(make_image(224, 232), built, 2, seed=0)
    assert built.errors == {} and draws.errors == {}
    assert all(d.dtype == torch.uint8 and d.shape[0] == 3 for d in draws.outputs)


@pytest.mark.parametrize("spec,value,expected", [
    (ParamSpec("size", "int", 8, 1, 64, 1), 12, 12),                                  # int stays int
    (ParamSpec("p", "float", 0.5, 0.0, 1.0, 0.05), 1, 1.0),                          # int read as a float
    (ParamSpec("q", "pair", (1, 2), 1, 100, 1, integer=True), [20, 80], (20, 80)),   # JSON list -> tuple
    (ParamSpec("m", "choice", "a", options=("a", "b")), "b", "b"),
])
def test_validate_gives_the_canonical_value(spec, value, expected):
    got = spec.validate(value)
    assert got == expected and type(got) is type(expected)


def test_to_kwarg_and_to_code_of_an_enum_and_a_pair():
    interp = registry.REGISTRY["Resize"].param("interpolation")
    assert interp.to_kwarg("NEAREST") is v2.InterpolationMode.NEAREST
    assert interp.to_code("NEAREST") == "v2.InterpolationMode.NEAREST"
    quality = registry.REGISTRY["JPEG"].param("quality")
    assert quality.to_kwarg((20.0, 80.0)) == (20, 80) and quality.to_code((20.0, 80.0)) == "(20, 80)"


def test_page_settings_are_within_their_ranges():
    defaults = config.AugmentConfig()
    assert defaults.add_name in registry.REGISTRY
    assert defaults.box == (0.3, 0.1, 0.7, 0.55)
    assert all(name in registry.REGISTRY for name in defaults.default_pipeline)
