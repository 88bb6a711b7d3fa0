"""Pictures for a page that redraws while a run trains: the curves as SVG, the weight templates as PNG.

A picture costs the browser a fraction of a Plotly chart's redraw (bench/class_bench.py), so the
training page shows these while a run goes on and the interactive figures (mnistcore/figures/)
once it ends, in the same colours and frame.
"""

from collections.abc import Sequence

import numpy as np

from mnistcore.figures.charts import FEW_POINTS
from mnistcore.figures.house import CLASS_COLORS, DIVERGING_RGB, y_window
from mnistcore.figures.images import template_limits


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
               x_title: str = "step", y_bounds: tuple[float, float] | None = None, min_span: float = 0.0,
               width: int = 380, height: int = 300) -> str:
    """A training run's curves as an SVG picture, drawn like `run_curves`, for a page that redraws them while it trains.

    The training page shows this while a run goes on, and the interactive chart once it ends.
    """
    from html import escape
    left, right, top, bottom = 62, 12, 46, 50
    series = {name: [(x, y) for x, y in zip(xs, ys) if np.isfinite(y)] for name, (xs, ys) in series.items()}  # a blow-up's inf
    points = [p for line in series.values() for p in line] or [(0.0, 0.0), (1.0, 1.0)]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    x0, x1 = min(xs), max(max(xs), min(xs) + 1)
    y0, y1 = y_window(ys, y_bounds, min_span)
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


def _diverging_rgb(values: np.ndarray) -> np.ndarray:
    """Map values to figures.DIVERGING's colours (red negative, white 0, blue positive) as uint8 RGB."""
    limit = float(np.abs(values).max()) or 1.0
    t = (np.clip(values / limit, -1, 1) + 1) / 2  # (...) in [0, 1], where the colour scale is read
    stops = np.linspace(0, 1, len(DIVERGING_RGB))
    channels = [np.interp(t, stops, [rgb[c] for rgb in DIVERGING_RGB]) for c in range(3)]
    return np.rint(np.stack(channels, axis=-1)).astype(np.uint8)  # (..., 3)


def weights_png(weights: np.ndarray, titles: Sequence[str], cols: int = 5, zoom: int = 6) -> bytes:
    """The weight templates as a PNG (red negative, white zero, blue positive) with a colour key.

    A picture costs the browser almost nothing to redraw, so the training page shows this
    while a run goes on, and the interactive heatmap once it ends.
    """
    import io

    from PIL import Image, ImageDraw, ImageFont
    weights = np.asarray(weights).reshape(-1, 28, 28)  # (k, 28, 28)
    limits = template_limits(weights)
    images = np.stack([_diverging_rgb(w) for w in weights])  # (k, 28, 28, 3), each on its own scale
    titles = [f"{t}  ±{lim:.2g}" for t, lim in zip(titles, limits)]
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
    key_y, key_w = sheet.height - 40, width // 2  # the colour key: each template's own -max ... 0 ... +max
    ramp = _diverging_rgb(np.linspace(-1, 1, key_w)[None, :].repeat(12, axis=0))  # (12, key_w, 3)
    key_x = (width - key_w) // 2
    sheet.paste(Image.fromarray(ramp), (key_x, key_y))
    for words, x in (("against: -max", key_x), ("0", key_x + key_w // 2), ("for: +max", key_x + key_w)):
        draw.text((x, key_y + 16), words, fill="#333333", font=font, anchor="mt")
    out = io.BytesIO()
    sheet.save(out, format="PNG", compress_level=1)  # fast: it is redrawn twice a second
    return out.getvalue()


def strip_png(weights: np.ndarray, zoom: int = 3, gap: int = 4) -> bytes:
    """The templates side by side in one row, each on its own scale (red against, white zero, blue for): one
    student's model on the class board, small enough for twenty on a projector."""
    import io

    from PIL import Image
    weights = np.asarray(weights).reshape(-1, 28, 28)  # (k, 28, 28)
    size = 28 * zoom
    sheet = Image.new("RGB", (len(weights) * (size + gap) - gap, size), "white")
    for i, w in enumerate(weights):
        sheet.paste(Image.fromarray(_diverging_rgb(w)).resize((size, size), Image.NEAREST), (i * (size + gap), 0))
    out = io.BytesIO()
    sheet.save(out, format="PNG")
    return out.getvalue()
