"""Pure functions: arrays in, Plotly figures out (pictures for a page that redraws while a run trains). One look throughout."""

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from mnistcore.evaluate import row_rates

INK = "gray"  # pixels: 0 black, 1 white, as MNIST stores them
DIVERGING = "RdBu"  # weights and evidence: red negative, white zero, blue positive
CLASS_COLORS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf")
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


def image(img: np.ndarray, title: str | None = None, *, colorscale: str = INK,
          zmin: float | None = None, zmax: float | None = None, zmid: float | None = None,
          height: int = 320, show_scale: bool = True, colorbar_title: str = "value",
          hover: str = "row %{y}, column %{x}: %{z:.3f}") -> go.Figure:
    """One 2-D array as a square heatmap, row 0 at the top, axes labelled."""
    img = np.asarray(img, dtype=float)
    fig = go.Figure(go.Heatmap(
        z=img, colorscale=colorscale, zmin=zmin, zmax=zmax, zmid=zmid, showscale=show_scale,
        colorbar=dict(title=colorbar_title, thickness=12), hovertemplate=hover + "<extra></extra>",
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
    """Overlaid histograms, one per named array, sharing bins."""
    lo = min(float(np.min(v)) for v in series.values())
    hi = max(float(np.max(v)) for v in series.values())
    size = (hi - lo) / bins or 1.0
    fig = go.Figure()
    for i, (name, values) in enumerate(series.items()):
        fig.add_trace(go.Histogram(x=np.ravel(values), name=name, opacity=0.6, histnorm="probability",
                                   xbins=dict(start=lo, end=hi + size, size=size), marker_color=CLASS_COLORS[i]))
    fig.update_layout(barmode="overlay", legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    fig.update_xaxes(title=x_title)
    fig.update_yaxes(title="share of pixels" + (" (log scale)" if log_y else ""), type="log" if log_y else "linear",
                     gridcolor="#eee")
    return _layout(fig, title, height)


def curves(series: dict[str, tuple[Sequence[float], Sequence[float]]], *, title: str | None = None,
           x_title: str = "step", y_title: str = "loss", height: int = 320, log_y: bool = False,
           dashed: Sequence[str] = (), markers: bool = False) -> go.Figure:
    """Line charts: `series` maps a name to (x, y)."""
    fig = go.Figure()
    for i, (name, (x, y)) in enumerate(series.items()):
        fig.add_trace(go.Scatter(x=list(x), y=list(y), mode="lines+markers" if markers else "lines", name=name,
                                 line=dict(color=CLASS_COLORS[i % 10], dash="dash" if name in dashed else None)))
    fig.update_xaxes(title=x_title, gridcolor="#eee")
    fig.update_yaxes(title=y_title, type="log" if log_y else "linear", gridcolor="#eee")
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, title, height)


FEW_POINTS = 20  # a series with fewer points gets dots: one validation point drawn as a line is invisible


def run_curves(series: dict[str, tuple[Sequence[float], Sequence[float]]], *, title: str, y_title: str,
               y_bounds: tuple[float, float] | None = None) -> go.Figure:
    """A training run's curves, interactive, in the same frame as `curves_svg` draws them while it trains.

    `y_bounds` keeps the axis inside them (one accuracy dot had an axis up to 1.5).
    """
    fig = curves(series, title=title, y_title=y_title)
    for trace in fig.data:
        trace.mode = "lines+markers" if len(trace.x) < FEW_POINTS else "lines"
    fig.update_layout(margin=dict(l=62, r=12, t=46, b=50, autoexpand=False))
    if y_bounds is not None:
        fig.update_yaxes(autorangeoptions=dict(minallowed=y_bounds[0], maxallowed=y_bounds[1]))
    return fig


def _ticks(lo: float, hi: float, n: int = 5, whole: bool = False) -> list[float]:
    """About `n` round values (steps of 1, 2, 2.5 or 5 times a power of ten; whole numbers if `whole`) from `lo` to `hi`."""
    if not 0 < hi - lo < float("inf"):  # equal ends, or too far apart for float steps (a diverging loss): no ticks
        return []
    raw = max((hi - lo) / n, 1.0) if whole else (hi - lo) / n
    power = 10 ** np.floor(np.log10(raw))
    step = next(k * power for k in (1, 2, 2.5, 5, 10) if k * power >= raw)
    return [float(v) for v in np.arange(np.ceil(lo / step) * step, hi + step * 1e-9, step)]


def _label(v: float) -> str:
    """A tick label as Plotly writes one: 0.35, 1.2, 800, 12k."""
    return f"{v / 1000:g}k" if abs(v) >= 1000 else f"{v:.6g}"


def curves_svg(series: dict[str, tuple[Sequence[float], Sequence[float]]], *, title: str, y_title: str,
               x_title: str = "step", y_bounds: tuple[float, float] | None = None, width: int = 380, height: int = 300) -> str:
    """A training run's curves as an SVG picture, drawn like `run_curves`, for a page that redraws them while it trains.

    A picture costs the browser a fraction of a Plotly chart's redraw (bench/class_bench.py), so the
    training page shows this while a run goes on, and the interactive chart once it ends.
    """
    from html import escape
    left, right, top, bottom = 62, 12, 46, 50
    series = {name: [(x, y) for x, y in zip(xs, ys) if np.isfinite(y)] for name, (xs, ys) in series.items()}  # a blow-up's inf
    points = [p for line in series.values() for p in line] or [(0.0, 0.0), (1.0, 1.0)]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    x0, x1 = min(xs), max(max(xs), min(xs) + 1)
    pad = (max(ys) - min(ys)) * 0.05 or abs(max(ys)) * 0.05 or 0.05
    y0, y1 = min(ys) - pad, max(ys) + pad
    if y_bounds is not None and y_bounds[0] < y1 and y0 < y_bounds[1]:
        y0, y1 = max(y0, y_bounds[0]), min(y1, y_bounds[1])
    if not y1 - y0 > 0:  # values so large that the padding vanished
        y0, y1 = y0 - 1, y1 + 1
    w, h = width - left - right, height - top - bottom

    def sx(v: float) -> float:
        return left + (v - x0) / (x1 - x0) * w

    def sy(v: float) -> float:
        return top + (y1 - v) / (y1 - y0) * h

    text = 'font-family="Source Sans Pro, sans-serif" fill="#31333f"'
    grey = 'font-family="Source Sans Pro, sans-serif" fill="#808495"'  # tick labels and axis titles, as Streamlit draws Plotly's
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">',
           f'<rect width="{width}" height="{height}" fill="white"/>',
           f'<text x="4" y="22" font-size="16" font-weight="600" {text}>{escape(title)}</text>']
    for v in _ticks(x0, x1, whole=True):  # steps
        out.append(f'<line x1="{sx(v):.1f}" x2="{sx(v):.1f}" y1="{top}" y2="{top + h}" stroke="#eee"/>'
                   f'<text x="{sx(v):.1f}" y="{top + h + 18}" font-size="13" text-anchor="middle" {grey}>{_label(v)}</text>')
    for v in _ticks(y0, y1):
        out.append(f'<line x1="{left}" x2="{left + w}" y1="{sy(v):.1f}" y2="{sy(v):.1f}" stroke="#eee"/>'
                   f'<text x="{left - 6}" y="{sy(v) + 4:.1f}" font-size="13" text-anchor="end" {grey}>{_label(v)}</text>')
    out.append(f'<text x="{left + w / 2}" y="{height - 8}" font-size="14" text-anchor="middle" {grey}>{escape(x_title)}</text>'
               f'<text transform="translate(16 {top + h / 2}) rotate(-90)" font-size="14" text-anchor="middle" {grey}>'
               f'{escape(y_title)}</text>')
    legend_x = width - right
    for i, (name, line) in reversed(list(enumerate(series.items()))):  # right-aligned, as Plotly's legend
        color, label = CLASS_COLORS[i % 10], escape(name)
        legend_x -= 7 * len(name) + 40
        out.append(f'<line x1="{legend_x}" x2="{legend_x + 24}" y1="{top - 12}" y2="{top - 12}" stroke="{color}" '
                   f'stroke-width="2"/><text x="{legend_x + 30}" y="{top - 7}" font-size="13" {text}>{label}</text>')
        coords = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in line)
        out.append(f'<polyline points="{coords}" fill="none" stroke="{color}" stroke-width="2"/>')
        if len(line) < FEW_POINTS:
            out.extend(f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="4" fill="{color}"/>' for x, y in line)
    return "".join(out) + "</svg>"


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


def weight_grid(weights: np.ndarray, titles: Sequence[str], cols: int = 5, height: int = 380) -> go.Figure:
    """Rows of a weight matrix (k, 784) as 28x28 heatmaps on one diverging scale centred on zero."""
    limit = float(np.abs(weights).max()) or 1.0
    fig = mosaic(np.asarray(weights).reshape(-1, 28, 28), titles, cols=cols, colorscale=DIVERGING, zmid=0,
                 zmin=-limit, zmax=limit, show_scale=True, height=height, gap=GRID_GAP)
    fig.update_traces(colorbar=dict(title="weight", thickness=12),
                      hovertemplate="weight %{z:.4f}<extra></extra>")
    return fig


def _diverging_rgb(values: np.ndarray) -> np.ndarray:
    """Map values to red (negative), white (0), blue (positive) as uint8 RGB."""
    limit = float(np.abs(values).max()) or 1.0
    t = np.clip(values / limit, -1, 1)[..., None]  # (..., 1) in [-1, 1]
    red, white, blue = np.array([178, 24, 43]), np.array([247, 247, 247]), np.array([33, 102, 172])
    rgb_ = np.where(t < 0, white + (red - white) * -t, white + (blue - white) * t)
    return rgb_.astype(np.uint8)


def weights_png(weights: np.ndarray, titles: Sequence[str], cols: int = 5, zoom: int = 6) -> bytes:
    """The weight templates as a PNG (red negative, white zero, blue positive) with a colour key.

    A picture costs the browser almost nothing to redraw, so the training page shows this
    while a run goes on, and the interactive heatmap once it ends.
    """
    import io

    from PIL import Image, ImageDraw, ImageFont
    weights = np.asarray(weights).reshape(-1, 28, 28)
    limit = float(np.abs(weights).max()) or 1.0
    images = _diverging_rgb(weights)  # (k, 28, 28, 3), one scale for all
    font = ImageFont.load_default(size=15)
    rows, size, pad, gap = -(-len(images) // cols), 28 * zoom, 22, 10
    width = cols * (size + gap) + gap
    sheet = Image.new("RGB", (width, rows * (size + pad + gap) + gap + 50), "white")
    draw = ImageDraw.Draw(sheet)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        x, y = gap + c * (size + gap), gap + r * (size + pad + gap)
        draw.text((x + size // 2, y), titles[i], fill="#333333", font=font, anchor="mt")
        sheet.paste(Image.fromarray(img).resize((size, size), Image.NEAREST), (x, y + pad))
    key_y, key_w = sheet.height - 40, width // 2  # the colour key: -limit ... 0 ... +limit
    ramp = _diverging_rgb(np.linspace(-limit, limit, key_w)[None, :].repeat(12, axis=0))  # (12, key_w, 3)
    key_x = (width - key_w) // 2
    sheet.paste(Image.fromarray(ramp), (key_x, key_y))
    for value, x in ((-limit, key_x), (0.0, key_x + key_w // 2), (limit, key_x + key_w)):
        draw.text((x, key_y + 16), f"{value:+.3f}" if value else "0", fill="#333333", font=font, anchor="mt")
    out = io.BytesIO()
    sheet.save(out, format="PNG", compress_level=1)  # fast: it is redrawn twice a second
    return out.getvalue()


def confusion(counts: np.ndarray, labels: Sequence[str], *, normalized: bool = False,
              selected: tuple[int, int] | None = None, height: int = 480) -> go.Figure:
    """A confusion matrix (rows true, columns predicted), clickable through an invisible point per cell."""
    rates = row_rates(counts)
    z = rates if normalized else counts
    off = z.astype(float).copy()
    np.fill_diagonal(off, np.nan)  # colour the mistakes; the diagonal would drown them
    k = len(labels)
    text = [[f"{rates[i, j]:.0%}" if normalized else str(counts[i, j]) for j in range(k)] for i in range(k)]
    fig = go.Figure(go.Heatmap(z=off, x=list(range(k)), y=list(range(k)), colorscale="Reds", showscale=False,
                               text=text, texttemplate="%{text}", hoverinfo="skip"))
    diag = [[z[i, j] if i == j else np.nan for j in range(k)] for i in range(k)]
    fig.add_trace(go.Heatmap(z=diag, x=list(range(k)), y=list(range(k)), colorscale="Greens", showscale=False,
                             text=text, texttemplate="%{text}", hoverinfo="skip"))
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
    fig.update_layout(legend=dict(orientation="h", y=1.02, yanchor="bottom", x=1, xanchor="right"))
    return _layout(fig, title, height)
