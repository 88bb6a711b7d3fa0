"""Pure functions: arrays in, Plotly figures out. One look for every page (mnistcore/pictures.py draws in it too)."""

import functools
import math
from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from mnistcore.evaluate import row_rates

INK = "gray"  # pixels: 0 black, 1 white, as MNIST stores them
# Weights and evidence: red negative, white zero, blue positive. ColorBrewer's RdBu, written out so that
# Plotly's charts and the PNG sheets (pictures.diverging_rgb) draw the very same colours.
DIVERGING_RGB = ((103, 0, 31), (178, 24, 43), (214, 96, 77), (244, 165, 130), (253, 219, 199), (247, 247, 247),
                 (209, 229, 240), (146, 197, 222), (67, 147, 195), (33, 102, 172), (5, 48, 97))
DIVERGING = [[i / (len(DIVERGING_RGB) - 1), f"rgb{rgb}".replace(" ", "")] for i, rgb in enumerate(DIVERGING_RGB)]
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
# The third line's green and the second's orange look alike to protanopes (CIELAB distance 4.8, see
# tests/test_colour_vision.py): every line also has a dash of its own, so colour is never the only carrier.
DASHES = ("solid", "dash", "dot", "dashdot", "longdash")
# A line chart's legend, under its x-axis title: above the plot, on a phone, it ran over the chart's title.
BELOW = dict(orientation="h", yref="container", y=0, yanchor="bottom", x=0, xanchor="left")
ACCENT = "#d62728"  # the one thing on a chart the text talks about
MUTED = "#9aa5b1"
FONT = dict(family="Source Sans Pro, sans-serif", size=14)


def _layout(fig: go.Figure, title: str | None, height: int) -> go.Figure:
    """Apply the house layout: title, font, tight margins, white background."""
    fig.update_layout(
        title=dict(text=title, x=0, xanchor="left") if title else None, height=height,
        margin=dict(l=10, r=10, t=40 if title else 10, b=10), font=FONT,
        plot_bgcolor="white", paper_bgcolor="white",
    )
    return fig


@functools.cache
def blank() -> go.Figure:
    """An empty chart without a template, built once per process and only read after (st.plotly_chart's to_dict).

    It loads plotly.js in the browser (app_pages/charts.preload). Sending it costs the server 0.03 ms; an empty
    house figure cost 9 ms, built on every full run of the training page and the board: 22% of the server's
    GIL time in a room of 20 (py-spy --gil)."""
    return go.Figure(layout={"template": "none", "height": 10})


def for_or_against(values: np.ndarray) -> np.ndarray:
    """Each value's side in words, for a diverging map's hover: "for" above zero, "against" below."""
    return np.where(values > 0, "for", np.where(values < 0, "against", "neither"))


def image(img: np.ndarray, title: str | None = None, *, colorscale: str = INK,
          zmin: float | None = None, zmax: float | None = None, zmid: float | None = None,
          height: int = 320, show_scale: bool = True, colorbar_title: str = "value",
          hover: str = "row %{y}, column %{x}: %{z:.3f}") -> go.Figure:
    """One 2-D array as a square heatmap, row 0 at the top, axes labelled; centred on zero, its hover says
    "for" or "against" as well as the colour does."""
    img = np.asarray(img, dtype=float)
    words = for_or_against(img) if zmid == 0 else None
    fig = go.Figure(go.Heatmap(
        z=img, colorscale=colorscale, zmin=zmin, zmax=zmax, zmid=zmid, showscale=show_scale, text=words,
        colorbar=dict(title=colorbar_title, thickness=12),
        hovertemplate=hover + (" (%{text})" if words is not None else "") + "<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain", title="row (axis 0)")
    fig.update_xaxes(constrain="domain", title="column (axis 1)")
    return _layout(fig, title, height)


def tile(images: np.ndarray, cols: int, gap: int = 2) -> np.ndarray:
    """Lay (N, H, W) images out in a grid `cols` wide, NaN in the gaps (drawn as background)."""
    n, h, w = images.shape
    rows = -(-n // cols)
    canvas = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        canvas[r * (h + gap): r * (h + gap) + h, c * (w + gap): c * (w + gap) + w] = img
    return canvas


def mosaic(images: np.ndarray, titles: Sequence[str] | None = None, *, cols: int = 10,
           colorscale: str = INK, zmin: float | None = None, zmax: float | None = None,
           zmid: float | None = None, height: int | None = None, title: str | None = None,
           show_scale: bool = False, gap: int = 2) -> go.Figure:
    """Many (N, H, W) images tiled into one heatmap, each with a caption above it."""
    images = np.asarray(images, dtype=float)
    n, h, w = images.shape
    rows = -(-n // cols)
    canvas = tile(images, cols, gap)
    fig = go.Figure(go.Heatmap(
        z=canvas, colorscale=colorscale, zmin=zmin, zmax=zmax, zmid=zmid, showscale=show_scale,
        hoverongaps=False, colorbar=dict(thickness=12), hovertemplate="%{z:.2f}<extra></extra>",
    ))
    for i, text in enumerate(titles or []):
        r, c = divmod(i, cols)
        fig.add_annotation(x=c * (w + gap) + w / 2 - 0.5, y=r * (h + gap) - 0.5, text=text,
                           showarrow=False, yanchor="bottom", font=dict(size=12))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False)
    fig.update_xaxes(visible=False)
    tile_height = 80 if titles else 64
    return _layout(fig, title, height or 30 + rows * tile_height + (40 if title else 0))


def bars(values: Sequence[float], labels: Sequence[str], *, title: str | None = None,
         highlight: int | None = None, y_title: str = "probability", x_title: str = "class",
         height: int = 300, y_range: tuple[float, float] | None = None, text_format: str = ".2f",
         colors: Sequence[str] | None = None) -> go.Figure:
    """A bar per class; the bar at `highlight` drawn in the accent colour (or each in `colors`)."""
    colors = colors or [ACCENT if i == highlight else MUTED for i in range(len(values))]
    fig = go.Figure(go.Bar(x=list(labels), y=list(values), marker_color=colors,
                           texttemplate="%{y:" + text_format + "}", textposition="outside", cliponaxis=False))
    fig.update_xaxes(title=x_title, type="category")
    fig.update_yaxes(title=y_title, range=y_range, gridcolor="#eee", zerolinecolor="#999")
    return _layout(fig, title, height)


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
        _log_ticks(fig, np.concatenate(shares))
    return _layout(fig, title, height)


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
        _log_ticks(fig, np.concatenate([np.asarray(y, dtype=float) for _, y in series.values()]))
    fig.update_layout(legend=BELOW)
    return _layout(fig, title, height)


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


def _log_ticks(fig: go.Figure, values: np.ndarray) -> None:
    """Put log_ticks on the figure's y axis."""
    ticks, words = log_ticks(values)
    if ticks:
        fig.update_yaxes(tickvals=ticks, ticktext=words)


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


def rgb(images: np.ndarray, titles: Sequence[str] | None = None, *, cols: int = 8,
        title: str | None = None, height: int | None = None, gap: int = 2) -> go.Figure:
    """Colour images (N, H, W, 3) in [0, 1] tiled side by side on white."""
    images = np.clip(np.asarray(images, dtype=float), 0, 1)
    n, h, w, _ = images.shape
    rows = -(-n // cols)
    cols = min(cols, n)
    canvas = np.ones((rows * (h + gap) - gap, cols * (w + gap) - gap, 3))
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        canvas[r * (h + gap): r * (h + gap) + h, c * (w + gap): c * (w + gap) + w] = img
    fig = go.Figure(go.Image(z=(canvas * 255).astype(np.uint8), hoverinfo="skip"))
    for i, text in enumerate(titles or []):
        r, c = divmod(i, cols)
        fig.add_annotation(x=c * (w + gap) + w / 2, y=r * (h + gap) - 0.5, text=text, showarrow=False,
                           yanchor="bottom", font=dict(size=12))
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return _layout(fig, title, height or 40 + rows * (110 if cols <= 4 else 80))


def tensor_picture(t: np.ndarray, title: str | None = None, *, zmin: float = 0, zmax: float = 1) -> go.Figure:
    """A picture of a tensor of rank 0 to 4: a cell, a strip, an image, a row of images, colour images."""
    t = np.asarray(t, dtype=float)
    if t.ndim == 0:
        fig = image(t.reshape(1, 1), title, zmin=zmin, zmax=zmax, height=220, hover="value %{z:.3f}")
        fig.add_annotation(x=0, y=0, text=f"{float(t):.3f}", showarrow=False, font=dict(size=20, color=ACCENT))
        fig.update_xaxes(visible=False)  # a scalar has no axes: no row or column to label
        fig.update_yaxes(visible=False)
        return fig
    if t.ndim == 1:
        fig = image(t[None, :], title, zmin=zmin, zmax=zmax, height=170, hover="position %{x}: %{z:.3f}", show_scale=False)
        fig.update_yaxes(title=None, showticklabels=False, scaleanchor=None)  # a long vector: stretch it
        fig.update_xaxes(title="position (axis 0)")
        return fig
    if t.ndim == 2:
        return image(t, title, zmin=zmin, zmax=zmax)
    if t.ndim == 3:
        return mosaic(t, [f"[{k}]" for k in range(len(t))], cols=min(len(t), 8), zmin=zmin, zmax=zmax, title=title)
    return rgb(t.transpose(0, 2, 3, 1), [f"[{k}]" for k in range(len(t))], title=title)  # NCHW -> NHWC


def outline(fig: go.Figure, r0: float, r1: float, c0: float, c1: float, color: str = ACCENT) -> go.Figure:
    """Draw a rectangle around rows r0..r1-1 and columns c0..c1-1 of a heatmap."""
    fig.add_shape(type="rect", x0=c0 - 0.5, x1=c1 - 0.5, y0=r0 - 0.5, y1=r1 - 0.5,
                  line=dict(color=color, width=3))
    return fig


def number_grid(values: np.ndarray, title: str | None = None, *, row0: int = 0, col0: int = 0,
                zmin: float = 0, zmax: float = 1, fmt: str = ".2f", height: int | None = None) -> go.Figure:
    """A small table of numbers coloured by value, labelled with their original row and column."""
    values = np.asarray(values, dtype=float)
    fig = go.Figure(go.Heatmap(
        z=values, x=[str(col0 + c) for c in range(values.shape[1])], y=[str(row0 + r) for r in range(values.shape[0])],
        colorscale=INK, zmin=zmin, zmax=zmax, texttemplate="%{z:" + fmt + "}", showscale=False,
        textfont=dict(size=12), hovertemplate="row %{y}, column %{x}: %{z:.3f}<extra></extra>",
    ))
    fig.update_yaxes(autorange="reversed", type="category", title="row")
    fig.update_xaxes(type="category", title="column", side="top")
    return _layout(fig, title, height or 60 + 34 * max(values.shape[0], 3))


GRID_GAP = 7  # pixels between templates: room for each caption above its picture


def template_limits(weights: np.ndarray) -> np.ndarray:
    """Each template's largest |weight| (k,): its own colour scale. One scale for all let a few extreme pixels of
    one class fade every other template to white."""
    return np.abs(np.asarray(weights).reshape(len(weights), -1)).max(axis=1).clip(min=1e-12)


def weight_grid(weights: np.ndarray, titles: Sequence[str], cols: int = 5, height: int = 380) -> go.Figure:
    """Rows of a weight matrix (k, 784) as 28x28 heatmaps, each on its own diverging scale centred on zero."""
    weights = np.asarray(weights).reshape(-1, 28, 28)  # (k, 28, 28)
    limits = template_limits(weights)
    fig = mosaic(weights / limits[:, None, None], [f"{t}  ±{lim:.2g}" for t, lim in zip(titles, limits)], cols=cols,
                 colorscale=DIVERGING, zmid=0, zmin=-1, zmax=1, show_scale=True, height=height, gap=GRID_GAP)
    fig.update_traces(colorbar=dict(title="share of its<br>largest weight", thickness=12, tickvals=[-1, 0, 1],
                                    ticktext=["-1 against", "0", "+1 for"]),
                      text=for_or_against(fig.data[0].z), hovertemplate="%{z:+.2f} of this template's largest weight: "
                                                                      "%{text} the class<extra></extra>")
    return fig


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


def readable_cells(z: np.ndarray, text: list[list[str]], colorscale: str, dark_from: float = 0.6) -> list[go.Heatmap]:
    """`z` (k, k) as two heatmaps on one colour scale: dark text on its light cells, white on its dark ones.
    Plotly gave every cell one text colour, and a count on the darkest red could not be read."""
    finite = z[np.isfinite(z)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    dark = np.isfinite(z) & (z >= lo + dark_from * (hi - lo))  # (k, k)
    k = len(z)
    return [go.Heatmap(z=np.where(part, z, np.nan), x=list(range(k)), y=list(range(k)), zmin=lo, zmax=hi,
                       colorscale=colorscale, showscale=False, text=text, texttemplate="%{text}", hoverinfo="skip",
                       textfont=dict(color=colour))
            for part, colour in ((~dark, "#222"), (dark, "white"))]


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
    fig.update_xaxes(title="predicted class", tickvals=list(range(k)), ticktext=list(labels), side="top")
    fig.update_yaxes(title="true class", tickvals=list(range(k)), ticktext=list(labels), autorange="reversed")
    fig.update_layout(clickmode="event+select", dragmode=False)
    return _layout(fig, None, height)


def enlarged(a: np.ndarray, zoom: int = 8) -> np.ndarray:
    """An image (H, W) or (H, W, 3) with each pixel as a zoom x zoom block (H*zoom, W*zoom[, 3]), for a plain
    picture: a browser blurs a small picture it stretches, and a picture costs it far less than a chart."""
    a = np.asarray(a, dtype=np.float32)
    return a.repeat(zoom, axis=0).repeat(zoom, axis=1)


def thumbnail(a: np.ndarray, size: int = 56) -> np.ndarray:
    """Any 2-D array shown in a size x size square: scaled to fit, aspect kept, NaN around it."""
    from PIL import Image
    a = np.asarray(a, dtype=np.float32)
    scale = size / max(a.shape)
    h, w = max(1, round(a.shape[0] * scale)), max(1, round(a.shape[1] * scale))
    small = np.asarray(Image.fromarray(a, mode="F").resize((w, h), Image.NEAREST))
    out = np.full((size, size), np.nan)
    top, left = (size - h) // 2, (size - w) // 2
    out[top:top + h, left:left + w] = small
    return out


def descent(a_vals: np.ndarray, b_vals: np.ndarray, losses: np.ndarray, path: Sequence[tuple[float, float]],
            best: tuple[float, float], *, title: str | None = None, height: int = 420) -> go.Figure:
    """The loss over (a, b) as contours (log scale), the path gradient descent took, and the lowest point."""
    fig = go.Figure(go.Contour(x=a_vals, y=b_vals, z=np.log10(losses), colorscale="Blues", reversescale=True,
                               contours=dict(coloring="heatmap", showlines=True), line=dict(width=0.5),
                               colorbar=dict(title="log10 loss", thickness=12),
                               hovertemplate="a %{x:.2f}, b %{y:.2f}<br>log10 loss %{z:.2f}<extra></extra>"))
    inside = [(a, b) for a, b in path if a_vals[0] <= a <= a_vals[-1] and b_vals[0] <= b <= b_vals[-1]]
    if inside:
        fig.add_trace(go.Scatter(x=[a for a, _ in inside], y=[b for _, b in inside], mode="lines+markers",
                                 line=dict(color=ACCENT, width=2), marker=dict(size=6), name="path"))
    fig.add_trace(go.Scatter(x=[best[0]], y=[best[1]], mode="markers", name="lowest loss",
                             marker=dict(symbol="star", size=14, color="gold", line=dict(color="black", width=1))))
    fig.update_xaxes(title="a (slope)", range=[a_vals[0], a_vals[-1]])
    fig.update_yaxes(title="b (intercept)", range=[b_vals[0], b_vals[-1]])
    fig.update_layout(showlegend=False)
    return _layout(fig, title, height)


def line_fit(x: np.ndarray, y: np.ndarray, a: float, b: float, *, title: str | None = None, height: int = 420) -> go.Figure:
    """The points and the line y = a x + b."""
    xs = np.array([x.min(), x.max()])
    fig = go.Figure([go.Scatter(x=x, y=y, mode="markers", marker=dict(color=MUTED), name="points"),
                     go.Scatter(x=xs, y=a * xs + b, mode="lines", line=dict(color=ACCENT, width=3), name="a x + b")])
    fig.update_xaxes(title="x", gridcolor="#eee")
    fig.update_yaxes(title="y", gridcolor="#eee")
    fig.update_layout(showlegend=False)
    return _layout(fig, title, height)


def relu_pieces(x: np.ndarray, target: np.ndarray, fit: np.ndarray, pieces: np.ndarray, bias: float, *,
                title: str | None = None, height: int = 420) -> go.Figure:
    """A target curve, the network's fit, and underneath, the ReLU pieces (each hidden unit's scaled hinge)."""
    fig = go.Figure()
    for i, piece in enumerate(pieces):
        fig.add_trace(go.Scatter(x=x, y=piece, mode="lines", line=dict(color=MUTED, width=1), opacity=0.7,
                                 name="one ReLU piece", showlegend=i == 0, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=target, mode="lines", line=dict(color="black", width=2, dash="dot"), name="target"))
    fig.add_trace(go.Scatter(x=x, y=fit, mode="lines", line=dict(color=ACCENT, width=3),
                             name=f"sum of the pieces + bias ({bias:+.2f})"))
    fig.update_xaxes(title="x", gridcolor="#eee")
    fig.update_yaxes(title="y", gridcolor="#eee")
    fig.update_layout(legend=BELOW)
    return _layout(fig, title, height)


OPTIMIZER_COLORS = {"Adam": CLASS_COLORS[0], "SGD": CLASS_COLORS[1]}


def lr_scatter(rows: Sequence[dict], *, height: int = 340) -> go.Figure:
    """The class's runs: learning rate (log) against validation accuracy, one colour per optimizer; a run whose
    loss overshot is an open marker (it has an accuracy, but its loss rose)."""
    fig = go.Figure()
    for optimizer, color in OPTIMIZER_COLORS.items():
        mine = [r for r in rows if r["optimizer"] == optimizer and r["valid accuracy"] is not None]
        shape = "circle" if optimizer == "Adam" else "diamond"
        fig.add_trace(go.Scatter(
            x=[r["lr"] for r in mine], y=[r["valid accuracy"] for r in mine], mode="markers", name=optimizer,
            marker=dict(color=color, size=11, symbol=[shape + "-open" * (r["status"] == "overshot") for r in mine],
                        line=dict(color=color, width=2)),
            text=[f"{r['name']}: batch {r['batch']}, {r['epochs']} epoch(s)" + " (overshot)" * (r["status"] == "overshot")
                  for r in mine],
            hovertemplate="%{text}<br>lr %{x:g} · %{y:.2%}<extra>" + optimizer + "</extra>"))
    lrs = [r["lr"] for r in rows if r["lr"]]
    ticks, labels = log_ticks(np.array(lrs + [min(lrs) / 3, max(lrs) * 3]) if lrs else np.array([]))
    fig.update_xaxes(type="log", title="learning rate (log scale)", tickvals=ticks or None, ticktext=labels or None)
    fig.update_yaxes(title="valid accuracy", tickformat=".0%", range=[0, 1.02])
    fig.update_layout(legend={**BELOW, "title": dict(text="optimizer", side="left")})
    return _layout(fig, "Learning rate against accuracy", height)
