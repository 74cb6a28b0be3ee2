"""Sentences that lib shows to learners, kept translatable without lib knowing about Streamlit.

lib raises `LearnerError("Use {lo} to {hi} hidden layers.", lo=0, hi=6)` (a ValueError) and returns
`Message(...)` notes. Both read as plain English anywhere (str(), logs, tests), and remember their
template and values, so the page edge (ui/i18n.py) can look the template up in the message catalogs
and fill in the values in the reader's language. `pybabel extract` finds the templates through the
keywords `Message` and `LearnerError` (see babel.cfg).
"""
from __future__ import annotations

from typing import Any


class Message(str):
    """English text that remembers its template and values, so it can be shown translated."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, **params: Any) -> "Message":
        text = super().__new__(cls, template.format(**params) if params else template)
        text.template, text.params = template, params
        return text


class LearnerError(ValueError):
    """A mistake a learner can make, explained in a sentence (translatable: see Message)."""

    def __init__(self, template: str, **params: Any) -> None:
        self.message = Message(template, **params)
        super().__init__(self.message)


def N_(template: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a constant (an option label, a table header) for extraction; the page translates it."""
    return template
