"""lib.tensors.bridge: NumPy and torch share memory both ways, copies stay, and a link's edits are checked."""
import numpy as np
import pytest
import torch

from lib.tensors import bridge, code
from tests.helpers import run_script


def test_bridge_shares_both_ways_and_copies_stay(cpu, tmp_path):
    b = bridge.bridge(3, 4, [(0, 1, 100.0)], (2, 3, -5.0), cpu)
    assert b.shared[0, 1] == 100 and b.copied[0, 1] == 1       # NumPy edit: shared sees it, copy does not
    assert b.array[2, 3] == -5 and b.copied[2, 3] == 11        # tensor edit: NumPy sees it
    assert b.moved is b.shared                                  # .to("cpu") on a CPU tensor is itself
    ns = run_script(code.bridge_code(3, 4, [(0, 1, 100.0)], (2, 3, -5.0)), tmp_path).namespace
    assert np.array_equal(ns["array"], b.array) and torch.equal(ns["copied"], b.copied)
    assert torch.equal(ns["shared"], b.shared)


def test_views_mark_the_changed_cells(cpu):
    b = bridge.bridge(3, 4, [(0, 1, 100.0)], None, cpu)
    marks = {name: changed for name, _t, changed in b.views()}
    assert marks["shared: from_numpy"][0, 1] == 1 and marks["copied: torch.tensor"].sum() == 0
    assert int(marks["array (NumPy)"].sum()) == 1


def test_cell_edits():
    base = np.arange(6, dtype=np.float32).reshape(2, 3)
    edited = base.astype(object)
    edited[1, 2] = 42
    assert bridge.cell_edits(base, edited) == [(1, 2, 42.0)]
    assert bridge.cell_edits(base, base.copy()) == []
    edited[0, 0] = None
    with pytest.raises(ValueError, match="empty"):
        bridge.cell_edits(base, edited)
    with pytest.raises(ValueError, match="shape"):
        bridge.cell_edits(base, base[:1])


def test_edits_round_trip_through_the_table():
    base = bridge.start_array(3, 4)
    edits = [(0, 1, 100.0), (2, 3, -5.5)]
    assert bridge.cell_edits(base, bridge.apply_edits(base, edits)) == edits


@pytest.mark.parametrize("value, ok", [
    ([[0, 1, 100.0]], True),
    ([], True),
    ([[3, 0, 1.0]], False),            # row 3 of a 3-row array
    ([[0, 1]], False),                 # not a triple
    ([[0.5, 1, 2]], False),            # not a whole row number
    ([[0, 1, 1e300]], False),          # too big to show
    ([[0, 1, 10**400]], False),        # an integer no float holds
    ([[0, 1, True]], False),           # not a number
    ({"0": 1}, False),                 # not a list
    ([[0, 0, 1]] * 13, False),         # more edits than cells
    ("<script>", False),
])
def test_valid_edits_guards_a_links_value(value, ok):
    assert bridge.valid_edits(value, 3, 4) is ok


def test_bridge_rejects_cells_outside(cpu):
    with pytest.raises(ValueError, match="outside"):
        bridge.bridge(3, 4, [], (3, 0, 1.0), cpu)
