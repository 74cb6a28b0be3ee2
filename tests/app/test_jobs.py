"""ui.run_job in AppTest: progress to the end, the last record drawn once, errors as messages."""
from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.helpers import assert_no_exception


def job_app(fail: bool) -> None:
    import plotly.graph_objects as go
    import streamlit as st

    import ui

    def steps():
        for i in range(1, 4):
            if fail and i == 3:
                raise ValueError("The loss became NaN.")
            yield i

    chart = ui.LiveChart("test.chart")
    outcome = ui.run_job(steps(), total=3, label="Work", done=lambda i: i, must_draw=lambda i: True,
                         # the same figure for every record: drawing one record twice would be a duplicate
                         on_update=lambda i: chart.draw(go.Figure(go.Bar(y=[1, 2, 3]))), finished="Done")
    st.session_state["outcome"] = outcome


def run(fail: bool) -> AppTest:
    at = AppTest.from_function(job_app, kwargs={"fail": fail}, default_timeout=60)
    return at.run()


def test_a_job_runs_to_the_end_and_draws_its_last_record_once():
    at = run(fail=False)
    assert_no_exception(at)
    assert at.session_state["outcome"].finished
    assert len(at.get("plotly_chart")) == 1


def test_a_failing_job_ends_with_its_message():
    at = run(fail=True)
    assert_no_exception(at)
    outcome = at.session_state["outcome"]
    assert not outcome.finished and "NaN" in outcome.error
