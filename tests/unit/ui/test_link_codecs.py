"""ui.links codecs: every widget kind round-trips; hostile link values are refused, never evaluated."""
import pytest

from ui import links

ROUND_TRIPS = [
    (links.number_codec(int), 3),                    # slider / number input of ints
    (links.number_codec(int), -7),
    (links.number_codec(float), 0.03),               # a learning rate
    (links.number_codec(float), 1e-05),
    (links.number_codec(float), 0.1 + 0.2),          # shortest exact form, not a rounded one
    (links.option_codec(("SGD", "Adam")), "Adam"),   # selectbox / radio
    (links.option_codec((0.001, 0.01, 0.1)), 0.01),  # select_slider of numbers
    (links.options_codec(("x", "y", "xy")), ["xy", "x"]),  # multiselect keeps the order chosen
    (links.options_codec(("x", "y")), []),
    (links.flag_codec(), True),                      # toggle / checkbox
    (links.flag_codec(), False),
    (links.text_codec(), "x**2 + sin(y)"),           # a typed expression travels as text
    (links.packed_codec(), [{"name": "RandomCrop", "p": 0.5, "size": [32, 32]}]),  # a pipeline
    (links.packed_codec(), [[1.0, 2.5], [3.0, -4.0]]),  # a data editor's table
]


@pytest.mark.parametrize("codec, value", ROUND_TRIPS)
def test_round_trip(codec, value):
    text = codec.encode(value)
    assert isinstance(text, str) and codec.decode(text) == value


def test_links_stay_short_and_url_safe():
    assert links.number_codec(float).encode(0.03) == "0.03"
    assert links.options_codec(("x", "y")).encode(("x", "y")) == "x,y"
    packed = links.packed_codec().encode([{"name": "ColorJitter", "brightness": 0.4}] * 20)
    assert len(packed) < 120 and set(packed) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


HOSTILE = [
    (links.number_codec(int), "3.5"),                # wrong type
    (links.number_codec(int), "1e9999"),
    (links.number_codec(float), "nan"),              # NaN and infinities are never numbers here
    (links.number_codec(float), "-inf"),
    (links.number_codec(float), "__import__('os')"),  # code is text, never evaluated
    (links.number_codec(int), ""),
    (links.option_codec(("SGD", "Adam")), "<script>alert(1)</script>"),
    (links.option_codec(("SGD", "Adam")), "../../etc/passwd"),
    (links.options_codec(("x", "y")), "x,z"),
    (links.flag_codec(), "maybe"),
    (links.text_codec(10), "a" * 11),
    (links.packed_codec(), "not-base64!!"),
    (links.packed_codec(), "eJzLSM3JyVcozy_KSQEAGgQEXQ"),  # valid zlib, but not JSON
]


@pytest.mark.parametrize("codec, text", HOSTILE)
def test_hostile_values_are_refused_with_a_reason(codec, text):
    with pytest.raises(ValueError) as e:
        codec.decode(text)
    assert str(e.value)


def test_a_packed_zip_bomb_stops_early():
    import base64
    import zlib
    bomb = base64.urlsafe_b64encode(zlib.compress(b"[" + b"0," * 400_000 + b"0]", 9)).decode().rstrip("=")
    assert len(bomb) < links.MAX_RAW
    with pytest.raises(ValueError, match="too much data"):
        links.packed_codec().decode(bomb)


def test_a_pipeline_too_long_for_a_link_is_refused_politely():
    import random
    rng = random.Random(0)
    noisy = [{"name": f"T{rng.random()}", "v": rng.random()} for _ in range(200)]  # incompressible
    with pytest.raises(links.LinkError, match="too long for a link"):
        links.packed_codec().encode(noisy)
