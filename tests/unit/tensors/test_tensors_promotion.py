"""lib.tensors.promotion: the dtype `a + b` gets, as PyTorch computes it, and the page's sentence about it.

Issue 23.6: the page once said "between tensors the wider type wins", which `uint8 + int8 -> int16`
disproves. The sentence now quotes `rule_sentence()`; these tests tie its example to PyTorch.
"""
import pytest
import torch

from lib.tensors import code, promotion
from tests.helpers import run_script


@pytest.mark.parametrize("da, db, kind, expected", [
    ("int32", "float16", "tensor", "float16"),    # float beats int, whatever the width
    ("int8", "int64", "tensor", "int64"),         # same category: the wider one holds both
    ("uint8", "int8", "tensor", "int16"),         # ...or neither does: the smallest that holds both
    ("int8", "int64", "scalar", "int8"),          # a Python int does not widen
    ("int8", "float64", "scalar", "float32"),     # a Python float makes it the default float
    ("int8", "int64", "zero_dim", "int8"),        # a 0-dim tensor of the same category does not widen
    ("int8", "float64", "zero_dim", "float64"),   # ...of a higher category it does
    ("bool", "uint8", "tensor", "uint8"),
    ("float16", "bfloat16", "tensor", "float32"),
])
def test_promotion_and_code(da, db, kind, expected, tmp_path):
    p = promotion.promotion(da, db, kind)
    assert p.result == p.sum_dtype == expected
    assert str(run_script(code.promotion_code(da, db, kind), tmp_path).namespace["y"].dtype) == f"torch.{expected}"


def test_the_rule_example_is_neither_operands_type():
    """The sentence's example: uint8 + int8 is int16 - the 'wider type' (both are 1 byte) cannot explain it."""
    p = promotion.rule_example()
    assert (p.a, p.b, p.result) == ("uint8", "int8", "int16") and p.is_neither
    assert torch.promote_types(torch.uint8, torch.int8) == torch.int16
    assert promotion.promote_types(p.a, p.b) == p.result
    assert torch.uint8.itemsize == torch.int8.itemsize  # no operand is wider than the other


def test_the_sentence_quotes_what_pytorch_computes():
    values = promotion.rule_sentence()
    a, b = torch.ones(2, dtype=getattr(torch, values["a"])), torch.ones(2, dtype=getattr(torch, values["b"]))
    assert str((a + b).dtype) == f"torch.{values['result']}"
    x = torch.ones(2, dtype=torch.int8)
    assert str((x + 2).dtype) == f"torch.{values['with_int']}" and str((x + 2.5).dtype) == f"torch.{values['with_float']}"


def test_rule_cases_each_show_one_step():
    cases = promotion.rule_cases()
    assert len(cases) == len(promotion.RULE_CASES)
    assert [c.is_neither for c in cases][:4] == [True, False, False, True]
    assert all(c.result == c.sum_dtype for c in cases)


def test_promotion_facts_describe_the_operands():
    facts = promotion.promotion_facts(promotion.promotion("int8", "float64", "scalar"))
    assert facts["b"] == "Python float 2.5" and facts["torch.result_type(a, b)"] == "float32"
    assert facts["category of b"] == "floating point" and facts["category of a"] == "integer"


def test_the_code_prints_promote_types(tmp_path):
    run = run_script(code.promotion_code("uint8", "int8"), tmp_path)
    assert run.namespace["rule"] == torch.int16 and "uint8 with int8 -> torch.int16" in run.stdout


@pytest.mark.parametrize("name, result, equal", [
    ("int8: 127 + 1", "-128", "False"), ("uint8: 0 - 1", "255", "False"),
    ("float16: 2048 + 1", "2048", "False"), ("bfloat16: 256 + 1", "256", "False"),
    ("float32: 16777216 + 1", "16777216", "False"), ("int16: 32767 + 1", "-32768", "False"),
])
def test_overflow_and_rounding(name, result, equal, tmp_path):
    dtype, value, step = promotion.OVERFLOW_EXAMPLES[name]
    out = promotion.overflow(dtype, value, step)
    assert out["torch result"] == result and out["equal"] == equal
    y = run_script(code.overflow_code(dtype, value, step), tmp_path).namespace["y"]
    assert str(y.item()).rstrip("0").rstrip(".") == result
