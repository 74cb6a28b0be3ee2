"""lib/augment/json_io.py: pipelines round-trip through JSON; bad files are refused with one plain sentence."""
from __future__ import annotations

import json

import pytest

from lib.augment import config, json_io, pipeline, registry


def test_json_round_trip(make_steps, mixed):
    steps = make_steps(*mixed) + make_steps(("AutoAugment", {"policy": "SVHN"}))
    steps[1].enabled = False
    assert json_io.from_json(json_io.to_json(steps)) == steps


def test_json_bare_list_and_missing_params_take_defaults():
    (step,) = json_io.from_json('[{"name": "RandomRotation", "params": {"degrees": [-5, 5]}}]')
    assert step.params == {**registry.REGISTRY["RandomRotation"].defaults(), "degrees": (-5.0, 5.0)}


@pytest.mark.parametrize("text,message", [
    ("{not json", "not valid JSON"),                                          # syntax error
    ("[" * 50_000 + "]" * 50_000, "nested far too deeply"),                   # parser stack
    ('{"steps": []}', "a list of transforms"),                                # wrong top-level key
    ('[{"name": "Sharpen"}]', "Step 1: unknown transform 'Sharpen'"),         # unknown transform
    ('[{"name": "Pad", "params": {"pading": 3}}]', "unknown parameter(s) pading"),  # typo in a parameter
    ('[{"name": "Pad", "params": {"padding": 9999}}]', "between 0 and 512"),  # out of range
    ('[{"name": "Pad", "params": {"padding_mode": "wrap"}}]', "must be one of"),  # not an option
    ('[{"name": "ColorJitter", "params": {"hue": 0.1}}]', "must be a pair"),  # wrong shape
    ('[{"name": "Resize", "params": {"antialias": "yes"}}]', "true or false"),  # wrong type
    ('[{"name": "Resize", "params": {"size": 10.5}}]', "whole number"),       # float for an int
    ("[42]", 'expected an object with a "name"'),
])
def test_bad_json_is_refused_with_a_message(text, message):
    with pytest.raises(ValueError, match=None) as info:
        json_io.from_json(text)
    assert message in str(info.value)


def test_json_file_is_plain_json():
    data = json.loads(json_io.to_json(pipeline.default_pipeline()))
    assert [s["name"] for s in data["pipeline"]] == list(config.AugmentConfig().default_pipeline)


def test_uploaded_bytes_are_read_as_utf8():
    (step,) = json_io.from_json_bytes(b'[{"name": "RandomInvert", "params": {"p": 1}}]')
    assert step == pipeline.Step("RandomInvert", {"p": 1.0})
    with pytest.raises(ValueError, match="The file is not UTF-8 text."):
        json_io.from_json_bytes('{"pipeline": [{"name": "café"}]}'.encode("latin-1"))


def test_too_large_text_is_refused_before_parsing():
    text = '{"pipeline": []}' + " " * config.AugmentConfig().max_json_chars
    with pytest.raises(ValueError, match="too large"):
        json_io.from_json(text)


# ---------------------------------------------------------------- the compact form of links


def test_link_data_round_trip(make_steps, mixed):
    steps = make_steps(*mixed) + make_steps(("RandomRotation", {"degrees": (-5.0, 5.0), "fill": 9}))
    steps[2].enabled = False
    data = json_io.to_link_data(steps)
    assert json_io.from_link_data(json.loads(json.dumps(data))) == steps  # through JSON, as a link carries it


def test_link_data_holds_only_what_differs_from_the_defaults(make_steps):
    assert json_io.to_link_data(pipeline.default_pipeline()) == [["RandomResizedCrop"], ["RandomHorizontalFlip"],
                                                                 ["ColorJitter"]]
    (rotation,) = make_steps(("RandomRotation", {"degrees": (-5.0, 5.0)}))
    rotation.enabled = False
    assert json_io.to_link_data([rotation]) == [["RandomRotation", {"degrees": [-5.0, 5.0]}, 0]]


@pytest.mark.parametrize("data,message", [
    ({"pipeline": []}, "Expected a list of transforms."),            # the file's shape, not the link's
    ([["Pad", {}, 1]], "Step 1: expected [name, parameters]."),     # only 0 (off) may follow the parameters
    ([[]], "Step 1: expected [name, parameters]."),                 # no name
    (["Pad"], "Step 1: expected [name, parameters]."),              # a bare name
    ([["Pad"], ["Sharpen"]], "Step 2: unknown transform 'Sharpen'."),
    ([["Pad", {"padding": -1}]], "between 0 and 512"),
    ([["Pad", []]], '"params" must be an object'),
    ([["RandomInvert"]] * 65, "A pipeline has at most 64 steps, this one 65."),
])
def test_bad_link_data_is_refused_with_a_message(data, message):
    with pytest.raises(ValueError) as info:
        json_io.from_link_data(data)
    assert message in str(info.value)


def test_a_file_with_too_many_steps_is_refused():
    with pytest.raises(ValueError, match="at most 64 steps"):
        json_io.from_json(json.dumps([{"name": "RandomInvert"}] * 65))


def test_messages_keep_their_template_for_translation():
    with pytest.raises(ValueError) as info:
        json_io.from_json('[{"name": "Pad", "params": {"padding": 9999}}]')
    message = info.value.args[0]
    assert message.template == "Step {number} ({name}): {reason}"
    assert message.params["reason"].template == "'{name}' must be between {low:g} and {high:g}, not {value}."
