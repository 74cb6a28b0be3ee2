"""How long a page's link gets: every declared setting at its longest non-default value, opened in AppTest.

For each page, every field of its settings dataclasses that has a link name (`param=`) is given the non-default
value whose text is longest (the longest option, the range end with the most digits, a flag flipped; a
multiselect with every option). The page runs with that link; the figure is the length of the query string
the page then writes back (values it refused are named on the page and dropped, and counted here; values
for widgets the page did not draw in that run stay as they came). Free-text
settings (expressions, sentences) and packed pipelines have their own length budgets on their pages and are
left at their defaults, so they are not in these figures; tabs and the language add a few characters.
Run: .venv/bin/python -m bench.links [--quick]
"""
from __future__ import annotations

import dataclasses
import importlib
import re
from typing import Any
from urllib.parse import urlencode

from bench.common import ROOT, Figure, cli
from lib.common.settings import Spec
from tests.helpers import bound_params, run_page
from ui.catalog import PAGES

MAX_LINK = 2000  # what browsers and chat apps keep without trouble


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def longest_value(default: Any, spec: Spec) -> str | None:
    """The setting's non-default value with the longest text, or None when it has none (free text)."""
    if spec.options is not None:
        if isinstance(default, tuple):
            return ",".join(map(str, spec.options))
        choices = [o for o in spec.options if o != default]
    elif isinstance(default, bool):
        choices = [not default]
    elif spec.lo is not None or spec.hi is not None:
        step = spec.step or 1
        ends = [spec.lo, spec.hi, None if spec.lo is None else spec.lo + step, None if spec.hi is None else spec.hi - step]
        choices = [v for v in ends if v is not None and v != default]
    else:
        return None
    return max((_text(c) for c in choices), key=len) if choices else None


def settings_of(page: str) -> list[Any]:
    """The settings dataclass instances a page declares (`DEFAULTS = config.X()`, `DATA = config.Y()`...)."""
    source = (ROOT / "pages" / f"{page}.py").read_text()
    module = importlib.import_module(f"lib.{page}.config")
    return [getattr(module, name)() for name in re.findall(r"^[A-Z_]+ = config\.(\w+)\(\)$", source, re.M)]


def longest_query(configs: list[Any]) -> dict[str, str]:
    out: dict[str, str] = {}

    def walk(cfg: Any) -> None:
        for f in dataclasses.fields(cfg):
            value, spec = getattr(cfg, f.name), f.metadata.get("spec")
            if dataclasses.is_dataclass(value):
                walk(value)
            elif spec is not None and spec.param and (text := longest_value(value, spec)) is not None:
                out[spec.param] = text
    for cfg in configs:
        walk(cfg)
    return out


def measure(page: str) -> list[Figure]:
    asked = longest_query(settings_of(page))
    at = run_page(f"{page}.py", query=asked, timeout=300)
    kept = {k: at.query_params[k][0] if isinstance(at.query_params[k], list) else at.query_params[k]
            for k in at.query_params}
    length = len("?" + urlencode(kept))
    # "kept" can include values a page never reached (it stops early when a setting needs a download, say):
    # "bound" counts the widgets drawn in this run, which check and restore their value
    return [Figure(f"{page}: query written back (characters); settings kept / asked / bound by widgets drawn",
                   f"{length}; {len(kept)} / {len(asked)} / {len(bound_params(at))}",
                   f"<= {MAX_LINK}", length <= MAX_LINK)]


def run(quick: bool) -> list[Figure]:
    pages = [p.path.removeprefix("pages/").removesuffix(".py") for p in PAGES]
    out: list[Figure] = []
    for page in pages[:2] if quick else pages:
        out += measure(page)
    return out


if __name__ == "__main__":
    cli("Link lengths: every declared setting of a page at its longest non-default value", run)
