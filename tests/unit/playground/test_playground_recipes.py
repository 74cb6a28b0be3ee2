"""lib.playground.recipes: the tutorial preset holds 302_classification.py's literal settings."""
import math
from dataclasses import replace

import torch

from lib.common.settings import spec
from lib.playground import config, recipes, training
from lib.playground.config import PlaygroundConfig


def test_the_tutorial_preset_is_morvans_classifier():
    cfg = recipes.recipe("tutorial").cfg
    # Net(n_feature=2, n_hidden=10, n_output=2) with F.relu; SGD(lr=0.02); CrossEntropyLoss
    assert (cfg.features, cfg.hidden_layers, cfg.width, cfg.activation, cfg.n_classes) == (("x", "y"), 1, 10, "ReLU", 2)
    assert (cfg.optimizer, cfg.lr, cfg.momentum, cfg.l1, cfg.l2, cfg.loss) == ("SGD", 0.02, 0.0, 0.0, 0.0,
                                                                              "cross-entropy")
    assert (cfg.dropout, cfg.batch_norm) == (0.0, False)
    # torch.normal(+-2 * ones(100, 2), 1): two clouds of std 1 around (2, 2) and (-2, -2), 200 points trained on
    assert cfg.dataset == "gaussian" and cfg.noise == 0.0 and config.n_train(cfg) == 200 == cfg.batch_size
    assert recipes.TUTORIAL_STEPS == 100


def test_the_tutorial_data_are_the_tutorials_clouds():
    run = training.new_run(recipes.TUTORIAL, torch.device("cpu"))
    x = torch.cat([run.data.xy_train, run.data.xy_test])
    y = torch.cat([run.data.y_train, run.data.y_test])
    for label, centre in ((0, 2.0), (1, -2.0)):
        cloud = x[y == label]
        assert torch.allclose(cloud.mean(0), torch.full((2,), centre), atol=0.35)  # ~100 points: se 0.1
        assert math.isclose(cloud.std().item(), 1.0, abs_tol=0.15)
    assert run.x_train.shape[0] == 200


def test_every_preset_fits_the_widgets():
    assert recipes.recipe("default").cfg == PlaygroundConfig() and recipes.recipe("nope") is recipes.RECIPES["default"]
    for r in recipes.RECIPES.values():
        config.validate(r.cfg)
        assert not config.notes(r.cfg)  # no "cannot work well" note for a tutorial's own recipe
        for name in PlaygroundConfig.__dataclass_fields__:
            s = spec(r.cfg, name)
            value = getattr(r.cfg, name)
            if s.param:  # a multiselect's value is a tuple of options
                assert all(map(s.allows, value)) if isinstance(value, tuple) else s.allows(value), name
        assert r.note and r.title


def test_the_default_note_says_the_defaults():
    cfg, note = PlaygroundConfig(), recipes.recipe("default").note
    assert f"({cfg.n_points} points, {cfg.test_fraction:.0%} kept aside" in note
    assert f"{cfg.hidden_layers} hidden layer of {cfg.width} {cfg.activation} neurons" in note.replace("one", "1")
    assert f"plain {cfg.optimizer} at {cfg.lr} on mini-batches of {cfg.batch_size}" in note
    steps_per_pass = -(-config.n_train(cfg) // cfg.batch_size)
    assert f"makes {steps_per_pass} updates instead of 1" in recipes.recipe("tutorial").differs


def test_the_tutorial_differs_from_the_default_in_the_data_and_batch_only():
    # what the "how this differs" note names, and nothing else (test_playground's code cases run this one)
    assert recipes.TUTORIAL == replace(PlaygroundConfig(), n_points=210, noise=0.0, test_fraction=0.05,
                                       batch_size=200)
