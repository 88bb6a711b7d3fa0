"""Arrays drawn as pictures: a digit, many digits, a tensor of any rank, a table of pixel values, weight templates."""

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from mnistcore.figures.house import ACCENT, DIVERGING, INK, for_or_against, layout


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
    return layout(fig, title, height)


def tile(images: np.ndarray, cols: int, gap: int = 2) -> np.ndarray:
    """Lay (N, H, W) images out in a grid `cols` wide, NaN in the gaps (drawn as background)."""
    n, h, w = images.shape
    rows = -(-n // cols)
    canvas = np.full((rows * (h + gap) - gap, cols * (w + gap) - gap), np.nan)
    for i, img in enumerate(images):
        r, c = divmod(i, cols)
        canvas[r * (h + gap): r * (h + gap) + h, c * (w + gap): c * (w + gap) + w] = img
    return canvas


def class_rows(images: np.ndarray, labels: np.ndarray, per_class: int = 8, classes: int = 10, gap: int = 2,
               background: int = 96) -> np.ndarray:
    """A plain picture (uint8) of (N, H, W) uint8 images by class: one row per class holding its first `per_class`
    images, on grey so that black around a digit still shows where its tile ends; a shorter class leaves grey."""
    h, w = np.shape(images)[1:]
    chosen = np.full((classes * per_class, h, w), np.nan)  # (classes * per_class, H, W): NaN where no image
    for c in range(classes):
        first = np.asarray(images)[np.flatnonzero(np.asarray(labels) == c)[:per_class]]
        chosen[c * per_class:c * per_class + len(first)] = first
    canvas = tile(chosen, per_class, gap)  # (classes * (H + gap) - gap, per_class * (W + gap) - gap)
    return np.where(np.isnan(canvas), background, canvas).astype(np.uint8)


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
    return layout(fig, title, height or 30 + rows * tile_height + (40 if title else 0))


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
    return layout(fig, title, height or 40 + rows * (110 if cols <= 4 else 80))


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
    return layout(fig, title, height or 60 + 34 * max(values.shape[0], 3))


GRID_GAP = 3  # pixels of a template between two templates side by side
ROW_GAP = 15  # pixels of a template above each row: room for its two-line caption ("Trouser", "±0.12")
TEMPLATE_COLS = 5
TEMPLATE_WIDTH = 540  # px: the training page's templates column at 1280 px, where the live picture's tiles are ~100 px


def template_grid_height(k: int, cols: int = TEMPLATE_COLS, width: int = TEMPLATE_WIDTH) -> int:
    """The one size rule of a grid of `k` templates `cols` wide: the height at which, in a container `width` px wide,
    each tile is as large as the live picture's (a wider container keeps that size; a narrower one, a phone's, fills
    its width)."""
    rows = -(-k // cols)
    px = width / (cols * 28 + (cols - 1) * GRID_GAP)  # screen pixels per template pixel
    return round(rows * (28 + ROW_GAP) * px) + 60  # + the colour key above the grid


def template_limits(weights: np.ndarray) -> np.ndarray:
    """Each template's largest |weight| (k,): its own colour scale. One scale for all let a few extreme pixels of
    one class fade every other template to white."""
    return np.abs(np.asarray(weights).reshape(len(weights), -1)).max(axis=1).clip(min=1e-12)


def weight_grid(weights: np.ndarray, titles: Sequence[str], cols: int = TEMPLATE_COLS, height: int | None = None) -> go.Figure:
    """Rows of a weight matrix (k, 784) as 28x28 heatmaps, each on its own diverging scale centred on zero, captioned with
    its name and its scale on two lines, the colour key above them; as large as `template_grid_height` makes them."""
    weights = np.asarray(weights).reshape(-1, 28, 28)  # (k, 28, 28)
    k, limits = len(weights), template_limits(weights)
    rows = -(-k // cols)
    canvas = np.full((rows * (28 + ROW_GAP), cols * (28 + GRID_GAP) - GRID_GAP), np.nan)  # a caption's room above each row
    for i, w in enumerate(weights / limits[:, None, None]):
        r, c = divmod(i, cols)
        canvas[r * (28 + ROW_GAP) + ROW_GAP: (r + 1) * (28 + ROW_GAP), c * (28 + GRID_GAP): c * (28 + GRID_GAP) + 28] = w
    fig = go.Figure(go.Heatmap(
        z=canvas, colorscale=DIVERGING, zmid=0, zmin=-1, zmax=1, hoverongaps=False, text=for_or_against(canvas),
        hovertemplate="%{z:+.2f} of this template's largest weight: %{text} the class<extra></extra>",
        colorbar=dict(orientation="h", x=0.5, xanchor="center", y=1, yanchor="bottom", len=0.7, thickness=10,
                      tickvals=[-1, 0, 1], ticktext=["against: −its largest", "0", "for: +its largest"])))
    for i, (text, lim) in enumerate(zip(titles, limits)):
        r, c = divmod(i, cols)
        fig.add_annotation(x=c * (28 + GRID_GAP) + 13.5, y=r * (28 + ROW_GAP) + ROW_GAP - 0.5, text=f"{text}<br>±{lim:.2g}",
                           showarrow=False, yanchor="bottom", font=dict(size=13))
    fig.update_yaxes(autorange="reversed", scaleanchor="x", visible=False, constrain="domain", constraintoward="top")
    fig.update_xaxes(visible=False, constrain="domain")
    fig = layout(fig, None, height or template_grid_height(k, cols))
    return fig.update_layout(margin=dict(l=0, r=0, t=55, b=0))  # the key above: a phone's spare height falls below


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
