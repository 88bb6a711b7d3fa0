"""Every chart with its words: a Plotly figure, and under it one line that says what it shows (WCAG 1.1.1).

A screen reader finds nothing in a Plotly chart's SVG, and a student who reads faster than they look gets the
point at once. The words come from the figure's own data (`describe.figure`), or from the page where it knows
better what matters (the confusion matrix's worst cells, the descent's path).
"""

import streamlit as st

from app_pages import words
from mnistcore import describe, figures


def show(where, fig, *, said: str | None = None, **kwargs):
    """`where.plotly_chart(fig, **kwargs)` (`st`, a column) with `said`, or the figure in words, as a caption under it."""
    event = where.plotly_chart(fig, **kwargs)
    where.caption(words.plain(said or describe.figure(fig)))
    return event


def preload() -> None:
    """Load plotly.js now, in a hidden chart, so that the page's first real chart does not wait for it.

    The browser loads plotly.js (a few MB) with the first Plotly chart a page shows, and that first redraw cost
    it 2.2-2.6 s of CPU instead of 0.5-0.8 s (a training page after Stop, Chromium on 2 cores)."""
    with st.container(key="plotly_preload"):  # hidden by looks.CSS
        st.plotly_chart(figures.blank(), key="plotly_preload_chart")
