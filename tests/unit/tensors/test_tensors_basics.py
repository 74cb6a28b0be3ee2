"""lib.tensors.basics: shapes parsed or refused in a sentence, the memory budget checked before allocating."""
import pytest
import torch

from lib.common.messages import LearnerError
from lib.tensors import basics, create


@pytest.mark.parametrize("text, shape", [
    ("3, 4", (3, 4)), ("", ()), ("()", ()), ("(2, 3, 4)", (2, 3, 4)), ("2x3", (2, 3)),
    ("1,2,3,4,5", (1, 2, 3, 4, 5)), ("0, 3", (0, 3)), ("7", (7,)),
])
def test_parse_shape(text, shape):
    assert basics.parse_shape(text) == shape


@pytest.mark.parametrize("text, words", [
    ("1,2,3,4,5,6", "rank 5"), ("3, -1", "negative"), ("3, a", "whole numbers"), ("2.5", "whole numbers"),
    ("nan", "whole numbers"), ("<b>1</b>", "whole numbers"),
])
def test_parse_shape_rejects(text, words):
    with pytest.raises(LearnerError, match=words):
        basics.parse_shape(text)


def test_parse_shape_caps_the_elements_drawn():
    with pytest.raises(ValueError, match="at most 720"):
        basics.parse_shape("30, 30", max_numel=720)


def test_parse_ints_allows_negatives_and_refuses_words():
    assert basics.parse_ints("4, -1") == (4, -1) and basics.parse_ints("") == ()
    with pytest.raises(LearnerError, match="whole numbers"):
        basics.parse_ints("4, x")


def test_memory_budget_refuses_before_allocating(cpu):
    with pytest.raises(ValueError, match="budget"):
        create.create(create.CreateSpec(factory="ones", shape=(100000, 100000)), cpu)  # 40 GB: must not be tried
    with pytest.raises(ValueError, match="budget"):
        create.create(create.CreateSpec(factory="zeros", shape=(1024, 1024, 9), dtype="float64"), cpu,
                      max_bytes=2**26)
    basics.check_budget((1024, 1024, 8), torch.float64, 2**26)  # exactly 64 MiB is allowed


def test_human_bytes():
    assert basics.human_bytes(512) == "512 B"
    assert basics.human_bytes(1536) == "1.5 KiB"
    assert basics.human_bytes(64 * 2**20) == "64.0 MiB"


def test_errors_keep_their_template_for_translation():
    with pytest.raises(LearnerError) as caught:
        basics.parse_shape("1,2,3,4,5,6")
    assert caught.value.message.template == "This page goes up to rank {most}; {text} has rank {rank}."
    assert caught.value.message.params["rank"] == 6


def test_torch_error_wraps_pytorchs_first_line():
    error = basics.torch_error(RuntimeError("shape mismatch\nmore detail"), "add")
    assert str(error) == "PyTorch cannot add: `shape mismatch`"  # PyTorch's own words, as code
