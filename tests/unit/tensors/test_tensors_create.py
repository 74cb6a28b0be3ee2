"""lib.tensors.create: every factory against torch itself, and its generated code reproducing it."""
import math

import pytest
import torch

from lib.tensors import basics, code, create
from tests.helpers import run_script

ORACLES = {  # factory -> what torch gives for shape (2, 3), float32, seed 3, fill 7, low 0 high 10
    "ones": lambda: torch.ones(2, 3), "zeros": lambda: torch.zeros(2, 3), "full": lambda: torch.full((2, 3), 7.0),
    "rand": lambda: torch.rand(2, 3, generator=torch.Generator().manual_seed(3)),
    "randn": lambda: torch.randn(2, 3, generator=torch.Generator().manual_seed(3)),
    "randint": lambda: torch.randint(0, 10, (2, 3), generator=torch.Generator().manual_seed(3)).float(),
    "arange": lambda: torch.arange(6.0).reshape(2, 3), "linspace": lambda: torch.linspace(0, 1, 6).reshape(2, 3),
    "eye": lambda: torch.eye(2, 3), "tensor": lambda: torch.tensor([[0.0, 1, 2], [3, 4, 5]]),
    "as_tensor": lambda: torch.arange(6.0).reshape(2, 3), "ones_like": lambda: torch.ones(2, 3),
    "zeros_like": lambda: torch.zeros(2, 3), "full_like": lambda: torch.full((2, 3), 7.0),
    "new_ones": lambda: torch.ones(2, 3), "new_zeros": lambda: torch.zeros(2, 3), "new_full": lambda: torch.full((2, 3), 7.0),
    "rand_like": lambda: torch.rand(2, 3, generator=torch.Generator().manual_seed(3)),
    "randn_like": lambda: torch.randn(2, 3, generator=torch.Generator().manual_seed(3)),
}


def test_every_factory_has_an_oracle_or_is_uninitialised():
    assert set(create.FACTORIES) == set(ORACLES) | {"empty", "new_empty"}


@pytest.mark.parametrize("factory", list(ORACLES))
def test_create_matches_torch_and_code_reproduces_it(factory, cpu, tmp_path):
    spec = create.CreateSpec(factory=factory, shape=(2, 3), seed=3)
    x = create.create(spec, cpu).tensor
    torch.testing.assert_close(x, ORACLES[factory](), rtol=0, atol=0)
    torch.testing.assert_close(run_script(code.creation_code(spec), tmp_path).namespace["x"], x, rtol=0, atol=0)


@pytest.mark.parametrize("factory", ["empty", "new_empty"])
def test_empty_has_shape_and_dtype_only(factory, cpu, tmp_path):
    spec = create.CreateSpec(factory=factory, shape=(2, 3, 1), dtype="int16")
    x = create.create(spec, cpu).tensor
    y = run_script(code.creation_code(spec), tmp_path).namespace["x"]
    assert x.shape == y.shape == (2, 3, 1) and x.dtype == y.dtype == torch.int16


@pytest.mark.parametrize("dtype", list(basics.DTYPES))
@pytest.mark.parametrize("shape", [(), (5,), (2, 3), (1, 2, 3, 2, 2)])
def test_every_dtype_and_rank(dtype, shape, cpu, tmp_path):
    spec = create.CreateSpec(factory="full", shape=shape, dtype=dtype, fill_value=1)
    created = create.create(spec, cpu)
    assert created.tensor.dtype == basics.DTYPES[dtype] and tuple(created.tensor.shape) == shape
    assert created.facts["numel()"] == str(math.prod(shape)) and created.facts["dim()"] == str(len(shape))
    assert created.facts["bytes"].startswith(str(math.prod(shape) * basics.DTYPES[dtype].itemsize))
    assert torch.equal(run_script(code.creation_code(spec), tmp_path).namespace["x"], created.tensor)


def test_random_factories_are_seeded(cpu):
    a = create.create(create.CreateSpec(factory="randn", shape=(50,), seed=1), cpu).tensor
    b = create.create(create.CreateSpec(factory="randn", shape=(50,), seed=1), cpu).tensor
    c = create.create(create.CreateSpec(factory="randn", shape=(50,), seed=2), cpu).tensor
    assert torch.equal(a, b) and not torch.equal(a, c)


@pytest.mark.parametrize("factory, dtype, words", [
    ("randn", "int64", "not implemented"),   # PyTorch's own message
    ("rand", "bool", "not implemented"),
    ("arange", "bool", "not implemented"),
])
def test_invalid_dtype_combinations_give_value_error(factory, dtype, words, cpu):
    with pytest.raises(ValueError, match=words):
        create.create(create.CreateSpec(factory=factory, shape=(2, 2), dtype=dtype), cpu)


def test_eye_needs_a_matrix_shape(cpu):
    with pytest.raises(ValueError, match="eye"):
        create.create(create.CreateSpec(factory="eye", shape=(2, 2, 2)), cpu)


def test_as_tensor_shares_only_when_dtype_matches(cpu):
    shared = create.create(create.CreateSpec(factory="as_tensor", shape=(2, 3), dtype="int64"), cpu)
    copied = create.create(create.CreateSpec(factory="as_tensor", shape=(2, 3), dtype="float32"), cpu)
    assert shared.shares_source and shared.tensor.data_ptr() == shared.source.ctypes.data
    assert not copied.shares_source and copied.tensor.data_ptr() != copied.source.ctypes.data


def test_a_spec_defaults_to_the_page_defaults():
    from lib.tensors.config import TensorConfig
    cfg, spec = TensorConfig(), create.CreateSpec()
    assert (spec.factory, spec.dtype, spec.seed, spec.fill_value, spec.low, spec.high, spec.start, spec.end) == (
        cfg.factory, cfg.dtype, cfg.seed, cfg.fill_value, cfg.low, cfg.high, cfg.start, cfg.end)
    assert spec.shape == basics.parse_shape(cfg.shape)
