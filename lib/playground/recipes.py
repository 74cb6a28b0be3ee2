"""Presets: the page's default and the classic classification tutorial's own recipe, one click away.

Choosing a preset sets every data, model and training widget; each says where it comes from and how it
differs from the default, and why.
"""
from __future__ import annotations

from dataclasses import dataclass

from lib.common.messages import N_
from lib.common.recipes import DEFAULT_PRESET, Recipe, pick
from lib.common.settings import setting
from lib.playground.config import PlaygroundConfig

# MorvanZhou's PyTorch tutorial, 302_classification.py: n_data = torch.ones(100, 2);
# x0 = torch.normal(2 * n_data, 1) (class 0), x1 = torch.normal(-2 * n_data, 1) (class 1): 200 points;
# Net(n_feature=2, n_hidden=10, n_output=2) with F.relu; torch.optim.SGD(net.parameters(), lr=0.02);
# CrossEntropyLoss; `for t in range(100)` steps on all 200 points at once. The page's smallest test split
# is 5%, so 210 points leave the tutorial's 200 to train on, in one batch of 200.
TUTORIAL = PlaygroundConfig(dataset="gaussian", n_points=210, noise=0.0, test_fraction=0.05, n_classes=2,
                            features=("x", "y"), hidden_layers=1, width=10, activation="ReLU", dropout=0.0,
                            batch_norm=False, optimizer="SGD", lr=0.02, momentum=0.0, nesterov=False,
                            batch_size=200, l1=0.0, l2=0.0, loss="cross-entropy")
TUTORIAL_STEPS = 100  # one press of "+100 steps"
VIEW_FIELDS = ("steps_per_frame", "point_x", "point_y")  # how it is shown, not what is trained: kept as set


RECIPES: dict[str, Recipe] = {
    "default": Recipe(PlaygroundConfig(), N_("Page default"), N_(
        "Two Gaussian clouds with a little extra noise (400 points, 30% kept aside to test), one hidden layer "
        "of 10 ReLU neurons, plain SGD at 0.02 on mini-batches of 32, cross-entropy.")),
    "tutorial": Recipe(TUTORIAL, N_("Tutorial recipe (200 points, full batch, 100 steps)"), N_(
        "MorvanZhou's PyTorch classification tutorial (`302_classification.py`): 100 points drawn with "
        "`torch.normal(2, 1)` around (2, 2) as class 0 and 100 around (-2, -2) as class 1, `Net(n_feature=2, "
        "n_hidden=10, n_output=2)` with ReLU, `torch.optim.SGD(lr=0.02)`, `CrossEntropyLoss`, and 100 steps "
        "on all 200 points at once: press **⏩ +100 steps** once. The tutorial tests nothing; the page keeps "
        "its smallest test split (5%) aside, so it draws 210 points to leave the tutorial's 200 for "
        "training."), N_(
        "**How this differs from the default, and why.** The default adds noise (std 0.3 on top of the "
        "clouds' 1), so that the clouds overlap a little and the test accuracy has something to say, keeps "
        "30% of 400 points to test, and trains on mini-batches of 32: each step is cheaper and noisier, and "
        "one pass over the data makes 9 updates instead of 1, so the boundary settles in fewer passes.")),
}


@dataclass(frozen=True)
class PresetChoice:
    """The preset picker's setting (its link name)."""

    preset: str = setting(DEFAULT_PRESET, options=tuple(RECIPES), param="preset")


def recipe(preset: str) -> Recipe:
    """The recipe of a preset id (the default's for an unknown id: links are checked before this)."""
    return pick(RECIPES, preset)