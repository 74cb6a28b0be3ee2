"""lib/image_classifier/recipes.py: every preset's recipe, and the case studies' recipes reproduced exactly."""
import pytest
import torch
from torch import nn

from lib.common.settings import check
from lib.image_classifier import models as M
from lib.image_classifier import recipes as R
from lib.image_classifier import training as T

# The first case study, as its code reads: nn.Linear(784, 128) -> sigmoid -> nn.Linear(128, 10), CrossEntropyLoss
# on raw scores, optim.SGD(lr=0.01, weight_decay=1e-6, momentum=0.9, nesterov=True), batch 256, 10 epochs.
TUTORIAL_MLP = {"layers": [(nn.Linear, 784, 128), (nn.Sigmoid,), (nn.Linear, 128, 10)], "loss": nn.CrossEntropyLoss,
                "optimizer": torch.optim.SGD, "lr": 0.01, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-6,
                "batch_size": 256, "epochs": 10}


def _layers(model: nn.Sequential) -> list[tuple]:
    """The model's layers without the Flatten, as (type, in, out) for Linear and (type,) otherwise."""
    return [(type(m), m.in_features, m.out_features) if isinstance(m, nn.Linear) else (type(m),)
            for m in model if not isinstance(m, nn.Flatten)]


def test_the_first_case_study_is_reproduced_exactly():
    r = R.recipe("mlp_sigmoid")
    model = M.build(r.spec, (1, 28, 28), 10)
    assert _layers(model) == TUTORIAL_MLP["layers"]
    assert type(T.loss_function(r.spec)) is TUTORIAL_MLP["loss"]
    opt = T.make_optimizer(model, r.train)
    group = opt.param_groups[0]
    assert type(opt) is TUTORIAL_MLP["optimizer"]
    assert {k: group[k] for k in ("lr", "momentum", "nesterov", "weight_decay")} == \
        {k: TUTORIAL_MLP[k] for k in ("lr", "momentum", "nesterov", "weight_decay")}
    assert (r.train.batch_size, r.train.epochs, r.train.schedule) == (256, 10, "constant")
    assert r.note and r.differs  # it says where it comes from and how it differs from the default


def test_every_recipe_is_selectable_with_the_widgets():
    """The recipe's values lie within the widgets' ranges (weight decay 1e-6 included), so the page can show them."""
    assert set(R.RECIPES) == set(M.PRESETS) and set(M.PRESET_TITLES) == set(M.PRESETS)
    for name, r in R.RECIPES.items():
        check(r.train)
        check(M.preset_settings(r.spec))
        assert M.spec_from_settings(r.spec, M.preset_settings(r.spec)) == r.spec, name  # widgets rebuild it


def test_the_default_preset_trains_with_the_page_defaults():
    assert R.recipe(M.DEFAULT_PRESET).train == T.TrainConfig() and R.recipe("nonsense") == R.recipe(M.DEFAULT_PRESET)


def test_the_fast_cnn_uses_batch_norm_and_one_cycle():
    r = R.recipe("fast_cnn")
    model = M.build(r.spec, (1, 28, 28), 10)
    assert sum(isinstance(m, nn.BatchNorm2d) for m in model) == 3 and r.train.schedule == "onecycle"
    assert R.recipe("mnist_cnn").train.schedule == "constant"  # the plain recipe, kept for comparison
    assert r.note and r.differs


@pytest.mark.parametrize("preset, optimizer, lr", [
    ("mlp_sigmoid", "sgd", 0.01),   # the recipe's own optimizer: its rate
    ("mlp_sigmoid", "adam", 1e-3),  # switched to Adam: Adam's default rate, the rest of the recipe kept
    ("fast_cnn", "adam", 3e-3),
    ("fast_cnn", "sgd", 0.03),
])
def test_train_defaults_follow_the_recipe_and_the_optimizer(preset, optimizer, lr):
    t = R.train_defaults(preset, optimizer)
    assert (t.optimizer, t.lr, t.batch_size) == (optimizer, lr, R.recipe(preset).train.batch_size)
    check(t)
