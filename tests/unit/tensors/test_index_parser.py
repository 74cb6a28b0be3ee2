"""lib.tensors.index_parser: valid text matches Python indexing, invalid text gives a sentence."""
import pytest
import torch

from lib.tensors.index_parser import Mask, apply_index, index_source, parse_index, selected_cells

X = torch.arange(24).reshape(4, 6)


@pytest.mark.parametrize("text, expected", [
    ("[:, 1]", X[:, 1]),                       # a column
    ("[1:3, ::2]", X[1:3, ::2]),               # rows 1-2, every other column
    ("[..., 0]", X[..., 0]),                   # ellipsis fills the missing dims
    ("[-1]", X[-1]),                           # negative index from the end
    ("[None, 2]", X[None, 2]),                 # None inserts a size-1 dim
    ("[x > 17]", X[X > 17]),                   # boolean mask from a comparison
    ("[x == 5]", X[X == 5]),
    ("[[0, 3], 1:4]", X[[0, 3], 1:4]),         # integer list (advanced indexing)
    ("[[True, False, True, False]]", X[torch.tensor([True, False, True, False])]),
    ("1:3, 0", X[1:3, 0]),                     # brackets are optional
    ("[:-1, 2:]", X[:-1, 2:]),
    ("[1:5:2,]", X[1:5:2]),                     # trailing comma
    ("[]", X[()]),                             # empty index: the whole tensor
])
def test_valid_index_matches_python(text, expected):
    assert torch.equal(apply_index(X, text), expected)


@pytest.mark.parametrize("text, words", [
    ("[6]", "out of bounds"),                  # PyTorch's own message, wrapped
    ("[1, 2, 3]", "too many indices"),
    ("[::0]", "positive step"),
    ("[::-1]", "positive step"),
    ("[1.5]", "whole numbers"),
    ("[a]", "Expected"),
    ("[__import__('os')]", "understand `\\(`"),        # no names, no calls: nothing is evaluated
    ("[1", "ends too early"),
    ("[1]]", "after the closing"),
    ("[x >]", "number"),
    ("[x + 1]", "understand `\\+`"),
    ("[[0, True]]", "mix"),
    ("[;]", "understand `;`"),
    ("", "Type an index"),
    ("[" + "1," * 200 + "]", "longer than"),
])
def test_invalid_index_gives_readable_error(text, words):
    with pytest.raises(ValueError, match=words):
        apply_index(X, text)


def test_parse_items():
    assert parse_index("[1:3, ::2, ..., None, x >= 2.5]") == (
        slice(1, 3, None), slice(None, None, 2), Ellipsis, None, Mask(">=", 2.5))


def test_index_source_round_trips():
    for text in ["[1:3, ::2]", "[..., 0]", "[None, -1]", "[:, 1:5:2]"]:
        assert index_source(parse_index(text)) == text
    assert index_source(parse_index("[x > 5]")) == "[(x > 5)]"


@pytest.mark.parametrize("text", ["[1:3, ::2]", "[:, 1]", "[x > 10]", "[[0, 2]]", "[..., -1]", "[None, 0]"])
def test_selected_cells_are_exactly_the_values_read(text):
    picked = selected_cells(X, text)
    assert picked.shape == X.shape
    # X holds 0..23, so the values read are the flat positions of the cells read
    assert sorted(X[picked].tolist()) == sorted(set(apply_index(X, text).reshape(-1).tolist()))
