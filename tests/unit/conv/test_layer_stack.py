"""lib.conv.layer_stack: the shape calculator against real PyTorch layers."""
import pytest
import torch

from lib.conv import layer_stack as ls
from lib.conv.layer_stack import layer_row as row


@pytest.mark.parametrize("name", list(ls.PRESETS))
def test_presets_match_a_real_forward_pass(name):
    shape, rows = ls.PRESETS[name]
    results = ls.analyse(rows, shape)
    assert not any(r.error for r in results)
    model = ls.build_model(rows, shape)
    x = torch.zeros(1, *shape)
    for layer, result in zip(model, results):
        x = layer(x)
        assert tuple(x.shape[1:]) == result.out_shape, result
    assert ls.total_params(results) == sum(p.numel() for p in model.parameters())


def test_lenet_numbers_from_the_tutorial():
    results = ls.analyse(ls.LENET, (1, 32, 32))
    shapes = [r.out_shape for r in results]
    assert shapes[0] == (6, 28, 28) and shapes[5] == (16, 5, 5) and shapes[6] == (400,) and shapes[-1] == (10,)
    assert ls.total_params(results) == 61706
    assert [r.receptive_field for r in results[:6]] == ["5x5", "5x5", "6x6", "14x14", "14x14", "16x16"]
    assert results[6].receptive_field == "whole input"


def test_cifar_cnn_flattens_to_1024():
    results = ls.analyse(ls.CIFAR_CNN, (3, 32, 32))
    assert results[9].out_shape == (1024,) and results[-1].out_shape == (10,)


def test_receptive_field_of_stacked_3x3_convs():
    rows = [row("Conv2d", out=4, kernel=3, padding=1)] * 3  # three 3x3 convs see 7x7, like one 7x7
    assert ls.analyse(rows, (1, 16, 16))[-1].receptive_field == "7x7"
    rows = [row("Conv2d", out=4, kernel=3, stride=2), row("Conv2d", out=4, kernel=3)]
    assert ls.analyse(rows, (1, 16, 16))[-1].receptive_field == "7x7"  # 3 + (3-1)*2


def test_wrong_linear_in_features_is_flagged_with_the_fix():
    results = ls.analyse(ls.LENET, (1, 28, 28))  # MNIST size into the 32x32 LeNet
    bad = results[-1]
    assert bad.layer == "Linear" and bad.out_shape is None
    assert "in_features is 400" in bad.error and "set in to 256" in bad.error
    assert len(results) == 8  # nothing after the broken layer


@pytest.mark.parametrize("rows,message", [
    ([row("Conv2d", out=4, kernel=9)], "padded input has only 8"),            # kernel larger than input
    ([row("Conv2d", 3, 4, 3)], "in_channels is 3 but the input has 1"),       # wrong in_channels
    ([row("Linear", out=4)], "add a Flatten"),                                # Linear on an image
    ([row("Flatten"), row("Conv2d", out=4, kernel=3)], "before Flatten"),     # conv on a flat vector
    ([row("Conv2d", out=4, kernel=3, stride=0)], "stride must be at least 1"),
    ([row("MaxPool2d", kernel=2, padding=2)], "at most half"),
    ([row("Conv2d", kernel=3)], "needs out"),
    ([row("Dropout")], "Unknown layer"),
])
def test_broken_layers(rows, message):
    results = ls.analyse(rows, (1, 8, 8))
    assert message in results[-1].error


def test_pool_stride_defaults_to_kernel_and_empty_rows_are_skipped():
    rows = [row("MaxPool2d", kernel=2), {"layer": None}, row("AvgPool2d", kernel=3, stride=float("nan"))]
    results = ls.analyse(rows, (2, 12, 12))
    assert [r.out_shape for r in results] == [(2, 6, 6), (2, 2, 2)]


def test_layer_row_fills_the_table_columns():
    assert row("Conv2d", 1, 6, 5) == {"layer": "Conv2d", "in": 1, "out": 6, "kernel": 5, "stride": None,
                                      "padding": None}
    assert set(ls.COLUMN_MIN) == set(ls.COLUMNS[1:])  # every number column has its smallest value
