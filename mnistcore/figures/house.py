"""The house look every chart shares: one colour language, the layout, and the axes that need care."""

import functools
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

INK = "gray"  # pixels: 0 black, 1 white, as MNIST stores them
# Weights and evidence: red negative, white zero, blue positive. ColorBrewer's RdBu, written out so that
# Plotly's charts and the PNG sheets (pictures.diverging_rgb) draw the very same colours.
DIVERGING_RGB = ((103, 0, 31), (178, 24, 43), (214, 96, 77), (244, 165, 130), (253, 219, 199), (247, 247, 247),
                 (209, 229, 240), (146, 197, 222), (67, 147, 195), (33, 102, 172), (5, 48, 97))
DIVERGING = [[i / (len(DIVERGING_RGB) - 1), f"rgb{rgb}".replace(" ", "")] for i, rgb in enumerate(DIVERGING_RGB)]
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
# The third line's green and the second's orange look alike to protanopes (CIELAB distance 4.8, see
# tests/core/test_colour_vision.py): every line also has a dash of its own, so colour is never the only carrier.
DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
# A line chart's legend, under its x-axis title: above the plot, on a phone, it ran over the chart's title.
BELOW = dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left")
ACCENT = "#d62728"  # the one thing on a chart the text talks about
MUTED = "#9aa5b1"
FONT = dict(family="Source Sans Pro, sans-serif", size=14)
OPTIMIZER_COLORS = {"Adam": CLASS_COLORS[0], "SGD": CLASS_COLORS[1]}
CHANNEL_COLORS = {"red": "#d62728", "green": "#2ca02c", "blue": "#1f77b4"}  # an image's colour channels, as named


def outside(text: object) -> str:
    """`text` from outside (a student's name, a class label, a typed line) as Plotly shows it: itself. Plotly reads
    tags in every text it draws (`<b>`, `<i>`, `<a href>`, `<span style>`, `<br>`) and decodes `&...;` entities, so
    its three marks become entities; every chart that shows such text passes it through here."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def layout(fig: go.Figure, title: str | None, height: int) -> go.Figure:
    """Apply the house layout: title (plain text: it may quote a typed line), font, tight margins, white background."""
    fig.update_layout(
        title=dict(text=outside(title), x=0, xanchor="left") if title else None, height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10), font=FONT,
        plot_bgcolor="white", paper_bgcolor="white",
    )
    return fig


@functools.cache
def blank() -> go.Figure:
    """An empty chart without a template, built once per process and only read after (st.plotly_chart's to_dict).

    It loads plotly.js in the browser (ui/show/plots.preload). Sending it costs the server 0.03 ms; an empty
    house figure cost 9 ms, built on every full run of the training page and the board: 22% of the server's
    GIL time in a room of 20 (py-spy --gil)."""
    return go.Figure(layout={"template": "none", "height": 10})


def for_or_against(values: np.ndarray) -> np.ndarray:
    """Each value's side in words, for a diverging map's hover: "for" above zero, "against" below."""
    return np.where(values > 0, "for", np.where(values < 0, "against", "neither"))


def log_ticks(values: np.ndarray) -> tuple[list[float], list[str]]:
    """Ticks for a log axis over `values`, each labelled in full: 1, 2 and 5 of each decade when they span two
    decades or less, powers of ten otherwise (at most about eight), written 10⁵ beyond 0.001-1000. Plotly's own labelled
    2 and 5 by their first digit only, so that an axis read "5 2 0.1 5 2"."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if not v.size:
        return [], []
    low, high = math.floor(math.log10(v.min())), math.ceil(math.log10(v.max()))
    every = max(1, math.ceil((high - low) / 8))
    steps = (1, 2, 5) if math.log10(v.max() / v.min()) <= 2 else (1,)
    ticks = [(m, e) for e in range(low, high + 1, every) for m in steps]
    words = [f"{m * 10.0 ** e:g}" if -3 <= e <= 3 else f"{m}×10<sup>{e}</sup>".removeprefix("1×") for m, e in ticks]
    return [m * 10.0 ** e for m, e in ticks], words


def log_axis(fig: go.Figure, values: np.ndarray) -> None:
    """Put log_ticks on the figure's y axis."""
    ticks, words = log_ticks(values)
    if ticks:
        fig.update_yaxes(tickvals=ticks, ticktext=words)


def y_window(ys: Sequence[float], bounds: tuple[float, float] | None = None, min_span: float = 0.0) -> tuple[float, float]:
    """The y axis for values `ys`: padded 5%, inside `bounds`, and at least `min_span` tall, so that a wobble of a
    fraction of a percent does not fill the chart and look like a leap."""
    pad = (max(ys) - min(ys)) * 0.05 or abs(max(ys)) * 0.05 or 0.05
    y0, y1 = min(ys) - pad, max(ys) + pad
    if y1 - y0 < min_span:
        mid = (y0 + y1) / 2
        y0, y1 = mid - min_span / 2, mid + min_span / 2
        if bounds is not None:  # slide the window inside the bounds rather than cut it
            shift = max(bounds[0] - y0, 0) - max(y1 - bounds[1], 0)
            y0, y1 = y0 + shift, y1 + shift
    if bounds is not None and bounds[0] < y1 and y0 < bounds[1]:
        y0, y1 = max(y0, bounds[0]), min(y1, bounds[1])
    if not y1 - y0 > 0:  # values so large that the padding vanished
        y0, y1 = y0 - 1, y1 + 1
    return y0, y1
