"""lib/augment.py: registry, pipeline building, seeded sampling, JSON, code export, normalise, boxes."""
from __future__ import annotations

import json
import runpy
import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image
from torchvision.transforms import v2

from lib import augment as aug

CPU = torch.device("cpu")


# The required catalogue.
REQUIRED = [
    "Resize", "CenterCrop", "Pad", "RandomCrop", "RandomResizedCrop", "RandomHorizontalFlip", "RandomVerticalFlip",
    "RandomRotation", "RandomAffine", "RandomPerspective", "ColorJitter", "Grayscale", "RandomGrayscale",
    "GaussianBlur", "RandomInvert", "RandomPosterize", "RandomSolarize", "RandomAdjustSharpness",
    "RandomAutocontrast", "RandomEqualize", "ElasticTransform", "RandomErasing", "AutoAugment", "RandAugment",
    "TrivialAugmentWide", "AugMix",
]


def _image(h: int = 96, w: int = 128, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed)
    smooth = torch.rand(3, h // 8, w // 8, generator=g)
    x = F.interpolate(smooth[None], size=(h, w), mode="bilinear")[0]  # (3, h/8, w/8) -> (3, H, W)
    return (x * 255).to(torch.uint8)


def _steps(*items: tuple[str, dict]) -> list[aug.Step]:
    return [aug.Step(name, {**aug.REGISTRY[name].defaults(), **params}) for name, params in items]


# ---------------------------------------------------------------- registry


@pytest.mark.parametrize("name", REQUIRED)
def test_required_transform_in_registry(name):
    assert name in aug.REGISTRY
    assert aug.REGISTRY[name].doc


def test_coverage_check_lists_nothing_missing_for_installed_torchvision():
    assert aug.uncovered_transforms() == [], "new transforms.v2 classes: add them to REGISTRY or NOT_PREVIEWED"
    assert set(aug.REGISTRY).isdisjoint(aug.NOT_PREVIEWED)


def test_coverage_check_notices_a_new_class(monkeypatch):
    class Sparkle(v2.Transform):
        pass

    monkeypatch.setattr(v2, "Sparkle", Sparkle, raising=False)
    assert aug.uncovered_transforms() == ["Sparkle"]


def test_pad_offers_all_four_modes():
    assert aug.REGISTRY["Pad"].param("padding_mode").options == ("constant", "edge", "reflect", "symmetric")
    assert aug.REGISTRY["AutoAugment"].param("policy").options == ("IMAGENET", "CIFAR10", "SVHN")


@pytest.mark.parametrize("spec", aug.REGISTRY.values(), ids=list(aug.REGISTRY))
def test_defaults_are_valid_widget_values(spec):
    for p in spec.params:
        assert p.validate(p.default) == (tuple(p.default) if p.kind == "pair" else p.default)


@pytest.mark.parametrize("name", list(aug.REGISTRY))
def test_every_transform_runs_with_defaults_on_uint8(name):
    built = aug.build_pipeline([aug.Step.default(name)])
    draws = aug.sample(_image(224, 232), built, 2, seed=0)
    assert built.errors == {} and draws.errors == {}
    assert all(d.dtype == torch.uint8 and d.shape[0] == 3 for d in draws.outputs)


@pytest.mark.parametrize("name", list(aug.REGISTRY))
def test_step_code_builds_the_same_transform(name):
    step = aug.Step.default(name)
    namespace: dict = {}
    exec(f"import torch\nfrom torchvision.transforms import v2\nt = {aug.step_code(step)}", namespace)
    assert repr(namespace["t"]) == repr(aug.build_transform(step, faster=False))
    assert isinstance(aug.build_transform(step), type(namespace["t"]))  # the page's class is v2's or a subclass


@pytest.mark.parametrize("mode,numpy_mode", [
    ("constant", "constant"),   # zeros (fill=0)
    ("edge", "edge"),           # repeat the border pixel
    ("reflect", "reflect"),     # mirror without repeating the border
    ("symmetric", "symmetric"),  # mirror including the border
])
def test_pad_modes_match_numpy(mode, numpy_mode):
    x = _image(8, 10)
    built = aug.build_pipeline(_steps(("Pad", {"padding": 3, "padding_mode": mode, "fill": 0})))
    out = aug.sample(x, built, 1, 0).outputs[0]
    expected = np.pad(x.numpy(), ((0, 0), (3, 3), (3, 3)), mode=numpy_mode)
    np.testing.assert_array_equal(out.numpy(), expected)


# ---------------------------------------------------------------- sampling


def _reference(x: torch.Tensor, steps: list[aug.Step], n: int, seed: int) -> list[torch.Tensor]:
    """What the exported code does: one Compose, draw i seeded with seed + i."""
    pipeline = v2.Compose([aug.build_transform(s) for s in steps if s.enabled])
    outs = []
    with torch.random.fork_rng():
        for i in range(n):
            torch.manual_seed(seed + i)
            outs.append(pipeline(x))
    return outs


MIXED = [("Resize", {"size": 80}), ("RandomResizedCrop", {"size": 64}), ("Grayscale", {}),
         ("RandomHorizontalFlip", {}), ("ColorJitter", {}), ("CenterCrop", {"size": 48}), ("Pad", {"padding": 2})]


def test_sample_equals_plain_compose_per_seed_despite_batching():
    steps = _steps(*MIXED)
    draws = aug.sample(_image(), aug.build_pipeline(steps), 5, seed=3)
    for got, want in zip(draws.outputs, _reference(_image(), steps, 5, 3), strict=True):
        torch.testing.assert_close(got.as_subclass(torch.Tensor), want.as_subclass(torch.Tensor), rtol=0, atol=0)


def test_same_seed_same_grid_other_seed_other_grid():
    built = aug.build_pipeline(_steps(*MIXED))
    a, b, c = (aug.sample(_image(), built, 4, seed=s).outputs for s in (7, 7, 8))
    assert all(torch.equal(x, y) for x, y in zip(a, b))
    assert not all(torch.equal(x, y) for x, y in zip(a, c))
    assert not torch.equal(a[0], a[1])  # draws inside one grid differ too


def test_global_rng_is_left_untouched():
    before = torch.get_rng_state()
    aug.sample(_image(), aug.build_pipeline(_steps(*MIXED)), 3, seed=1)
    assert torch.equal(before, torch.get_rng_state())


def test_concurrent_sessions_get_their_own_grids():
    built = aug.build_pipeline(_steps(("RandomRotation", {}), ("RandomErasing", {"p": 1.0})))
    serial = {s: aug.sample(_image(), built, 3, s).outputs for s in range(3)}
    results: dict[int, list] = {}

    def work(s: int) -> None:
        for _ in range(2):
            results[s] = aug.sample(_image(), built, 3, s).outputs

    threads = [threading.Thread(target=work, args=(s,)) for s in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for s in range(3):
        assert all(torch.equal(x, y) for x, y in zip(results[s], serial[s]))


def test_step_by_step_ends_in_the_grid_draw():
    steps = _steps(*MIXED)
    built = aug.build_pipeline(steps)
    draws = aug.sample(_image(), built, 4, seed=2)
    frames = aug.step_by_step(_image(), built, seed=2, index=3)
    assert [i for i, _ in frames] == list(range(len(steps)))
    assert torch.equal(frames[-1][1], draws.outputs[3])
    assert frames[0][1].shape[-2:] == (80, 106)  # Resize(80): shorter side 80, ratio kept


def test_disabled_step_is_skipped():
    steps = _steps(("RandomVerticalFlip", {"p": 1.0}))
    steps[0].enabled = False
    assert torch.equal(aug.sample(_image(), aug.build_pipeline(steps), 1, 0).outputs[0], _image())


# ---------------------------------------------------------------- bad parameter combinations


def test_build_error_is_reported_and_the_rest_still_runs():
    steps = _steps(("GaussianBlur", {"kernel_size": 4}), ("RandomHorizontalFlip", {"p": 1.0}))
    built = aug.build_pipeline(steps)
    assert "odd and positive" in built.errors[0]
    assert torch.equal(aug.sample(_image(), built, 1, 0).outputs[0], _image().flip(-1))


def test_crop_larger_than_image_is_reported_and_passed_through():
    steps = _steps(("RandomCrop", {"size": 500}), ("RandomVerticalFlip", {"p": 1.0}))
    draws = aug.sample(_image(), aug.build_pipeline(steps), 2, 0)
    assert "larger than input image size" in draws.errors[0]
    assert torch.equal(draws.outputs[1], _image().flip(-2))


@pytest.mark.parametrize("name,params,message", [
    ("ColorJitter", {"brightness": (1.4, 0.6)}, "brightness values should be between"),  # torchvision's check
    ("RandomResizedCrop", {"scale": (0.9, 0.2)}, "scale: the minimum (0.9) is larger than the maximum (0.2)"),
    ("RandomRotation", {"degrees": (30.0, -30.0)}, "degrees: the minimum (30) is larger"),
])
def test_min_above_max_is_explained(name, params, message):
    built = aug.build_pipeline(_steps((name, params)))
    assert message in built.errors[0]


# ---------------------------------------------------------------- JSON


def test_json_round_trip():
    steps = _steps(*MIXED) + _steps(("AutoAugment", {"policy": "SVHN"}))
    steps[1].enabled = False
    assert aug.from_json(aug.to_json(steps)) == steps


def test_json_bare_list_and_missing_params_take_defaults():
    (step,) = aug.from_json('[{"name": "RandomRotation", "params": {"degrees": [-5, 5]}}]')
    assert step.params == {**aug.REGISTRY["RandomRotation"].defaults(), "degrees": (-5.0, 5.0)}


@pytest.mark.parametrize("text,message", [
    ("{not json", "not valid JSON"),                                          # syntax error
    ("[" * 50_000 + "]" * 50_000, "nested far too deeply"),                   # parser stack
    ('{"steps": []}', "a list of transforms"),                                # wrong top-level key
    ('[{"name": "Sharpen"}]', "Step 1: unknown transform 'Sharpen'"),         # unknown transform
    ('[{"name": "Pad", "params": {"pading": 3}}]', "unknown parameter(s) pading"),  # typo in a parameter
    ('[{"name": "Pad", "params": {"padding": 9999}}]', "between 0 and 512"),  # out of range
    ('[{"name": "Pad", "params": {"padding_mode": "wrap"}}]', "must be one of"),  # not an option
    ('[{"name": "ColorJitter", "params": {"hue": 0.1}}]', "must be a pair"),  # wrong shape
    ('[{"name": "Resize", "params": {"antialias": "yes"}}]', "true or false"),  # wrong type
    ('[{"name": "Resize", "params": {"size": 10.5}}]', "whole number"),       # float for an int
    ("[42]", 'expected an object with a "name"'),
])
def test_bad_json_is_refused_with_a_message(text, message):
    with pytest.raises(ValueError, match=None) as info:
        aug.from_json(text)
    assert message in str(info.value)


# ---------------------------------------------------------------- code export


def test_exported_code_reproduces_the_page_grid(tmp_path, monkeypatch):
    image = _image(120, 160)
    Image.fromarray(image.permute(1, 2, 0).numpy()).save(tmp_path / "photo.png")  # (3, H, W) -> (H, W, 3)
    steps = _steps(*MIXED, ("GaussianBlur", {"kernel_size": 4}), ("RandomErasing", {"p": 1.0}))
    steps[3].enabled = False
    built = aug.build_pipeline(steps)
    code = aug.export_code(steps, seed=11, n=4, build_errors=built.errors)
    assert "# v2.RandomHorizontalFlip(p=0.5),  # switched off" in code
    assert "rejected: Kernel size value should be an odd" in code
    (tmp_path / "export.py").write_text(code)
    monkeypatch.chdir(tmp_path)
    namespace = runpy.run_path(str(tmp_path / "export.py"))
    page = aug.sample(image, built, 4, seed=11).outputs
    for got, want in zip(namespace["draws"], page, strict=True):
        assert torch.equal(got.as_subclass(torch.Tensor), want.as_subclass(torch.Tensor))
    assert (tmp_path / "draw_3.png").exists()


# ---------------------------------------------------------------- normalise


def test_normalise_matches_formula_and_stats():
    x01 = aug.to_float(_image())
    torch.testing.assert_close(x01, _image().float() / 255)
    mean, std = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
    out = aug.normalise(x01, mean, std)
    torch.testing.assert_close(out, (x01 - torch.tensor(mean)[:, None, None]) / torch.tensor(std)[:, None, None])
    (m0, s0), (m1, s1) = aug.channel_stats(x01), aug.channel_stats(out)
    for c in range(3):
        assert m1[c] == pytest.approx((m0[c] - mean[c]) / std[c], abs=1e-5)
        assert s1[c] == pytest.approx(s0[c] / std[c], abs=1e-5)


def test_own_statistics_give_mean_zero_std_one():
    x01 = aug.to_float(_image())
    m, s = aug.channel_stats(aug.normalise(x01, *aug.channel_stats(x01)))
    assert m == pytest.approx([0, 0, 0], abs=1e-5) and s == pytest.approx([1, 1, 1], abs=1e-4)


def test_normalise_refuses_zero_std():
    with pytest.raises(ValueError, match="positive"):
        aug.normalise(aug.to_float(_image()), (0.5,) * 3, (0.5, 0.0, 0.5))


def test_histograms_count_every_pixel():
    x = aug.to_float(_image())
    centres, counts = aug.channel_histograms(x, 32)
    assert centres.shape == (32,) and counts.shape == (3, 32)
    assert counts.sum(1).tolist() == [x[0].numel()] * 3


# ---------------------------------------------------------------- boxes and masks


def test_box_and_mask_follow_a_flip():
    image = _image(100, 200)
    s = aug.boxed_sample(image, (0.1, 0.2, 0.4, 0.6))
    assert s["boxes"].tolist() == [[20, 20, 80, 60]]
    out = aug.sample(s, aug.build_pipeline(_steps(("RandomHorizontalFlip", {"p": 1.0}))), 1, 0).outputs[0]
    assert out["boxes"].tolist() == [[120, 20, 180, 60]]  # x -> W - x
    assert torch.equal(out["mask"], s["mask"].flip(-1))
    assert torch.equal(out["image"], image.flip(-1))
    assert aug.draw_annotations(out).shape == (3, 100, 200)


def test_box_unsupported_by_autoaugment_is_reported():
    s = aug.boxed_sample(_image(), aug.AugmentConfig().box)
    draws = aug.sample(s, aug.build_pipeline(_steps(("AutoAugment", {}))), 1, 0)
    assert "not supported by AutoAugment" in draws.errors[0]


def test_bad_box_is_refused():
    with pytest.raises(ValueError, match="x0 < x1"):
        aug.boxed_sample(_image(), (0.5, 0.1, 0.2, 0.9))


def test_json_file_is_plain_json():
    data = json.loads(aug.to_json(aug.default_pipeline()))
    assert [s["name"] for s in data["pipeline"]] == list(aug.AugmentConfig().default_pipeline)


def test_step_summary_names_the_first_parameters():
    step = aug.Step("RandomResizedCrop", {**aug.REGISTRY["RandomResizedCrop"].defaults(), "size": 64})
    assert aug.step_summary(step) == "size=64, scale=(0.08, 1.0), ratio=(0.75, 1.3333), …"
    assert aug.step_summary(aug.Step.default("RandomChannelPermutation")) == ""
