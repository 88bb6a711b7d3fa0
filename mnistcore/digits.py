"""A person's drawing or photo turned into an MNIST-style digit, one visible step at a time.

A photo first loses its lighting: each pixel is divided by the brightness of the paper around it, so a lamp's
gradient or a hand's shadow no longer looks like ink. A threshold chosen from the photo itself (Otsu's) then
separates ink from paper, and only the digit's own parts are kept. Then MNIST's own recipe: white ink on
black, the ink's bounding box scaled to fit 20 x 20 (keeping its aspect ratio), placed in a 28 x 28 field so
that its centre of mass sits at the centre.
"""

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from mnistcore.errors import DigitError

MIN_SIDE = 8  # smaller than this there is no digit to see
CENTRE = 14.0  # where MNIST's digits have their centre of mass: 13.99 and 14.00 (row, column) over the valid set


@dataclass
class Prepared:
    """Each step's picture (title, array in [0, 1]) and the final 28 x 28 digit."""

    steps: list[tuple[str, np.ndarray]] = field(default_factory=list)
    digit: np.ndarray | None = None  # (28, 28) in [0, 1], white ink on black
    inverted: bool = False


def to_gray(img: Image.Image) -> np.ndarray:
    """Any Pillow mode (palette, CMYK, 16-bit, with transparency...) as grey levels (H, W) in [0, 1]."""
    if img.mode in ("I", "I;16", "I;16B", "I;16L", "F"):
        a = np.asarray(img, dtype=np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or a.max() > 255 else 255.0
        return np.clip(a / top, 0, 1) if img.mode != "F" else (a - a.min()) / (np.ptp(a) or 1)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        rgba = img.convert("RGBA")
        white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(white, rgba)  # transparent means paper, so lay it on white
    return np.asarray(img.convert("L"), dtype=np.float64) / 255


def _center_by_mass(box: np.ndarray) -> np.ndarray:
    """Place a (h, w) <= 20 x 20 digit in 28 x 28 with its centre of mass at the centre."""
    h, w = box.shape
    rows, cols = np.indices(box.shape)
    total = box.sum()
    cy, cx = (rows * box).sum() / total, (cols * box).sum() / total
    top, left = int(round(CENTRE - cy)), int(round(CENTRE - cx))
    top, left = min(max(top, 0), 28 - h), min(max(left, 0), 28 - w)  # keep the whole digit inside
    out = np.zeros((28, 28))
    out[top:top + h, left:left + w] = box
    return out


WORK_SIDE = 400  # the photo is read at most this large: the digit ends up 20 pixels tall, and a 12 MP photo
# would cost seconds per step for detail nobody sees
MIN_PART = 0.08  # an ink part this share of the largest one's area (or more) belongs to the digit (a 5's loose top bar)


def _shrunk(gray: np.ndarray, side: int) -> np.ndarray:
    """`gray` resized (area-averaged) so its longer side is at most `side`."""
    h, w = gray.shape
    if max(h, w) <= side:
        return gray
    size = (max(1, round(w * side / max(h, w))), max(1, round(h * side / max(h, w))))  # PIL wants (width, height)
    return np.asarray(Image.fromarray(gray.astype(np.float32), mode="F").resize(size, Image.BOX), dtype=np.float64)


def _grown(a: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """`a` resized smoothly to `shape`."""
    return np.asarray(Image.fromarray(a.astype(np.float32), mode="F").resize(shape[::-1], Image.BILINEAR), dtype=np.float64)


def paper_light(dark_on_light: np.ndarray) -> np.ndarray:
    """How bright the paper is under each pixel (H, W), so that ink, shadows and a lamp's gradient divide out.

    A morphological closing on a small copy: the brightest pixel within a window wider than a stroke skips the ink,
    and the darkest of those within the same window puts a shadow's edge back where it was."""
    h, w = dark_on_light.shape
    coarse = (_shrunk(dark_on_light, 128) * 255).astype(np.uint8)
    closed = _extreme(_extreme(coarse, 15, np.maximum), 15, np.minimum)
    return np.maximum(_grown(closed.astype(np.float64) / 255, (h, w)), 1e-3)


def _extreme(a: np.ndarray, size: int, pick) -> np.ndarray:
    """Pillow's MaxFilter(`size`) (`pick`=np.maximum) or MinFilter (np.minimum) of a (H, W) array, edges repeated: the
    same numbers, 10-20 times faster, as windows that double (1, 2, 4, 8 rows, then 15), down the columns and then
    along the rows (a zip of 10,000 images spent half its time in Pillow's filters)."""
    r = size // 2
    for _ in range(2):  # down the columns, then, transposed, along the rows
        w = np.concatenate([a[:1].repeat(r, axis=0), a, a[-1:].repeat(r, axis=0)])  # (H + size - 1, W)
        span = 1
        while span * 2 <= size:  # w[i] becomes the pick of rows i .. i + 2 * span - 1
            w = pick(w[:-span], w[span:])
            span *= 2
        a = pick(w[:len(w) - (size - span)], w[size - span:]).T  # rows i .. i + size - 1: (W, H), then (H, W)
    return a


def otsu(values: np.ndarray) -> float:
    """The threshold that best splits `values` in [0, 1] into two groups (Otsu's method, 256 bins)."""
    hist = np.bincount(np.clip((values * 255).astype(int), 0, 255).ravel(), minlength=256).astype(np.float64)
    weight = np.cumsum(hist)
    mass = np.cumsum(hist * np.arange(256))
    below, above = weight, weight[-1] - weight
    with np.errstate(divide="ignore", invalid="ignore"):
        between = (mass[-1] * below - mass * weight[-1]) ** 2 / (below * above)
    return float(np.nanargmax(np.where(np.isfinite(between), between, np.nan)) + 0.5) / 255


def parts(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """Connected parts of `mask` (8-neighbours): a label per pixel (0 = none) and the number of parts."""
    parent: list[int] = [0]

    def root(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    labels = np.zeros(mask.shape, dtype=np.int64)
    framed = np.zeros((mask.shape[0], mask.shape[1] + 2), dtype=np.int8)  # (H, W + 2): no run touches the frame
    framed[:, 1:-1] = mask
    rows, edges = np.nonzero(np.diff(framed, axis=1))  # row by row: each run's start, then its end (all rows at once)
    previous: list[tuple[int, int, int]] = []  # (start, end, label) of the runs in the row above
    runs: list[tuple[int, int, int]] = []
    row_at = -2
    for r, start, end in zip(rows[::2].tolist(), edges[::2].tolist(), edges[1::2].tolist()):  # a run covers [start, end)
        if r != row_at:
            previous, runs, row_at = (runs if r == row_at + 1 else []), [], r  # a row without ink breaks the chain
        label = 0
        for p_start, p_end, p_label in previous:
            if p_start <= end and p_end >= start:  # touches it, diagonals included
                if label == 0:
                    label = root(p_label)
                else:
                    a, b = root(label), root(p_label)
                    parent[max(a, b)] = min(a, b)
                    label = min(a, b)
        if label == 0:
            label = len(parent)
            parent.append(label)
        labels[r, start:end] = label
        runs.append((start, end, label))
    roots = np.array([root(a) for a in range(len(parent))])
    _, compact = np.unique(roots, return_inverse=True)  # root labels -> 0, 1, 2 ... (0 stays "none")
    return compact[labels], int(compact.max())


def digit_parts(mask: np.ndarray, ink: np.ndarray) -> np.ndarray:
    """The parts of `mask` that make the digit: the one with the most ink, and those with at least MIN_PART of its
    ink. Parts that touch the photo's edge (the desk around the sheet, a shadow's rim) count only when nothing else
    is there; weighing by ink, not area, lets a faint rim lose to a pen stroke."""
    labels, n = parts(mask)
    if n == 0:
        return mask
    mass = np.bincount(labels.ravel(), weights=ink.ravel(), minlength=n + 1)[1:]
    edge = np.zeros(n, dtype=bool)
    for border in (labels[0], labels[-1], labels[:, 0], labels[:, -1]):
        edge[border[border > 0] - 1] = True
    inner = np.where(edge, 0, mass) if (mass[~edge] > 0).any() else mass
    keep = np.flatnonzero(inner >= MIN_PART * inner.max()) + 1
    return np.isin(labels, keep)


def like_mnist(img: Image.Image) -> Prepared:
    """Turn a drawing or a photo into an MNIST-style (28, 28) digit, recording every step."""
    if min(img.size) < MIN_SIDE:
        raise DigitError(f"The image is {img.width} x {img.height} pixels: too small to hold a digit "
                         f"(at least {MIN_SIDE} x {MIN_SIDE}).")
    out = Prepared()
    gray = _shrunk(to_gray(img), WORK_SIDE)
    out.steps.append(("1. grey", gray))
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    out.inverted = bool(np.median(border) > 0.5)  # a light background: dark ink on paper
    paper = gray if out.inverted else 1 - gray  # dark ink on light paper, whichever it was
    ink = np.clip(1 - paper / paper_light(paper), 0, 1)  # how much darker than its own patch of paper
    out.steps.append(("2. light evened out", ink))
    if np.ptp(ink) < 0.1:
        raise DigitError("No ink was found: the image is blank (or all one colour).")
    mask = digit_parts(ink > max(otsu(ink), 0.2), ink)  # the paper's grain and a shadow's rim stay below a pen stroke
    if not mask.any():
        raise DigitError("No ink was found: the image is blank (or all one colour).")
    out.steps.append(("3. ink kept", mask.astype(np.float64)))
    rows, cols = np.flatnonzero(mask.any(axis=1)), np.flatnonzero(mask.any(axis=0))
    box = (slice(rows[0], rows[-1] + 1), slice(cols[0], cols[-1] + 1))
    near = _extreme(mask, 3, np.maximum)  # the mask grown by a pixel, as Pillow's MaxFilter(3) grows it
    strokes = np.where(near, ink, 0)[box]  # the digit's ink with its soft edges, nothing else
    core = np.percentile(strokes[mask[box]], 95)
    crop = np.clip(strokes / max(core, 1e-3), 0, 1)  # a stroke's core is full white, as MNIST's are
    out.steps.append(("4. cropped", crop))
    scale = 20 / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))  # PIL wants (width, height)
    small = np.asarray(Image.fromarray(crop.astype(np.float32), mode="F").resize(size, Image.LANCZOS), dtype=np.float64)
    small = np.clip(small, 0, None)
    small = small / max(small.max(), 1e-6)  # MNIST's brightest pixel is always full white, even on a thin 1
    out.digit = _center_by_mass(small)
    out.steps.append(("5. 20 × 20, centred in 28 × 28", out.digit))
    return out


def normalized(digit: np.ndarray, mean: float, std: float) -> np.ndarray:
    """The digit as the model sees it: (784,) floats normalized with the TRAIN mean and std."""
    return ((digit - mean) / std).reshape(784).astype(np.float32)  # (28, 28) -> (784,)
