"""Words for pictures: what a chart, a weight template or a digit shows, for screen readers and for everyone who
reads faster than they look."""

from collections.abc import Sequence

import numpy as np

REGIONS = (("top left", "top", "top right"), ("left", "centre", "right"), ("bottom left", "bottom", "bottom right"))


def percent_or_number(value: float, as_percent: bool) -> str:
    """A value as a percentage with one decimal, or with three significant digits."""
    return f"{value:.1%}" if as_percent else f"{value:.3g}"


def curve(name: str, xs: Sequence[float], ys: Sequence[float], as_percent: bool = False, x_name: str = "step") -> str:
    """One line of a chart in words: "valid accuracy rose from 79.1% at step 100 to 91.9% at step 782"."""
    points = [(x, y) for x, y in zip(xs, ys) if np.isfinite(y)]
    if not points:
        return f"{name}: no points yet"
    (x0, y0), (x1, y1) = points[0], points[-1]
    if len(points) == 1:
        return f"{name} {percent_or_number(y0, as_percent)} at {x_name} {x0:,.0f}"
    moved = "rose" if y1 > y0 else "fell" if y1 < y0 else "stayed"
    return (f"{name} {moved} from {percent_or_number(y0, as_percent)} at {x_name} {x0:,.0f} to "
            f"{percent_or_number(y1, as_percent)} at {x_name} {x1:,.0f}")


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
