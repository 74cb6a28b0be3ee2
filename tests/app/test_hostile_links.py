"""Links are user input: on every page, hostile values for every linked setting give a message naming
the setting (or are valid and kept), never an exception, and are never evaluated."""
from __future__ import annotations

import pytest

from tests.helpers import assert_no_exception, bound_params, run_page
from ui.catalog import PAGES

FILES = [p.path.removeprefix("pages/") for p in PAGES]
HOSTILE = [
    "nan",                                           # NaN: never a valid number
    "<script>alert(1)</script>**x**[a](javascript:0)",  # HTML, markdown and script: shown inert, if at all
    "9" * 400,                                       # a huge number, a long string
    "../../etc/passwd",                              # a path fragment
]


@pytest.fixture(scope="module", params=FILES)
def page_params(request):
    at = run_page(request.param)
    assert_no_exception(at)
    params = bound_params(at)
    assert params, f"{request.param} binds no setting to its link"
    return request.param, params


@pytest.mark.parametrize("value", HOSTILE, ids=["nan", "markup", "huge", "path"])
def test_hostile_link_values_are_named_or_kept(page_params, value):
    page, params = page_params
    at = run_page(page, query={p: value for p in params} | {"unknown_key": value})
    assert_no_exception(at)
    warnings = " ".join(w.value for w in at.warning)
    named = {p for p in params if f"**{p}**" in warnings}
    kept = {p for p in params if at.query_params.get(p) not in (None, [])}
    assert named | kept == params, f"{sorted(params - named - kept)} neither refused with a message nor kept"
    assert "<script>" not in warnings  # shown in a code span with markup neutralised, if at all
