"""A person's drawing or photo turned into an MNIST-style digit, one visible step at a time.

MNIST's own recipe: white ink on black, the ink's bounding box scaled to fit 20 x 20
(keeping its aspect ratio), then placed in a 28 x 28 field so that its centre of
mass sits at the centre.
"""

from dataclasses import dataclass, field

import numpy as np
from PIL import Image

from mnistcore.uploads import UploadError

MIN_SIDE = 8  # smaller than this there is no digit to see
INK = 0.2  # a pixel counts as ink above this brightness (after inverting to white-on-black)


class DigitError(UploadError):
    """The image cannot be turned into a digit; the message says why in plain words."""


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
    top, left = int(round(13.5 - cy)), int(round(13.5 - cx))
    top, left = min(max(top, 0), 28 - h), min(max(left, 0), 28 - w)  # keep the whole digit inside
    out = np.zeros((28, 28))
    out[top:top + h, left:left + w] = box
    return out


def prepare(img: Image.Image) -> Prepared:
    """Turn an image into an MNIST-style (28, 28) digit, recording every step."""
    if min(img.size) < MIN_SIDE:
        raise DigitError(f"The image is {img.width} x {img.height} pixels: too small to hold a digit "
                         f"(at least {MIN_SIDE} x {MIN_SIDE}).")
    out = Prepared()
    gray = to_gray(img)
    out.steps.append(("1. grey levels", gray))
    border = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
    if np.median(border) > 0.5:  # a light background: dark ink on paper
        gray, out.inverted = 1 - gray, True
    out.steps.append(("2. white ink on black" + (" (inverted)" if out.inverted else ""), gray))
    ink = gray > INK
    if not ink.any() or np.ptp(gray) < 0.1:
        raise DigitError("No ink was found: the image is blank (or all one colour).")
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    crop = gray[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    out.steps.append(("3. cropped to the ink", crop))
    scale = 20 / max(crop.shape)
    size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))  # PIL wants (width, height)
    small = np.asarray(Image.fromarray(crop.astype(np.float32), mode="F").resize(size, Image.LANCZOS), dtype=np.float64)
    small = np.clip(small, 0, 1)
    out.steps.append(("4. fitted into 20 x 20", small))
    out.digit = _center_by_mass(small)
    out.steps.append(("5. centred by mass in 28 x 28", out.digit))
    return out


def normalized(digit: np.ndarray, mean: float, std: float) -> np.ndarray:
    """The digit as the model sees it: (784,) floats normalized with the TRAIN mean and std."""
    return ((digit - mean) / std).reshape(784).astype(np.float32)  # (28, 28) -> (784,)
