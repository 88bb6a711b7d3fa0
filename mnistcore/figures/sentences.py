"""Words for pictures: what a chart, a weight template or a digit shows, for screen readers and for everyone who
reads faster than they look."""

import html
import re
from collections.abc import Sequence

import numpy as np

from mnistcore import predictions

REGIONS = (("top left", "top", "top right"), ("left", "centre", "right"), ("bottom left", "bottom", "bottom right"))


def percent_or_number(value: float, as_percent: bool) -> str:
    """A value as a percentage with one decimal, or with three significant digits."""
    return f"{value:.1%}" if as_percent else f"{value:.3g}"


def plain_text(text: str | None) -> str:
    """Plotly's title markup as plain words: tags dropped, line breaks as spaces, entities (house.outside) decoded."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text or ""))).strip()


def number(value: float) -> str:
    """A value with the digits a sentence needs: a count in full, any other value to three significant digits."""
    value = float(value)
    if value.is_integer() or abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def curve(name: str, xs: Sequence[float], ys: Sequence[float], as_percent: bool = False, x_name: str = "step") -> str:
    """One line of a chart in words: "valid accuracy rose from 79.1% at step 100 to 91.9% at step 782"."""
    points = [(x, y) for x, y in zip(xs, ys) if np.isfinite(y)]
    if not points:
        return f"{name}: no points yet"
    (x0, y0), (x1, y1) = points[0], points[-1]
    if len(points) == 1:
        return f"{name} {percent_or_number(y0, as_percent)} at {x_name} {number(x0)}"
    moved = "rose" if y1 > y0 else "fell" if y1 < y0 else "stayed"
    return (f"{name} {moved} from {percent_or_number(y0, as_percent)} at {x_name} {number(x0)} to "
            f"{percent_or_number(y1, as_percent)} at {x_name} {number(x1)}")


def region(weights: np.ndarray) -> str:
    """The ninth of a 28 x 28 picture where `weights` (784,) add up to the most."""
    grid = np.asarray(weights, dtype=float).reshape(28, 28)[:27, :27].reshape(3, 9, 3, 9).sum(axis=(1, 3))  # (3, 3)
    r, c = np.unravel_index(int(grid.argmax()), grid.shape)
    return REGIONS[r][c]


def template(weights: np.ndarray, title: str) -> str:
    """A weight template in words: where its pixels count for the class and where against, and its range."""
    w = np.asarray(weights, dtype=float).reshape(784)
    return (f"weights for {title}: pixels count most for it in the {region(np.clip(w, 0, None))}, most against it in "
            f"the {region(np.clip(-w, 0, None))}; from {w.min():+.2g} to {w.max():+.2g}")


def templates(weights: np.ndarray, titles: Sequence[str]) -> str:
    """Every template in words, one sentence each."""
    return ". ".join(template(w, t) for w, t in zip(np.asarray(weights).reshape(-1, 784), titles)) + "."


def digit(truth: str, said: str | None = None, confidence: float | None = None) -> str:
    """A digit image in words: its true label and, when there is one, what the model said and how sure it was."""
    if said is None:
        return f"a handwritten {truth}"
    sure = f" with {confidence:.0%} confidence" if confidence is not None else ""
    verdict = "correctly" if said == truth else "wrongly"
    return f"a handwritten {truth}, {verdict} predicted {said}{sure}"


def bars(trace, x_name: str) -> str:
    """Bars in words: each value when there are a few, else the highest and the lowest."""
    labels, values = [str(x) for x in trace.x], [float(v) for v in trace.y]
    if len(values) <= 4:
        return ", ".join(f"{label} {number(v)}" for label, v in zip(labels, values))
    hi, lo = int(np.argmax(values)), int(np.argmin(values))
    return (f"{len(values)} bars, highest {x_name} {labels[hi]} ({number(values[hi])}), "
            f"lowest {x_name} {labels[lo]} ({number(values[lo])})")


def spread(name: str, centres: np.ndarray, shares: np.ndarray) -> str:
    """A histogram's bars in words: where its values lie, and where most of them are."""
    seen = np.isfinite(shares) & (shares > 0)
    if not seen.any():
        return f"{name}: no values"
    top = int(np.nanargmax(np.where(seen, shares, np.nan)))
    return (f"{name}: values from about {number(centres[seen][0])} to {number(centres[seen][-1])}, "
            f"the most ({shares[top]:.0%} of them) near {number(centres[top])}")


def points(name: str, xs: np.ndarray, ys: np.ndarray, x_name: str, y_name: str) -> str:
    """Scattered points in words: one point's place, or how many and the ranges they span."""
    if xs.size == 0:
        return f"{name}: no points yet"
    if xs.size == 1:
        return f"{name} at {x_name} {number(xs[0])}, {y_name} {number(ys[0])}"
    return (f"{name}: {xs.size} points, {x_name} from {number(xs.min())} to {number(xs.max())}, "
            f"{y_name} from {number(ys.min())} to {number(ys.max())}")


def picture(z: np.ndarray, captions: Sequence[str]) -> str:
    """A heatmap in words: its size and range, and the captions of the pictures tiled in it."""
    finite = z[np.isfinite(z)]
    values = f" of values from {number(finite.min())} to {number(finite.max())}" if finite.size else ""
    if captions:
        return f"{len(captions)} picture{'' if len(captions) == 1 else 's'}{values}: {', '.join(captions)}"
    return f"a {z.shape[0]} × {z.shape[1]} picture{values}"


def lowest(trace, x_name: str, y_name: str) -> str:
    """A contour map in words: where it is lowest."""
    z = np.asarray(trace.z, dtype=float)  # (len(y), len(x))
    r, c = np.unravel_index(int(np.nanargmin(z)), z.shape)
    what = plain_text(trace.colorbar.title.text) or "value"
    return f"{what} lowest ({number(z[r, c])}) at {x_name} {number(trace.x[c])}, {y_name} {number(trace.y[r])}"


def figure(fig) -> str:
    """A Plotly figure in one sentence: its title, then each visible trace in words (`curve`, `bars`, ...)."""
    x_name = plain_text(fig.layout.xaxis.title.text) or "x"
    y_name = plain_text(fig.layout.yaxis.title.text) or "y"
    captions = [plain_text(a.text) for a in fig.layout.annotations]
    parts = []
    for trace in fig.data:
        name = plain_text(getattr(trace, "name", None)) or y_name
        if trace.type == "bar" and trace.width is not None:  # a histogram's bins (figures.histogram)
            parts.append(spread(name, np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)))
        elif trace.type == "bar":
            parts.append(bars(trace, x_name))
        elif trace.type == "heatmap":
            parts.append(picture(np.asarray(trace.z, dtype=float), captions))
        elif trace.type == "image":  # colour pictures (figures.rgb): what they show is in their captions
            parts.append(f"{len(captions)} colour picture{'' if len(captions) == 1 else 's'}" +
                         (f": {', '.join(captions)}" if captions else ""))
        elif trace.type == "contour":
            parts.append(lowest(trace, x_name, y_name))
        elif trace.type == "scatter" and trace.hoverinfo != "skip" and trace.marker.opacity != 0:
            xs, ys = np.asarray(trace.x, dtype=float), np.asarray(trace.y, dtype=float)
            lines = "lines" in (trace.mode or "lines")
            parts.append(curve(name, xs, ys, x_name=x_name) if lines else points(name, xs, ys, x_name, y_name))
    title = plain_text(fig.layout.title.text)
    said = "; ".join(p for p in parts if p) or "no data yet"
    return f"{title}: {said}." if title else said[0].upper() + said[1:] + "."


def confusion(counts: np.ndarray, labels: Sequence[str], worst: int = 3) -> str:
    """A confusion matrix (k, k) in words: how many are right, and its largest off-diagonal cells."""
    counts = np.asarray(counts)
    mistakes = [f"true {labels[r]} predicted {labels[c]} ({counts[r, c]:,} image{'' if counts[r, c] == 1 else 's'})"
                for r, c in predictions.worst_cells(counts, worst)]
    right = f"{int(np.trace(counts)):,} of {int(counts.sum()):,} right"
    return right + (f"; the most common mistakes: {', '.join(mistakes)}" if mistakes else "; no mistakes")
