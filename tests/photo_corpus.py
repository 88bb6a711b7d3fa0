"""Photos of real validation digits, made the hard way: dark ink on textured paper, uneven light, a shadow,
blur, a slight rotation, JPEG compression, 1 to 12 megapixels. The tests generate them; nothing is stored."""

import io

import numpy as np
from PIL import Image, ImageFilter

SIZES = [(1152, 864), (1600, 1200), (2048, 1536), (2592, 1944), (4000, 3000)]  # 1, 1.9, 3.1, 5, 12 MP


def photo(digit: np.ndarray, rng: np.random.Generator, size: tuple[int, int] | None = None) -> bytes:
    """A JPEG photo of the (28, 28) uint8 MNIST `digit` written in dark ink on paper."""
    w, h = size or SIZES[rng.integers(len(SIZES))]
    small = (max(w, h) // 8, max(w, h) // 8 * h // w)  # everything smooth is made small, then enlarged
    grain = rng.normal(0, 0.025, (h // 4, w // 4))  # the paper's texture
    blotch = rng.normal(0, 1, (6, 8))  # uneven paper and light, a few waves across the sheet
    paper = (rng.uniform(0.8, 0.95) + _enlarged(grain, (w, h)) + 0.03 * _enlarged(blotch, (w, h)))
    yy, xx = np.mgrid[0:h, 0:w] / max(w, h)
    angle = rng.uniform(0, 2 * np.pi)  # a lamp to one side: 35-45% darker at the far edge
    across = np.cos(angle) * xx + np.sin(angle) * yy
    light = 1 - rng.uniform(0.35, 0.45) * (across - across.min()) / np.ptp(across)
    shadow = np.ones(small[::-1])  # a hand's soft shadow over one corner
    sh, sw = shadow.shape
    cy, cx = rng.integers(0, sh), rng.integers(0, sw)
    shadow[max(0, cy - sh // 3):cy + sh // 3, max(0, cx - sw // 3):cx + sw // 3] = rng.uniform(0.55, 0.75)
    shadow = np.asarray(Image.fromarray((shadow * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(sw / 20))) / 255
    page = np.clip(paper, 0, 1) * light * _enlarged(shadow, (w, h))

    side = int(min(w, h) * rng.uniform(0.3, 0.6))  # the digit's 28 x 28 field on the sheet
    ink = Image.fromarray(digit).resize((side, side), Image.BICUBIC).rotate(rng.uniform(-10, 10), Image.BICUBIC)
    ink = np.asarray(ink.filter(ImageFilter.GaussianBlur(side / 28 * rng.uniform(0.2, 0.8))), dtype=np.float64) / 255
    top, left = rng.integers(0, h - side), rng.integers(0, w - side)
    darkness = rng.uniform(0.65, 0.85)  # a pen on paper, not perfect black
    page[top:top + side, left:left + side] *= 1 - darkness * ink
    out = io.BytesIO()
    Image.fromarray((np.clip(page, 0, 1) * 255).astype(np.uint8)).save(out, "JPEG", quality=int(rng.integers(60, 90)))
    return out.getvalue()


def _enlarged(a: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """`a` stretched smoothly to (width, height) `size`."""
    return np.asarray(Image.fromarray(a.astype(np.float32), mode="F").resize(size, Image.BICUBIC), dtype=np.float64)
