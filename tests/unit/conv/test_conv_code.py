"""lib.conv.code: every generated script runs (through tests.helpers.run_script) and reproduces the page."""
import pytest
import torch
from PIL import Image

from lib.common import vgg
from lib.conv import code, filters, image_ops, kernels, layer_stack, pooling, window
from tests.helpers import run_script


@pytest.mark.parametrize("op", ["conv", "max", "avg"])
def test_window_code_reproduces_the_page(op, tmp_path):
    kernel = kernels.preset_kernel("sharpen") if op == "conv" else None
    khw = (3, 3) if op == "conv" else (2, 2)
    ns = run_script(code.window_code(6, 4, op, khw, 2, 1, 1, kernel), tmp_path).namespace
    grid = window.random_grid(6, 4)[0]
    expected = window.steps_to_grid(window.sliding_steps(grid, khw, op, 2, 1, 1, kernel))
    torch.testing.assert_close(ns["x"][0, 0], grid)
    torch.testing.assert_close(ns["out"][0, 0], expected)


def test_image_conv_and_pool_code_reproduce_the_page(tmp_path, make_image):
    big = make_image(40, 60)
    big.save(tmp_path / "photo.png")
    image = Image.open(tmp_path / "photo.png").convert("RGB")
    image.thumbnail((32, 32), Image.Resampling.LANCZOS)
    x = image_ops.image_to_tensor(image, grey=False)
    settings = image_ops.ConvSettings(stride=2, padding="valid", padding_mode="replicate", dilation=2, groups=3,
                                      bias=0.1)
    kernel = kernels.preset_kernel("emboss")
    ns = run_script(code.image_conv_code(kernel, settings, False, "photo.png", 32), tmp_path).namespace
    torch.testing.assert_close(ns["out"], image_ops.apply_conv(x, kernel, settings))
    pool = pooling.PoolSettings("avg", 3, 2, 1, True)
    ns = run_script(code.pool_code(pool, False, "photo.png", 32), tmp_path).namespace
    torch.testing.assert_close(ns["out"], pooling.apply_pool(x, pool))
    torch.testing.assert_close(ns["unpooled"], pooling.max_unpool(x, 3, 2)[2])


def test_an_uploaded_file_name_with_quotes_stays_a_string(tmp_path, make_image):
    name = 'my "cat" \\ photo.png'  # upload names are user input: they must not break (or inject) code
    make_image(12, 16).save(tmp_path / name)
    run = run_script(code.pool_code(pooling.PoolSettings(), True, name, 32), tmp_path)
    assert run.namespace["x"].shape == (1, 1, 12, 16) and "input (1, 1, 12, 16) -> (1, 1, 6, 8)" in run.stdout


def test_vgg_code_reproduces_the_page(tmp_path, make_image):
    make_image(40, 60).save(tmp_path / "photo.png")
    ns = run_script(code.vgg_code("conv2_1", "photo.png", 32), tmp_path).namespace
    image = filters.resize_for_vgg(Image.open(tmp_path / "photo.png"), 32)
    x = image_ops.image_to_tensor(image, grey=False)
    expected = vgg.load_vgg19_features("conv2_1").extract(x, ["conv2_1"])["conv2_1"]
    assert ns["maps"].shape == (1, 128, 10, 16)
    torch.testing.assert_close(ns["maps"], expected)
    assert ns["kernels"].shape == (64, 3, 3, 3)


# ----------------------------------------------------------------------------- layer stack

def test_stack_code_runs_and_prints_the_shapes(tmp_path):
    shape, rows = layer_stack.PRESETS["cifar"]
    run = run_script(code.stack_code(rows, shape), tmp_path)
    assert "Flatten    -> (1024,)" in run.stdout and "parameters: 553514" in run.stdout
    assert tuple(run.namespace["x"].shape) == (1, 10)


def test_stack_code_stops_before_the_broken_layer(tmp_path):
    run = run_script(code.stack_code(layer_stack.LENET, (1, 28, 28)), tmp_path)
    assert "Flatten    -> (256,)" in run.stdout
