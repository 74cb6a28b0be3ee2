"""How the progress bar writes durations: never "0 s" for a short run that took time."""
import pytest

from ui.progress import format_seconds


@pytest.mark.parametrize("seconds, text", [
    (0.0, "0.0 s"), (0.37, "0.4 s"), (9.94, "9.9 s"), (9.96, "10 s"), (42.4, "42 s"), (89.4, "89 s"),
    (90, "1.5 min"), (600, "10.0 min"), (-3, "0.0 s"),
])
def test_format_seconds(seconds: float, text: str) -> None:
    assert format_seconds(seconds) == text
