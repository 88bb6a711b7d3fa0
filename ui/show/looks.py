"""What the app adds to Streamlit's own styles so that everyone can read and reach every page (WCAG 2.2 AA,
checked by axe-core in tests/browser/test_accessibility.py), on a desktop and on a phone; and its small tables."""

import streamlit as st

from ui.show import focus, words

CSS = """<style>
/* Captions: Streamlit fades them to 60% opacity, 2.95:1 on the sidebar (WCAG AA asks 4.5:1 for text this
   small). Opaque, in this grey: 8.4:1 on white and 7.6:1 on the sidebar; still lighter than body text. */
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] * { color: #4a4d57 !important; }
/* Code colours: Streamlit's comments (#808495, 3.6:1) and numbers (#29b09d, 2.6:1) are too pale on its code
   background; these keep the same hues at 5:1 or more. */
[data-testid="stCode"] .token.comment { color: #5f6374 !important; }
[data-testid="stCode"] .token.number { color: #13705f !important; }
/* Code wraps instead of scrolling sideways: a scrolling box the keyboard cannot reach fails WCAG 2.1.1, and on a
   phone the end of every long line was cut off. */
[data-testid="stCode"] pre, [data-testid="stCode"] code { white-space: pre-wrap !important; overflow-wrap: anywhere; }
/* Focus: Streamlit's navigation links, text boxes, select boxes and page links show no ring when the keyboard
   reaches them (WCAG 2.4.7). One ring for everything the keyboard can reach, in the blue of "for the class". */
a:focus-visible, button:focus-visible, input:focus-visible, textarea:focus-visible, summary:focus-visible,
[role="combobox"]:focus-visible, [role="slider"]:focus-visible, [role="option"]:focus-visible {
  outline: 2px solid #1f77b4 !important; outline-offset: 2px !important; }
/* Small tables (`table`, Markdown) wrap their cells to the screen's width, code included, rather than run off
   a phone's right edge. */
[data-testid="stMarkdownContainer"] table { width: 100%; }
[data-testid="stMarkdownContainer"] :is(th, td) { overflow-wrap: break-word; }
[data-testid="stMarkdownContainer"] td code { white-space: pre-wrap !important; overflow-wrap: anywhere; }
/* The training page and the board load plotly.js with a hidden chart (plots.preload); every page, the code
   highlighter with a hidden line of code (`style`). */
.st-key-plotly_preload, .st-key-code_preload { display: none; }
/* Phones: Streamlit stacks columns below 640 px. */
@media (max-width: 640px) {
  /* the collapsed sidebar's ">>" alone does not say that the lesson's pages are behind it */
  [data-testid="stExpandSidebarButton"]::after { content: "Pages"; margin-left: 0.35rem; font-size: 1rem; }
  /* the softmax page's chart stays in view while its ten sliders, stacked below it, move, and leaves with them
     (the keyed block sits in a wrapper of its own height, so the wrapper is what sticks, within their block) */
  div:has(> .st-key-softmax_chart) { position: sticky; top: 3.75rem; z-index: 3; background: #fff; }
  [data-testid="stMarkdownContainer"] :is(th, td) { padding: 0.3rem 0.25rem; font-size: 0.875rem; }
  /* Plotly's zoom and pan bar, shown by a tap, covered the charts' titles; hover and Streamlit's fullscreen stay */
  .stPlotlyChart .modebar-container { display: none; }
}
</style>"""


def style() -> None:
    """Add the styles to this page (once per run, from app.py), and load the code highlighter.

    A browser loads Streamlit's highlighter (Prism and its languages) with the first `st.code` it shows: on the
    tensors page that cost a new student 0.7 s of the 2 cores' time, measured with Chromium's profiler. Loaded
    with whatever page comes first, hidden, it is ready when a page with code opens."""
    st.html(CSS)
    with st.container(key="code_preload"):
        st.code("x = 1", language="python")
        focus.keep()  # the keyboard's focus kept through a rerun, a phone's menu folded after a page switch


def table(rows: list[dict], where=st, code: tuple[str, ...] = ()) -> None:
    """A small table of `rows` (the columns named in `code` as code) as a Markdown table.

    It wraps to fit a phone, where a data grid scrolls inside itself and hid its right-hand columns. And it is
    text: `st.table` sends a data frame as Arrow, and a new browser's first page with one loaded 0.9 MB of
    Arrow's JavaScript for it, 0.4-0.5 s of a new student's tensors page (Chromium, nothing else running)."""
    where.markdown(words.markdown_table(rows, code))


def still() -> None:
    """Drop this page's fades and spinners, for a page that redraws often: each redraw costs the browser about
    30% less without them.

    Only on such a page and while it redraws: as a `body:has(...)` rule in the app's style sheet, this made every
    page's first open about 3x slower in Chromium (the tensors page's 3.0 s became 9.0 s)."""
    st.html("<style>*, *::before, *::after {transition: none !important; animation: none !important;}</style>")

