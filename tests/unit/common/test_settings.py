"""lib.common.settings: defaults carry their ranges; out-of-range values are named in plain words."""
from dataclasses import dataclass

import pytest

from lib.common.settings import Spec, check, setting, spec


@dataclass(frozen=True)
class Demo:
    lr: float = setting(0.03, options=(0.01, 0.03, 0.1))
    layers: int = setting(2, lo=0, hi=6, step=1)
    features: tuple = setting(("x", "y"), options=("x", "y", "xy"))
    name: str = "free"  # no spec: anything goes


def test_spec_reads_the_declared_range():
    assert spec(Demo, "layers") == Spec(0, 6, 1, None)
    assert spec(Demo(), "lr").options == (0.01, 0.03, 0.1)
    assert spec(Demo, "name") == Spec()
    with pytest.raises(KeyError):
        spec(Demo, "missing")


@pytest.mark.parametrize("value, ok", [
    (0, True), (6, True), (3, True),             # inside, both ends included
    (-1, False), (7, False),                     # outside
    (float("nan"), False), (float("inf"), False),  # never a valid number
    ("3", False), (True, False),                 # wrong type
])
def test_numeric_range(value, ok):
    assert Spec(0, 6, 1).allows(value) is ok


def test_check_names_the_bad_setting():
    check(Demo())
    with pytest.raises(ValueError, match="layers = 9 .*0 to 6"):
        check(Demo(layers=9))
    with pytest.raises(ValueError, match="lr = 0.5 .*one of 0.01, 0.03, 0.1"):
        check(Demo(lr=0.5))
    with pytest.raises(ValueError, match="features"):
        check(Demo(features=("x", "z")))


def test_a_default_outside_its_range_is_a_programming_error():
    with pytest.raises(ValueError, match="outside its own range"):
        setting(10, lo=0, hi=6)


def test_an_integer_too_large_for_a_float_is_outside_every_range():
    assert not Spec(0, 6, 1).allows(10**400)
