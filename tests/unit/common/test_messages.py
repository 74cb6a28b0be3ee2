"""lib.common.messages: English everywhere by default, template and values kept for translation."""
import pytest

from lib.common.messages import N_, LearnerError, Message


def test_message_reads_as_english_and_keeps_its_parts():
    m = Message("Use {lo} to {hi} layers.", lo=0, hi=6)
    assert m == "Use 0 to 6 layers." and isinstance(m, str)
    assert (m.template, m.params) == ("Use {lo} to {hi} layers.", {"lo": 0, "hi": 6})
    assert Message("Braces {stay} without values") == "Braces {stay} without values"


def test_learner_error_is_a_value_error_carrying_a_message():
    with pytest.raises(ValueError, match="Pick at least 2 classes") as e:
        raise LearnerError("Pick at least {n} classes.", n=2)
    assert e.value.message.template == "Pick at least {n} classes." and e.value.args[0] == "Pick at least 2 classes."


def test_n_marks_without_changing():
    assert N_("Vision") == "Vision"
