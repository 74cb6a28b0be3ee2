"""Presets: each section's fast default and the classic tutorial's own recipe, one click away.

Choosing a preset sets every widget of its section; each says where it comes from and how it differs from
the page's default, and why.
"""
from __future__ import annotations


from lib.common.messages import N_
from lib.common.recipes import Recipe, pick
from lib.rnn_lab.config import HAND, NamesConfig, WaveConfig

# MorvanZhou's PyTorch tutorial, 403_RNN_regressor.py: torch.manual_seed(1); TIME_STEP = 10; LR = 0.02;
# nn.RNN(input_size=1, hidden_size=32, num_layers=1, batch_first=True) and nn.Linear(32, 1) at every step;
# Adam, MSELoss; `for step in range(60)` windows of np.linspace(step*pi, (step+1)*pi, TIME_STEP), the hidden
# state carried over as `h_state.data`.
WAVE_TUTORIAL = WaveConfig(cell="RNN", hidden_size=32, num_layers=1, nonlinearity="tanh", seq_len=10, lr=0.02,
                           steps=60, seed=1)

# The char-RNN "classifying names" tutorial: n_hidden = 128 in the hand-built cell (i2h, i2o, LogSoftmax),
# learning_rate = 0.005 applied by hand (`p.data.add_(p.grad.data, alpha=-learning_rate)`: plain SGD),
# NLLLoss, one name per step drawn by `randomTrainingExample` (a random language, then a random name of it:
# class-balanced sampling with replacement), n_iters = 100000. Six epochs of 16,194 draws = 97,164 steps.
NAMES_TUTORIAL = NamesConfig(cell=HAND, hidden_size=128, optimizer="sgd", lr=0.005, batch_size=1, epochs=6,
                             balancing="sampling")
TUTORIAL_ITERATIONS = 100_000


WAVE_RECIPES: dict[str, Recipe[WaveConfig]] = {
    "default": Recipe(WaveConfig(), N_("Page default"), N_(
        "A plain `nn.RNN` of 32 units read by one `Linear(32, 1)` at every step, Adam at 0.02, 150 windows of "
        "20 time steps; the hidden state is carried from one window to the next.")),
    "tutorial": Recipe(WAVE_TUTORIAL, N_("Tutorial recipe (10 steps per window, 60 windows)"), N_(
        "MorvanZhou's PyTorch tutorial (`403_RNN_regressor.py`): `torch.manual_seed(1)`, `TIME_STEP = 10`, "
        "`LR = 0.02`, `nn.RNN(input_size=1, hidden_size=32, num_layers=1)` and `nn.Linear(32, 1)` at every "
        "step, Adam and `MSELoss`, 60 windows of `np.linspace(step*pi, (step+1)*pi, TIME_STEP)`, the hidden "
        "state carried over with `h_state.data`. Later versions of the script run 100 windows."), N_(
        "**How this differs from the default, and why.** The default reads each window at 20 points instead "
        "of 10 and trains on 150 windows instead of 60: the finer windows give the red curve more points to "
        "bend on, and the extra windows let it settle, so the fit at the end is closer to the cosine. Both "
        "take a few seconds.")),
}

NAMES_RECIPES: dict[str, Recipe[NamesConfig]] = {
    "default": Recipe(NamesConfig(), N_("Page default (fast)"), N_(
        "A GRU of 128 units on one-hot letters, Adam at 0.01, 3 epochs of length-sorted batches of 128 names, "
        "10% of the names held out to validate.")),
    "tutorial": Recipe(NAMES_TUTORIAL, N_("Tutorial recipe (hand-built cell, plain SGD, one name a step)"), N_(
        "The classic char-RNN tutorial \"Classifying names with a character-level RNN\": the hand-built cell "
        "with `n_hidden = 128`, `learning_rate = 0.005` applied by hand (`p.data.add_(p.grad.data, "
        "alpha=-learning_rate)`, which is plain SGD), `NLLLoss` on the cell's `LogSoftmax`, and one name per "
        "step, drawn as the tutorial's `randomTrainingExample` draws it: a random language, then a random "
        "name of it (here: weighted sampling). The tutorial runs 100,000 steps; scaled to whole epochs here: "
        "6 epochs of 16,194 draws = 97,164 steps, a few minutes on a CPU."), N_(
        "**How this differs from the default, and why.** The tutorial trains on every name and never "
        "checks itself; the page holds 10% out to measure accuracy, so it draws from 16,194 names instead of "
        "all 20,050 lines of the files (17,993 once duplicates are dropped). Its cell adds `tanh` to the hidden update (the 2017 tutorial's "
        "`i2h` was linear), so it equals `nn.RNN`. The page's loss, `CrossEntropyLoss`, applies "
        "`log_softmax` again to log-probabilities, which leaves them unchanged: it is the tutorial's "
        "`NLLLoss`. The default instead reads 128 names at a time with a GRU and Adam at 0.01: an epoch takes "
        "about a tenth of the classic loop's time (bench/rnn_lab.py), and the GRU's gates and Adam's per-weight steps reach higher accuracy in 3 epochs than plain SGD "
        "in 6.")),
}


def wave_recipe(preset: str) -> Recipe:
    """The recipe of a preset id (the default's for an unknown id: links are checked before this)."""
    return pick(WAVE_RECIPES, preset)


def names_recipe(preset: str) -> Recipe:
    """The recipe of a preset id (the default's for an unknown id: links are checked before this)."""
    return pick(NAMES_RECIPES, preset)


def tutorial_steps(n_train: int, cfg: NamesConfig = NAMES_TUTORIAL) -> int:
    """One-name steps the tutorial preset trains: `epochs` draws of the training split's size."""
    return cfg.epochs * -(-n_train // cfg.batch_size)

