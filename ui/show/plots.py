"""Every chart with its words: a Plotly figure, and under it one line that says what it shows (WCAG 1.1.1);
and the pictures the app draws itself, sent as drawn.

A screen reader finds nothing in a Plotly chart's SVG, and a student who reads faster than they look gets the
point at once. The words come from the figure's own data (`sentences.figure`), or from the page where it knows
better what matters (the confusion matrix's worst cells, the descent's path).
"""

import streamlit as st

from mnistcore import figures
from mnistcore.figures import sentences
from ui.show import words


def show(where, fig, *, said: str | None = None, **kwargs):
    """`where.plotly_chart(fig, **kwargs)` (`st`, a column) with `said`, or the figure in words, as a caption under it."""
    event = where.plotly_chart(fig, **kwargs)
    where.caption(words.plain(said or sentences.figure(fig)))
    return event


def picture(where, png: bytes, **kwargs) -> None:
    """`where.image(png, **kwargs)`, sent as the PNG it is.

    By default Streamlit re-encodes a PNG without transparency as a JPEG, on every run: the training page's
    templates cost the server 2.7 ms and grew from 47 to 127 KB at every poll, blurred; the strips were half of a
    class board's redraw (20 students, py-spy); the QR code grew from 381 B to 17 KB, its edges smudged."""
    where.image(png, output_format="PNG", **kwargs)


def preload() -> None:
    """Load plotly.js now, in a hidden chart, so that the page's first real chart does not wait for it.

    The browser loads plotly.js (a few MB) with the first Plotly chart a page shows, and that first redraw cost
    it 2.2-2.6 s of CPU instead of 0.5-0.8 s (a training page after Stop, Chromium on 2 cores)."""
    with st.container(key="plotly_preload"):  # hidden by looks.CSS
        st.plotly_chart(figures.blank(), key="plotly_preload_chart")
