"""lib.tensors.display: the panels a heat-map draws keep every value, in order, with the right labels."""
import math

import torch

from lib.tensors import display


def test_panels_for_every_rank():
    for shape, count in [((), 1), ((4,), 1), ((2, 3), 1), ((2, 3, 4), 2), ((2, 2, 3, 4), 4)]:
        values, labels = display.panels(torch.arange(math.prod(shape)).reshape(shape))
        assert values.shape[0] == len(labels) == count
        assert values.reshape(-1).tolist() == list(range(math.prod(shape)))  # order is preserved
    assert display.panels(torch.zeros(2, 3, 4, 5))[1][-1] == "x[1, 2, :, :]"


def test_grid_prints_floats_with_decimals_and_ints_without():
    assert display.grid(torch.tensor([[0.5, 2.0]])).text.tolist() == [[["0.50", "2.00"]]]
    assert display.grid(torch.tensor([[3, 4]])).text.tolist() == [[["3", "4"]]]


def test_grid_highlight_colours_only_the_picked_cells():
    g = display.grid(torch.arange(4).reshape(2, 2), highlight=torch.tensor([[True, False], [False, True]]))
    assert g.colour.tolist() == [[[1, 0], [0, 1]]] and g.values.tolist() == [[[0, 1], [2, 3]]]


def test_changed_and_histogram_helpers():
    assert display.changed(torch.tensor([1.0, 5.0]), torch.tensor([1.0, 2.0])).tolist() == [0, 1]
    assert display.flat_values(torch.ones(2, 3)).shape == (6,)
    assert not display.worth_a_histogram(torch.ones(2, dtype=torch.bool))
    assert display.short_repr(torch.zeros(2000)) is None and "tensor" in display.short_repr(torch.zeros(2))
