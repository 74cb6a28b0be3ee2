"""lib/playground.py: data sets, model spec, training step, views and the generated code."""
from __future__ import annotations

import math
import warnings
from dataclasses import replace

import numpy as np
import pytest
import torch

from lib.playground import code, config, data, model, training, views
from tests.helpers import run_script

CPU = torch.device("cpu")
D = config.PlaygroundConfig()


def weights(run: training.Run) -> list[torch.Tensor]:
    return [p.detach().clone() for p in run.model.parameters()]


def same(a: list[torch.Tensor], b: list[torch.Tensor]) -> bool:
    return all(torch.equal(x, y) for x, y in zip(a, b, strict=True))


# ---------------------------------------------------------------- data

@pytest.mark.parametrize("name", list(data.DATASETS))
def test_datasets_deterministic_per_seed(name):
    cfg = replace(D, dataset=name)
    a, b, c = training.make_data(cfg), training.make_data(cfg), training.make_data(replace(cfg, data_seed=1))
    assert torch.equal(a.xy_train, b.xy_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.xy_train, c.xy_train)


@pytest.mark.parametrize("name", list(data.DATASETS))
def test_datasets_shapes_split_and_balance(name):
    cfg = replace(D, dataset=name, n_points=200, test_fraction=0.25)
    data = training.make_data(cfg)
    assert data.xy_train.shape == (150, 2) and data.xy_test.shape == (50, 2)
    labels = torch.cat([data.y_train, data.y_test])
    assert torch.bincount(labels).tolist() == [100, 100]  # two balanced classes by default
    assert torch.cat([data.xy_train, data.xy_test]).abs().max() < 8  # inside the plane shown (+ noise)


def test_classic_clouds_are_centred_on_plus_minus_two():
    data = training.make_data(replace(D, n_points=2000, noise=0.0))
    centre0 = data.xy_train[data.y_train == 0].mean(0)
    centre1 = data.xy_train[data.y_train == 1].mean(0)
    torch.testing.assert_close(centre0, torch.tensor([2.0, 2.0]), atol=0.15, rtol=0)
    torch.testing.assert_close(centre1, torch.tensor([-2.0, -2.0]), atol=0.15, rtol=0)


@pytest.mark.parametrize("name,expected", [("spiral", 3), ("gaussian", 3), ("xor", 2), ("moons", 2)])
def test_class_count_only_where_the_data_set_allows_it(name, expected):
    cfg = replace(D, dataset=name, n_classes=3)
    data = training.make_data(cfg)
    assert data.n_classes == expected == int(torch.cat([data.y_train, data.y_test]).max()) + 1
    assert bool(config.notes(cfg)) == (expected == 2)  # a note explains an ignored class count


def test_xor_labels_follow_the_sign_of_xy_without_noise():
    data = training.make_data(replace(D, dataset="xor", noise=0.0))
    expected = (data.xy_train[:, 0] * data.xy_train[:, 1] > 0).long()
    assert torch.equal(data.y_train, expected)


def test_featurize_values():
    xy = torch.tensor([[1.0, 2.0], [-0.5, 3.0]])
    out = data.featurize(xy, ("x", "y", "x²", "y²", "xy", "sin x", "sin y"))
    expected = torch.tensor([[1, 2, 1, 4, 2, math.sin(1), math.sin(2)],
                             [-0.5, 3, 0.25, 9, -1.5, math.sin(-0.5), math.sin(3)]])
    torch.testing.assert_close(out, expected)


# ---------------------------------------------------------------- training works on every data set

SEPARABLE = [  # (data set, a suitable network, steps, accuracy reached at data_seed 0)
    ("gaussian", dict(hidden_layers=0), 200, 0.97),                       # linear suffices
    ("circles", dict(hidden_layers=2, width=8, activation="tanh", lr=0.03, batch_size=10), 800, 0.95),
    ("xor", dict(hidden_layers=2, width=8, activation="tanh", lr=0.03, batch_size=10), 800, 0.95),
    ("moons", dict(hidden_layers=2, width=8, activation="tanh", lr=0.03, batch_size=10), 800, 0.95),
    ("spiral", dict(hidden_layers=3, width=16, activation="tanh", optimizer="Adam", lr=0.01, noise=0.1), 1200, 0.93),
]


@pytest.mark.parametrize("name,spec,steps,acc", SEPARABLE, ids=[s[0] for s in SEPARABLE])
def test_each_data_set_is_separable_by_a_suitable_network(name, spec, steps, acc):
    run = training.new_run(replace(D, dataset=name, **spec), CPU)
    start = run.history[-1]["train_loss"]
    list(training.train(run, steps, record_every=steps))
    assert run.history[-1]["train_acc"] >= acc
    assert run.history[-1]["train_loss"] < min(start, 0.35)


def test_linear_model_on_xor_trains_but_cannot_separate_and_says_so():
    cfg = replace(D, dataset="xor", hidden_layers=0)
    assert any("linear" in n for n in config.notes(cfg))
    run = training.new_run(cfg, CPU)
    list(training.train(run, 200, record_every=200))
    assert math.isfinite(run.history[-1]["train_loss"]) and run.history[-1]["train_acc"] < 0.8
    assert not config.notes(replace(cfg, features=("x", "y", "xy")))  # xy makes it linearly separable


def test_reproducible_run_with_dropout_and_batch_norm():
    cfg = replace(D, hidden_layers=2, dropout=0.2, batch_norm=True, optimizer="Adam", lr=0.01)
    a, b = training.new_run(cfg, CPU), training.new_run(cfg, CPU)
    list(training.train(a, 25)), list(training.train(b, 25))
    assert same(weights(a), weights(b)) and a.history == b.history
    c = training.new_run(replace(cfg, weight_seed=1), CPU)
    assert not same(weights(training.new_run(cfg, CPU)), weights(c))


def test_reset_gives_the_same_initial_weights():
    cfg = replace(D, hidden_layers=3, width=8)
    run = training.new_run(cfg, CPU)
    start = weights(run)
    list(training.train(run, 10))
    assert not same(start, weights(run))
    assert same(start, weights(training.new_run(cfg, CPU)))


def test_default_init_bounds_match_nn_linear():
    run = training.new_run(replace(D, hidden_layers=2, width=16), CPU)
    for layer in run.model:
        if isinstance(layer, torch.nn.Linear):
            assert layer.weight.abs().max() <= 1 / math.sqrt(layer.in_features)


def test_changing_lr_mid_run_keeps_weights_and_uses_the_new_rate():
    run = training.new_run(D, CPU)
    list(training.train(run, 20))
    before, step = weights(run), run.step
    assert training.apply_settings(run, replace(D, lr=0.3)) == []
    assert same(before, weights(run)) and run.step == step
    assert run.optimizer.param_groups[0]["lr"] == 0.3
    training.train_step(run)  # plain SGD: the update is exactly lr * gradient
    assert run.last["update_norm"] == pytest.approx(0.3 * run.last["grad_norm"], rel=1e-4)


def test_switching_optimizer_keeps_weights_with_a_note():
    run = training.new_run(D, CPU)
    list(training.train(run, 5))
    before = weights(run)
    notes = training.apply_settings(run, replace(D, optimizer="Adam", lr=0.01))
    assert isinstance(run.optimizer, torch.optim.Adam) and notes
    assert same(before, weights(run))


def test_apply_settings_refuses_an_architecture_change():
    run = training.new_run(D, CPU)
    with pytest.raises(ValueError, match="new run"):
        training.apply_settings(run, replace(D, width=3))


def test_batches_cover_every_training_point_once_per_epoch():
    run = training.new_run(replace(D, n_points=100, test_fraction=0.2, batch_size=20), CPU)
    seen = torch.cat([training.next_batch(run) for _ in range(4)])
    assert sorted(seen.tolist()) == list(range(80))


@pytest.mark.parametrize("kind", model.LOSSES)
def test_loss_functions_match_their_formulas(kind):
    logits = torch.tensor([[2.0, -1.0], [0.5, 0.3]])
    target = torch.tensor([0, 1])
    expected = (-torch.log_softmax(logits, 1)[[0, 1], target].mean() if kind == "cross-entropy"
                else ((logits - torch.tensor([[1.0, 0.0], [0.0, 1.0]])) ** 2).mean())
    torch.testing.assert_close(model.loss_fn(logits, target, kind), expected)


def test_l1_penalty_is_the_sum_of_absolute_weights_without_biases():
    run = training.new_run(replace(D, hidden_layers=2), CPU)
    expected = sum(m.weight.abs().sum() for m in run.model if isinstance(m, torch.nn.Linear))
    torch.testing.assert_close(model.l1_penalty(run.model), expected)


def test_seeded_dropout_scales_kept_units_and_is_identity_in_eval():
    layer = model.SeededDropout(0.5, torch.Generator().manual_seed(0))
    out = layer(torch.ones(1000))
    assert set(out.unique().tolist()) == {0.0, 2.0}
    layer.eval()
    assert torch.equal(layer(torch.ones(5)), torch.ones(5))


def test_too_high_learning_rate_is_detected_as_divergence():
    run = training.new_run(replace(D, lr=10.0, hidden_layers=3, width=16), CPU)
    list(training.train(run, 30, record_every=10))
    assert training.diverged(run)


@pytest.mark.parametrize("change,message", [
    (dict(features=()), "at least one input feature"),
    (dict(batch_norm=True, batch_size=1), "Batch norm needs at least 2"),
    (dict(dropout=1.0), "Dropout"),
    (dict(dataset="nope"), "Unknown data set"),
    (dict(hidden_layers=7), "0 to 6 hidden layers"),
    (dict(n_points=10, test_fraction=0.9), "at least 2 training points"),  # 1 train point
    (dict(test_fraction=0.95), "test fraction between"),
])
def test_validate_explains_settings_that_cannot_work(change, message):
    with pytest.raises(ValueError, match=message):
        config.validate(replace(D, **change))


# ---------------------------------------------------------------- views

def test_batched_boundary_matches_the_point_by_point_reference():
    run = training.new_run(replace(D, hidden_layers=2, features=("x", "y", "sin x")), CPU)
    probs = views.boundary(run, 12)
    assert probs.shape == (12, 12, 2)
    np.testing.assert_allclose(probs, views.boundary_naive(run, 12), atol=1e-6)
    np.testing.assert_allclose(probs.sum(-1), 1, atol=1e-6)


def test_boundary_orientation_rows_are_y_columns_are_x():
    run = training.new_run(D, CPU)
    list(training.train(run, 100))
    probs = views.boundary(run, 21)
    assert probs[20, 20, 0] > 0.9 and probs[0, 0, 1] > 0.9  # class 0 top-right (2, 2), class 1 bottom-left


def test_boundary_rgb_of_a_diverged_model_is_grey():
    probs = np.full((2, 3, 2), np.nan, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "invalid value encountered in cast"
        rgb = views.boundary_rgb(probs)
    assert rgb.dtype == np.uint8 and (rgb == 128).all()


def test_boundary_rgb_is_white_where_unsure_and_class_coloured_where_sure():
    probs = np.array([[[0.5, 0.5], [1.0, 0.0], [0.0, 1.0]]])
    rgb = views.boundary_rgb(probs)
    assert rgb.dtype == np.uint8 and rgb.shape == (1, 3, 3)
    assert rgb[0, 0].tolist() == [255, 255, 255]
    assert rgb[0, 1].tolist() == views.PALETTE[0].astype(int).tolist()
    assert rgb[0, 2].tolist() == views.PALETTE[1].astype(int).tolist()


def test_neuron_maps_follow_the_layers_and_match_a_manual_forward():
    run = training.new_run(replace(D, hidden_layers=2, width=5, activation="tanh", features=("x", "y", "xy")), CPU)
    maps = views.neuron_maps(run, 6)
    assert [(n, m.shape) for n, m in maps] == [("inputs", (3, 6, 6)), ("hidden 1", (5, 6, 6)), ("hidden 2", (5, 6, 6))]
    _, pts = views.grid_points(6)
    with torch.no_grad():
        h1 = torch.tanh(run.model[0](data.featurize(pts, run.cfg.features)))  # (36, 5)
    np.testing.assert_allclose(maps[1][1][:, 2, 4], h1[2 * 6 + 4].numpy(), atol=1e-6)  # row y=2, column x=4


def test_neuron_mosaic_tiles_each_map_scaled_to_unit_range():
    maps = [("inputs", np.ones((2, 4, 4))), ("hidden 1", np.arange(48, dtype=float).reshape(3, 4, 4) - 20)]
    mosaic, names = views.neuron_mosaic(maps, gap=1)
    assert mosaic.shape == (9, 14) and names == ["inputs", "hidden 1"]
    assert np.isnan(mosaic[4]).all()  # the gap row between the layers
    assert np.nanmax(np.abs(mosaic)) == 1.0
    np.testing.assert_allclose(mosaic[5:9, 0:4], np.ones((4, 4)))  # inputs are the bottom row of tiles


def test_diagram_has_one_edge_per_weight():
    run = training.new_run(replace(D, hidden_layers=2, width=4, features=("x", "y", "x²")), CPU)
    dia = views.diagram(run.model, run.cfg.features, 2)
    assert len(dia.nodes) == 3 + 4 + 4 + 2
    assert len(dia.edges) == 3 * 4 + 4 * 4 + 4 * 2
    assert dia.edges[1][4] == pytest.approx(run.model[0].weight[0, 1].item())  # input y -> h1.0


def test_softmax_steps_agree_with_torch():
    run = training.new_run(replace(D, dataset="spiral", n_classes=3), CPU)
    s = views.softmax_at(run, (1.0, -2.0))
    logits = run.model(data.featurize(torch.tensor([[1.0, -2.0]]), run.cfg.features))[0].detach().double()
    np.testing.assert_allclose(s["logits"], logits.numpy(), rtol=1e-6)
    np.testing.assert_allclose(s["probs"], torch.softmax(logits, 0).numpy(), rtol=1e-9)
    assert s["probs"].sum() == pytest.approx(1.0) and s["exp"].max() == pytest.approx(1.0)


# ---------------------------------------------------------------- generated code

CODE_CASES = [  # each runs the generated script and compares with the lib's own run
    dict(),                                                                    # the classic
    dict(dataset="moons", hidden_layers=2, dropout=0.1, batch_norm=True, l1=0.001, loss="MSE on one-hot"),
    dict(dataset="spiral", n_classes=3, optimizer="Adam", features=("x", "y", "sin x", "xy"), l2=0.001),
    dict(dataset="circles", hidden_layers=0, optimizer="RMSprop", momentum=0.5, features=("x²", "y²")),
    dict(dataset="xor", optimizer="SGD", momentum=0.9, nesterov=True, activation="GELU", batch_size=1000),
    dict(n_points=210, noise=0.0, test_fraction=0.05, batch_size=200),        # the tutorial preset: full batch
]


@pytest.mark.parametrize("change", CODE_CASES)
def test_generated_code_reproduces_the_run(change, tmp_path):
    cfg = replace(D, **change)
    run = training.new_run(cfg, CPU)
    list(training.train(run, 15, record_every=15))
    script = code.code(cfg, steps=15)
    ns = run_script(script, tmp_path, "playground.py").namespace
    assert ns["loss"].item() == pytest.approx(run.last["loss"], rel=1e-5)
    assert ns["test_acc"] == pytest.approx(run.history[-1]["test_acc"])
    for mine, theirs in zip(run.model.parameters(), ns["model"].parameters(), strict=True):
        torch.testing.assert_close(mine, theirs)
    assert "optimizer.zero_grad()" in script and "loss.backward()" in script



def test_points_by_class_splits_every_point_once():
    run = training.new_run(replace(D, dataset="spiral", n_classes=3, n_points=90), CPU)
    groups = views.points_by_class(run)
    assert [(s, k) for s, k, _ in groups] == [(s, k) for s in ("train", "test") for k in range(3)]
    assert sum(len(p) for _, _, p in groups) == 90
    for split, k, pts in groups:
        xy, y = (run.data.xy_train, run.data.y_train) if split == "train" else (run.data.xy_test, run.data.y_test)
        np.testing.assert_array_equal(pts, xy[y == k].numpy())


def test_parameter_count_matches_the_layer_formula():
    run = training.new_run(replace(D, hidden_layers=2, width=8, batch_norm=True), CPU)
    # Linear(2, 8) + BN(8) + Linear(8, 8) + BN(8) + Linear(8, 2): weights + biases, BN's gamma and beta
    assert views.parameter_count(run.model) == (2 * 8 + 8) + 16 + (8 * 8 + 8) + 16 + (8 * 2 + 2)


def test_every_default_lies_in_its_declared_range():
    from lib.common.settings import check, spec
    check(D)
    assert spec(D, "lr").options[0] < D.lr < spec(D, "lr").options[-1]
    with pytest.raises(ValueError, match="hidden layers"):
        check(replace(D, hidden_layers=9))
