"""Charts of numbers: bars per class, histograms, training curves, the confusion matrix, the class's runs."""

from collections.abc import Sequence

import numpy as np
import plotly.colors
import plotly.graph_objects as go

from mnistcore.figures.house import (
    ACCENT,
    BELOW,
    CLASS_COLORS,
    DASHES,
    MUTED,
    OPTIMIZER_COLORS,
    layout,
    log_axis,
    log_ticks,
    outside,
    y_window,
)
from mnistcore.predictions import row_rates


def bars(values: Sequence[float], labels: Sequence[str], *, title: str | None = None,
         highlight: int | None = None, y_title: str = "probability", x_title: str = "class",
         height: int = 300, y_range: tuple[float, float] | None = None, text_format: str = ".2f",
         colors: Sequence[str] | None = None) -> go.Figure:
    """A bar per class; the bar at `highlight` drawn in the accent colour (or each in `colors`)."""
    colors = colors or [ACCENT if i == highlight else MUTED for i in range(len(values))]
    fig = go.Figure(go.Bar(x=[outside(label) for label in labels], y=list(values), marker_color=colors,
                           texttemplate="%{y:" + text_format + "}", textposition="outside", cliponaxis=False))
    fig.update_xaxes(title=x_title, type="category")
    fig.update_yaxes(title=y_title, range=y_range, gridcolor="#eee", zerolinecolor="#999")
    return layout(fig, title, height)


def histogram(series: dict[str, np.ndarray], *, title: str | None = None, x_title: str = "pixel value",
              bins: int = 60, height: int = 300, log_y: bool = True) -> go.Figure:
    """Overlaid histograms, one per named array, sharing bins, counted here: the browser gets 60 bars a series.

    Plotly's own histogram sends every value to the browser to bin there: 2,000 images of 784 pixels made the
    normalization page's two charts 84 MB, and its first open took 21 s."""
    lo = min(float(np.min(v)) for v in series.values())
    hi = max(float(np.max(v)) for v in series.values())
    size = (hi - lo) / bins or 1.0
    edges = lo + size * np.arange(bins + 1)  # (bins + 1,): the last bin holds hi
    fig = go.Figure()
    shares = []
    for i, (name, values) in enumerate(series.items()):
        counts, _ = np.histogram(np.ravel(values), bins=edges)  # (bins,)
        share = counts / np.size(values)
        shares.append(share)
        fig.add_trace(go.Bar(x=edges[:-1] + size / 2, y=np.where(share > 0, share, np.nan), width=size, name=name,
                             opacity=0.6, marker_color=CLASS_COLORS[i], marker_line_width=0,
                             hovertemplate=f"{name}: %{{y:.2%}} of pixels near %{{x:.3g}}<extra></extra>"))
    # inside, at the top middle, where the bars are low: above the plot it ran into a long title
    fig.update_layout(barmode="overlay", bargap=0, legend=dict(orientation="h", y=0.98, yanchor="top", x=0.5, xanchor="center"))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title="share of pixels" + (" (log scale)" if log_y else ""), type="log" if log_y else "linear",
                     gridcolor="#eee")
    if log_y:
        log_axis(fig, np.concatenate(shares))
    return layout(fig, title, height)


def curves(series: dict[str, tuple[Sequence[float], Sequence[float]]], *, title: str | None = None,
           x_title: str = "step", y_title: str = "loss", height: int = 320, log_y: bool = False,
           markers: bool = False) -> go.Figure:
    """Line charts: `series` maps a name to (x, y); each line has a colour and a dash of its own."""
    fig = go.Figure()
    for i, (name, (x, y)) in enumerate(series.items()):
        fig.add_trace(go.Scatter(x=list(x), y=list(y), mode="lines+markers" if markers else "lines", name=name,
                                 line=dict(color=CLASS_COLORS[i % 10], dash=DASHES[i % len(DASHES)])))
    fig.update_xaxes(title=x_title, gridcolor="#eee")
    fig.update_yaxes(title=y_title, type="log" if log_y else "linear", gridcolor="#eee")
    if log_y:
        log_axis(fig, np.concatenate([np.asarray(y, dtype=float) for _, y in series.values()]))
    fig.update_layout(legend=BELOW)
    return layout(fig, title, height)


FEW_POINTS = 20  # a series with fewer points gets dots: one validation point drawn as a line is invisible


def run_curves(series: dict[str, tuple[Sequence[float], Sequence[float]]], *, title: str, y_title: str,
               y_bounds: tuple[float, float] | None = None, min_span: float = 0.0, height: int = 320) -> go.Figure:
    """A training run's curves, interactive, in the same frame as `curves_svg` draws them while it trains.

    `y_bounds` keeps the axis inside them (one accuracy dot had an axis up to 1.5); `min_span` keeps it at least that
    tall (see `y_window`).
    """
    fig = curves(series, title=title, y_title=y_title, height=height)
    for trace in fig.data:
        trace.mode = "lines+markers" if len(trace.x) < FEW_POINTS else "lines"
    # the legend at the top right, over the plot, as curves_svg draws it: under the axis, in the 50 px the frame
    # keeps for the ticks and the axis title, it pushed "step" onto the tick labels
    fig.update_layout(margin=dict(l=62, r=12, t=46, b=50, autoexpand=False),
                      legend=dict(orientation="h", x=1, xanchor="right", y=1, yanchor="bottom", yref="paper"))
    ys = [y for _, (_, line) in series.items() for y in line if np.isfinite(y)]
    if ys and min_span:
        fig.update_yaxes(range=list(y_window(ys, y_bounds, min_span)))
    elif y_bounds is not None:
        fig.update_yaxes(autorangeoptions=dict(minallowed=y_bounds[0], maxallowed=y_bounds[1]))
    return fig


def _luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG's relative luminance of an sRGB colour with channels in 0-255."""
    lin = [c / 255 / 12.92 if c / 255 <= 0.04045 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_colour_on(cell: str) -> str:
    """"black" or "white", whichever has more contrast on the cell's colour: one of the two always reaches WCAG's
    4.5:1 (a mid red, rgb(240, 65, 48), gives 4.2 with #222 and 3.7 with white, 5.5 with black)."""
    rgb = plotly.colors.unlabel_rgb(cell) if cell.startswith("rgb") else plotly.colors.hex_to_rgb(cell)
    lum = _luminance(rgb)
    return "black" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "white"


def readable_cells(z: np.ndarray, text: list[list[str]], colorscale: str) -> list[go.Heatmap]:
    """`z` (k, k) as two heatmaps on one colour scale: each cell's number in dark or white text, whichever reads
    better on that cell's own colour. Plotly gives every cell one text colour: a count on the darkest red, or the
    lightest green, could not be read."""
    finite = z[np.isfinite(z)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    where = np.where(np.isfinite(z), (z - lo) / max(hi - lo, 1e-12), 0.0)  # (k, k): each cell's place on the scale
    # The scale as Python defines it, sent as its colours: plotly.js's own "Greens" runs dark to light, Python's light to
    # dark, so a named scale left the browser's colours unknown here (the diagonal's lowest count, dark, in dark text).
    colorscale = plotly.colors.get_colorscale(colorscale)
    colours = plotly.colors.sample_colorscale(colorscale, where.ravel().tolist())
    dark = np.isfinite(z) & (np.array([text_colour_on(c) for c in colours]).reshape(z.shape) == "white")
    light = np.isfinite(z) & ~dark
    k = len(z)
    # each heatmap writes its own cells' text only: Plotly writes a cell's text even where its z is NaN, and every
    # count came out four times, dark and white over each other
    return [go.Heatmap(z=np.where(part, z, np.nan), x=list(range(k)), y=list(range(k)), zmin=lo, zmax=hi,
                       colorscale=colorscale, showscale=False, texttemplate="%{text}", hoverinfo="skip",
                       text=[[t if part[i, j] else "" for j, t in enumerate(row)] for i, row in enumerate(text)],
                       textfont=dict(color=colour, size=14))
            for part, colour in ((light, "black"), (dark, "white"))]


def confusion(counts: np.ndarray, labels: Sequence[str], *, normalized: bool = False,
              selected: tuple[int, int] | None = None, height: int = 480) -> go.Figure:
    """A confusion matrix (rows true, columns predicted), clickable through an invisible point per cell."""
    rates = row_rates(counts)
    z = rates if normalized else counts
    off = z.astype(float).copy()
    np.fill_diagonal(off, np.nan)  # colour the mistakes; the diagonal would drown them
    k = len(labels)
    text = [[f"{rates[i, j]:.0%}" if normalized else str(counts[i, j]) for j in range(k)] for i in range(k)]
    diag = np.where(np.eye(k, dtype=bool), z, np.nan)  # (k, k): the right answers
    fig = go.Figure([*readable_cells(off, text, "Reds"), *readable_cells(diag, text, "Greens")])
    ii, jj = np.meshgrid(range(k), range(k), indexing="ij")
    fig.add_trace(go.Scatter(  # st.plotly_chart returns selections of points, not of heatmap cells
        x=jj.ravel(), y=ii.ravel(), mode="markers", marker=dict(size=34, opacity=0, symbol="square"),
        customdata=counts.ravel(), showlegend=False,
        hovertemplate="true %{y}, predicted %{x}: %{customdata} images<extra>click to see them</extra>"))
    if selected:
        fig.add_shape(type="rect", x0=selected[1] - 0.5, x1=selected[1] + 0.5, y0=selected[0] - 0.5,
                      y1=selected[0] + 0.5, line=dict(color="black", width=3))
    ticks = [outside(label) for label in labels]
    fig.update_xaxes(title="predicted class", tickvals=list(range(k)), ticktext=ticks, side="top")
    fig.update_yaxes(title="true class", tickvals=list(range(k)), ticktext=ticks, autorange="reversed")
    fig.update_layout(clickmode="event+select", dragmode=False)
    return layout(fig, None, height)


def lr_scatter(rows: Sequence[dict], *, height: int = 340) -> go.Figure:
    """The class's runs: learning rate (log) against validation accuracy, one colour per optimizer; a run whose
    loss overshot is an open marker (it has an accuracy, but its loss rose), and one that continued from uploaded
    weights a cross (its accuracy is not this run's alone). Identical runs share one marker, counted ("× 4")."""
    fig = go.Figure()
    for optimizer, color in OPTIMIZER_COLORS.items():
        same: dict[tuple, list[dict]] = {}  # one marker per (lr, accuracy, how it ended): its runs
        for r in rows:
            if r["optimizer"] == optimizer and r["valid accuracy"] is not None:
                key = (r["lr"], round(r["valid accuracy"], 4), r["status"] == "overshot", bool(r.get("uploaded")))
                same.setdefault(key, []).append(r)
        groups = list(same.values())
        shape = "circle" if optimizer == "Adam" else "diamond"
        fig.add_trace(go.Scatter(
            x=[g[0]["lr"] for g in groups], y=[g[0]["valid accuracy"] for g in groups], mode="markers+text",
            name=optimizer, texttemplate=[f"× {len(g)}" if len(g) > 1 else "" for g in groups],
            textposition="middle right", textfont=dict(size=13, color=color),
            marker=dict(color=color, size=11, line=dict(color=color, width=2),
                        symbol=[("x" if g[0].get("uploaded") else shape) + "-open" * (g[0]["status"] == "overshot")
                                for g in groups]),
            text=[outside(", ".join(r["name"] for r in g) + f": batch {g[0]['batch']}, {g[0]['epochs']} epoch(s)")
                  + " (overshot)" * (g[0]["status"] == "overshot") + " (from uploaded weights)" * bool(g[0].get("uploaded"))
                  for g in groups],
            hovertemplate="%{text}<br>lr %{x:g} · %{y:.2%}<extra>" + optimizer + "</extra>"))
    lrs = [r["lr"] for r in rows if r["lr"]]
    ticks, labels = log_ticks(np.array(lrs + [min(lrs) / 3, max(lrs) * 3]) if lrs else np.array([]))
    fig.update_xaxes(type="log", title="learning rate (log scale)", tickvals=ticks or None, ticktext=labels or None)
    fig.update_yaxes(title="valid accuracy", tickformat=".0%", range=[0, 1.02])
    fig.update_layout(legend={**BELOW, "title": dict(text="optimizer", side="left")})
    return layout(fig, "Learning rate against accuracy", height)
