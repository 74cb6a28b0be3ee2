"""A case study's recipe beside the page's default: the one table type of the pages with presets.

Each entry is a whole settings dataclass plus three message ids the page translates: its title, where it
comes from, and how it differs from the page's default and why. Links name a preset by its key.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Mapping, TypeVar

C = TypeVar("C")
DEFAULT_PRESET = "default"


@dataclass(frozen=True)
class Recipe(Generic[C]):
    cfg: C             # the page's settings for this recipe
    title: str         # an N_ msgid; the page translates it
    note: str          # where it comes from (an N_ msgid)
    differs: str = ""  # how it differs from the default, and why (an N_ msgid)


def pick(recipes: Mapping[str, Recipe[C]], preset: str) -> Recipe[C]:
    """The recipe of a preset id (the default's for an unknown id: links are checked before this)."""
    return recipes.get(preset, recipes[DEFAULT_PRESET])
