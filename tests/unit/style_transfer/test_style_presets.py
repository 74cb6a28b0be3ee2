"""lib/style_transfer/presets.py: the tutorial preset reproduces the classic recipe; every preset is selectable."""
from dataclasses import fields

import pytest
import torch
import torch.nn.functional as F

from lib.common.settings import check
from lib.common.vgg import IMAGENET
from lib.style_transfer import presets as P
from lib.style_transfer.config import STYLE_LAYER_WEIGHTS, STYLE_LAYERS, StyleConfig
from lib.style_transfer.losses import Objective, forward_features
from lib.style_transfer.optimise import make_optimizer, make_space

# The classic case study, as its code reads: target = content.clone(); Adam([target], lr=0.003) on
# ImageNet-normalised images; gram = F @ F.t() (no normalisation); style loss per layer =
# w * mean((G - A)^2) / (c*h*w); total = 1 * content MSE at conv4_2 + 1e6 * style; no TV; one scale.
RECIPE = {"init": "content", "optimizer": torch.optim.Adam, "lr": 0.003, "content_weight": 1.0, "style_weight": 1e6,
          "content_layer": "conv4_2", "style_layers": dict(zip(STYLE_LAYERS, STYLE_LAYER_WEIGHTS))}


def recipe_loss(features, image01, content01, style01) -> torch.Tensor:
    """The recipe's objective written out from its own terms (its Gram, its division, its weights)."""
    names = [RECIPE["content_layer"], *RECIPE["style_layers"]]
    feats = lambda img: forward_features(features.layers, features.normalization.apply(img), names)
    gram = lambda f: f[0].reshape(f.shape[1], -1) @ f[0].reshape(f.shape[1], -1).T
    x, c, s = feats(image01), feats(content01), feats(style01)
    content = F.mse_loss(x[RECIPE["content_layer"]], c[RECIPE["content_layer"]])
    style = sum(w * torch.mean((gram(x[n]) - gram(s[n])) ** 2) / x[n][0].numel()
                for n, w in RECIPE["style_layers"].items())
    return RECIPE["content_weight"] * content + RECIPE["style_weight"] * style


def test_the_tutorial_preset_optimises_the_recipes_objective(features, pair):
    cfg = P.TUTORIAL
    objective = Objective(features, cfg)
    image = (pair[0] * 0.7 + pair[1] * 0.3)  # some picture between the two
    ours = objective.losses(image, objective.targets(*pair))["total"].item()
    assert ours == pytest.approx(recipe_loss(features, image, *pair).item(), rel=1e-4)


def test_the_tutorial_preset_steps_like_the_recipe(features, pair):
    cfg = P.TUTORIAL
    space = make_space(cfg, Objective(features, cfg))
    x = space.to_var(pair[0]).requires_grad_(True)
    torch.testing.assert_close(x, IMAGENET.apply(pair[0]))  # the recipe's normalised pixel space
    opt = make_optimizer(x, cfg, space)
    assert type(opt) is RECIPE["optimizer"] and opt.param_groups[0]["lr"] == RECIPE["lr"]
    assert (cfg.init, cfg.coarse_to_fine, cfg.tv_weight, space.clamp) == (RECIPE["init"], False, 0.0, False)
    assert dict(zip(cfg.style_layers, cfg.layer_weights)) == RECIPE["style_layers"]


def test_every_preset_is_selectable_with_the_widgets():
    for name, preset in P.PRESETS.items():
        check(preset.config)  # 1e6, lr 0.003 and TV 0 lie within the widgets' ranges
        preset.config.validate()
        assert preset.config.preset == name and preset.title and preset.note
    assert P.preset("fast").config == StyleConfig() and P.preset("nonsense") == P.PRESETS["fast"]
    assert P.PRESETS["tutorial"].differs  # the recipe says how the default differs from it, and why


def test_presets_differ_only_in_the_technique_and_objective_weights():
    differ = {f.name for f in fields(StyleConfig) if getattr(P.FAST, f.name) != getattr(P.TUTORIAL, f.name)}
    assert differ == {"preset", "space", "lr", "gram", "style_ratio", "tv_weight", "coarse_to_fine", "steps"}
