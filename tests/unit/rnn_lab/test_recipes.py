"""lib.rnn_lab.recipes: each preset holds its tutorial's literal settings, and the page's SGD is its update."""
from dataclasses import fields, replace

import pytest
import torch

from lib.common.samples import NAMES_DIR
from lib.common.settings import spec
from lib.rnn_lab import config, recipes, training as T
from lib.rnn_lab import data as D
from lib.rnn_lab.letters import N_LETTERS, line_to_tensor
from lib.rnn_lab.models import HandRNN


def test_the_names_preset_is_the_classic_char_rnn_recipe():
    cfg = recipes.names_recipe("tutorial").cfg
    # the tutorial's literals: n_hidden = 128, learning_rate = 0.005, the hand-built RNN class, manual
    # `p.data.add_(p.grad.data, alpha=-learning_rate)`, one randomTrainingExample per step, n_iters = 100000
    assert (cfg.cell, cfg.hidden_size, cfg.lr, cfg.optimizer, cfg.batch_size) == (config.HAND, 128, 0.005, "sgd", 1)
    assert cfg.balancing == "sampling"  # a random language, then a random name of it
    n_train = len(D.split(D.load_names(NAMES_DIR), cfg.val_fraction, cfg.seed)[0])
    steps = recipes.tutorial_steps(n_train, cfg)
    assert steps == cfg.epochs * n_train == 97_164  # the note says so
    assert abs(steps - recipes.TUTORIAL_ITERATIONS) < n_train / 2  # the nearest whole number of epochs
    assert "97,164" in recipes.names_recipe("tutorial").note and "16,194" in recipes.names_recipe("tutorial").note
    data = D.load_names(NAMES_DIR)
    lines = sum(1 for p in NAMES_DIR.glob("*.txt") for line in p.read_text(encoding="utf-8").splitlines()
                if line.strip())
    assert f"all {lines:,} lines of the files ({len(data.names):,} once duplicates" in \
        recipes.names_recipe("tutorial").differs


def test_the_wave_preset_is_morvans_regressor():
    cfg = recipes.wave_recipe("tutorial").cfg
    # 403_RNN_regressor.py: torch.manual_seed(1), TIME_STEP = 10, LR = 0.02, nn.RNN(1, 32, num_layers=1),
    # Adam, `for step in range(60)`
    assert (cfg.cell, cfg.nonlinearity, cfg.hidden_size, cfg.num_layers) == ("RNN", "tanh", 32, 1)
    assert (cfg.seq_len, cfg.lr, cfg.steps, cfg.seed) == (10, 0.02, 60, 1)


@pytest.mark.parametrize("table, cls", [(recipes.WAVE_RECIPES, config.WaveConfig),
                                        (recipes.NAMES_RECIPES, config.NamesConfig)])
def test_every_preset_is_a_widget_option_and_its_values_fit_the_widgets(table, cls):
    assert tuple(table) == config.PRESETS
    assert table["default"].cfg == cls()
    for recipe in table.values():
        for f in fields(recipe.cfg):
            s = spec(recipe.cfg, f.name)
            if s.param:
                assert s.allows(getattr(recipe.cfg, f.name)), f.name  # a preset's value can be shown and linked
        assert recipe.note and recipe.title


def test_unknown_presets_fall_back_to_the_default():
    assert recipes.names_recipe("nope") is recipes.NAMES_RECIPES["default"]
    assert recipes.wave_recipe("nope") is recipes.WAVE_RECIPES["default"]


def test_plain_sgd_is_the_tutorials_hand_written_update():
    cfg = recipes.NAMES_TUTORIAL
    model = T.make_classifier(cfg, 18)
    hand = HandRNN(N_LETTERS, cfg.hidden_size, 18)
    hand.load_state_dict(model.hand.state_dict())
    # the page's step: CrossEntropyLoss on the cell's log-probabilities, SGD
    letters, lengths = torch.tensor([[ord(c) % N_LETTERS for c in "Abe"]]), torch.tensor([3])
    line = torch.nn.functional.one_hot(letters[0], N_LETTERS).float().view(3, 1, N_LETTERS)
    optimizer = T.make_optimizer(cfg, model)
    loss = torch.nn.CrossEntropyLoss()(model(letters, lengths), torch.tensor([4]))
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    # the tutorial's step: NLLLoss, then p.data.add_(p.grad.data, alpha=-learning_rate)
    hidden = hand.init_hidden()
    for t in range(line.size(0)):
        output, hidden = hand(line[t], hidden)
    nll = torch.nn.NLLLoss()(output, torch.tensor([4]))
    assert nll.item() == pytest.approx(loss.item(), abs=1e-6)
    nll.backward()
    for p in hand.parameters():
        p.data.add_(p.grad.data, alpha=-cfg.lr)
    for name, p in hand.named_parameters():
        torch.testing.assert_close(p, dict(model.hand.named_parameters())[name])
    assert isinstance(T.make_optimizer(config.NamesConfig(), model), torch.optim.Adam)
    assert line_to_tensor("Abe").shape == (3, 1, N_LETTERS)


def test_a_few_tutorial_steps_train_one_name_at_a_time():
    data = D.load_names(NAMES_DIR)
    run = T.new_run(replace(recipes.NAMES_TUTORIAL, max_batches=50, epochs=1), data)
    progress = list(T.train(run))
    assert len(progress) == 50 and len(run.losses) == 50 and run.val_accuracy  # one name per step, validated
    assert all(torch.isfinite(torch.tensor(run.losses)))


def test_long_loss_curves_become_bin_means():
    steps, values = T.binned([1.0, 2.0, 3.0], 10)
    assert steps == [1, 2, 3] and values == [1.0, 2.0, 3.0]
    steps, values = T.binned([float(i) for i in range(10)], 4)  # bins of 3: 0-2, 3-5, 6-8, 9
    assert steps == [3, 6, 9, 10] and values == [1.0, 4.0, 7.0, 9.0]


def test_the_default_notes_say_the_defaults():
    wave, names = config.WaveConfig(), config.NamesConfig()
    note = recipes.wave_recipe("default").note
    assert f"of {wave.hidden_size} units" in note and f"Adam at {wave.lr}" in note
    assert f"{wave.steps} windows of {wave.seq_len} time steps" in note
    note = recipes.names_recipe("default").note
    assert f"A {names.cell} of {names.hidden_size} units" in note and f"Adam at {names.lr}" in note
    assert f"{names.epochs} epochs" in note and f"batches of {names.batch_size}" in note
    assert f"{names.val_fraction:.0%} of the names" in note
