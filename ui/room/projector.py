"""The class's pages on a classroom's projector: large text, no sidebar, and charts whose words the back row reads."""

import streamlit as st

from ui.state import settings

PROJECTOR_CSS = """<style>
/* For the back row of a classroom: every word of the page at least 24 px, captions as dark as body text, the
   sidebar away so the page has the projector's whole width (its toggle, on the page, brings it back). */
[data-testid="stMain"] :is(p, li, td, th, label, [data-testid="stCaptionContainer"], [data-testid="stMetricLabel"]) {
  font-size: 24px !important; line-height: 1.35 !important; }
[data-testid="stMain"] [data-testid="stCaptionContainer"] * { color: #222 !important; }
[data-testid="stMain"] [data-testid="stMetricValue"] { font-size: 48px !important; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"] { display: none !important; }
</style>"""
PROJECTOR_FONT = 22  # px: a chart's words on the projector (Plotly's own sizes are 12-14 px)


def toggle() -> bool:
    """The page's projector toggle (kept in its link, so the board's address opens it so); True while it is on."""
    on = st.toggle("Projector: large text, no sidebar", **settings.keep("projector"),
                   help="For the back of a classroom: text at least 24 px, and the page across the whole screen.")
    settings.publish("projector")
    if on:
        st.html(PROJECTOR_CSS)
    return on


def sized(fig, on: bool):
    """`fig` with words large enough for the back row when `on`."""
    return fig.update_layout(font=dict(size=PROJECTOR_FONT)) if on else fig
