"""lib.conv.layer_stack's table in a link: round trip of every preset, hostile tables refused in plain words."""
import json

import pytest

from lib.common.messages import LearnerError
from lib.conv import layer_stack as ls


@pytest.mark.parametrize("preset", list(ls.PRESETS))
def test_every_preset_round_trips_and_analyses_the_same(preset):
    shape, rows = ls.PRESETS[preset]
    packed = json.loads(json.dumps(ls.rows_to_link(rows)))  # what a link carries, through JSON
    back = ls.rows_from_link(packed)
    assert back == rows
    assert ls.analyse(back, shape) == ls.analyse(rows, shape)


def test_empty_rows_and_editor_numbers_become_plain_lists():
    rows = [ls.layer_row("Conv2d", 1, 4, 3), {"layer": None, "in": None}, ls.layer_row("Flatten")]
    assert ls.rows_to_link(rows) == [["Conv2d", 1, 4, 3, None, None], ["Flatten", None, None, None, None, None]]


@pytest.mark.parametrize("data, reason", [
    ([], "1 to 40 layers"),                                             # no layers at all
    ([["Conv2d", 1, 4, 3, 1, 0]] * 41, "1 to 40 layers"),               # longer than anyone types
    ({"layer": "Conv2d"}, "1 to 40 layers"),                             # not a list
    ([["os.system", 1, 1, 1, 1, 1]], "layer types"),                     # not a layer type
    ([["Conv2d", 1, 4, 3]], "layer types"),                              # cells missing
    ([["Conv2d", 1, 4, 3, 1.5, 0]], "whole number"),                     # a float
    ([["Conv2d", 1, 4, 3, True, 0]], "whole number"),                    # a bool is not a number here
    ([["Conv2d", 1, 10 ** 9, 3, 1, 0]], "whole number"),                 # a huge channel count
    ([["Linear", "1", 4, None, None, None]], "whole number"),            # a string
])
def test_hostile_tables_are_refused(data, reason):
    with pytest.raises(LearnerError, match=reason):
        ls.rows_from_link(data)
