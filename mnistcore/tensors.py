"""Tensor moves made visible: rank, axes, reductions, flattening, reshape and broadcasting.

Every result a page shows comes from `run`, which evaluates exactly the line of
PyTorch the page prints, in a namespace holding only the tensors it names.
"""

import builtins
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

RANKS = [  # (rank, expression, what it is, names people use, axis names)
    (0, "x[i, 14, 14]", "one pixel", "scalar · 0-D array · rank-0 tensor", ()),
    (1, "x[i, 14]", "one row of pixels", "vector · 1-D array · rank-1 tensor", ("column",)),
    (2, "x[i]", "one image", "matrix · 2-D array · rank-2 tensor", ("row", "column")),
    (3, "x[i:i+8]", "a batch of 8 images", "3-D array · rank-3 tensor", ("image", "row", "column")),
    (4, "colour(x[i:i+8])", "a batch of 8 colour images", "4-D array · rank-4 tensor (N, C, H, W)",
     ("image", "channel", "row", "column")),
]
REDUCTIONS = ("sum", "mean", "max", "argmax")
TINTS = torch.tensor([[1.0, 0.3, 0.3], [0.3, 1.0, 0.3], [0.3, 0.5, 1.0], [1.0, 0.8, 0.2]])  # (4, 3) RGB


def _torch_import(name: str, *args, **kwargs):
    """`__import__` for torch's own lazy imports only: a C-level import (a tensor's first `>`, say) looks the
    function up in the running frame's builtins, which for a shown line are these."""
    if name != "torch" and not name.startswith("torch."):
        raise ImportError(f"a shown line may not import {name!r}")
    return builtins.__import__(name, *args, **kwargs)


SHOWN_LINE_BUILTINS = {"__import__": _torch_import}  # nothing else: no open, no eval, no getattr


def run(expr: str, **tensors: Any) -> Any:
    """Evaluate the one line `expr` (the page's own, never a user's) with only `tensors` (and torch) in scope."""
    scope = {"torch": torch, "colour": colour, **tensors}
    return eval(compile(expr, "<shown line>", "eval"), {"__builtins__": SHOWN_LINE_BUILTINS}, scope)  # noqa: S307


def colour(batch: torch.Tensor) -> torch.Tensor:
    """(N, 28, 28) grey images in [0, 1] -> (N, 3, 28, 28) tinted colour images, PyTorch's NCHW."""
    tints = TINTS[torch.arange(len(batch)) % len(TINTS)]  # (N, 3)
    return batch[:, None, :, :] * tints[:, :, None, None]  # (N, 1, H, W) * (N, 3, 1, 1) -> (N, 3, H, W)


def reduce(x: torch.Tensor, op: str, axis: int) -> torch.Tensor:
    """`op` ("sum", "mean", "max", "argmax") of `x` along `axis`; that axis disappears."""
    if op == "max":
        return x.max(dim=axis).values
    return getattr(x, op)(dim=axis)


def reduce_line(name: str, op: str, axis: int) -> str:
    """The PyTorch line for a reduction, as a student would type it."""
    return f"{name}.max(dim={axis}).values" if op == "max" else f"{name}.{op}(dim={axis})"


def flat_positions(row: int, width: int = 28) -> range:
    """Where row `row` of a (H, width) image lands in its flattened vector."""
    return range(row * width, (row + 1) * width)


def read_shape(text: Any, minus_one: bool = False) -> tuple[int, ...]:
    """ "(5, 5)", "5, 5", "5x5", "torch.Size([5, 5])" or "()" as a tuple of ints, and with `minus_one` a -1 for the size
    to work out (x.reshape's shapes); ValueError with a reason when it is none. The one reader of a typed shape."""
    text = str(text).strip()
    if not text:
        example = "16, 28, 28" if minus_one else "(5, 5), or () for a single number"
        raise ValueError(f"type a shape first, for example {example}")
    if len(text) > 100:
        raise ValueError("a shape is a few numbers, for example (5, 5)")
    body = re.sub(r"^torch\.Size\(\s*\[?|\]?\s*\)$", "", text)
    if re.fullmatch(r"[\s(\[]*[)\]]*\s*", body):
        return ()
    numbers = re.findall(r"-?\d+" if minus_one else r"\d+", body)
    if not numbers or not re.fullmatch(r"[\s,()\[\]x×\d-]+" if minus_one else r"[\s,()\[\]x×\d]+", body):
        raise ValueError(f"{text[:60]!r} is not a shape: type it as whole numbers" +
                         (", -1 for the one to work out" if minus_one else "") +
                         ", for example " + ("16, 28, 28" if minus_one else "(5, 5)"))
    return tuple(int(n) for n in numbers)


def divisors(n: int) -> list[int]:
    """All positive divisors of `n`."""
    small = [d for d in range(1, math.isqrt(n) + 1) if n % d == 0]
    return sorted(set(small + [n // d for d in small]))


@dataclass
class ReshapeCheck:
    """Whether `numel` elements fit a requested shape, and why or why not."""

    ok: bool
    shape: tuple[int, ...]  # the final shape, -1 filled in, when ok
    explanation: str


def check_reshape(numel: int, shape: tuple[int, ...]) -> ReshapeCheck:
    """Explain in plain words whether `numel` elements can be reshaped to `shape`."""
    unknown = [i for i, s in enumerate(shape) if s == -1]
    if len(unknown) > 1:
        return ReshapeCheck(False, shape, "Only one size can be -1: with two unknowns the split is ambiguous.")
    if any(s < -1 or s == 0 for s in shape):
        return ReshapeCheck(False, shape, "Sizes must be positive (or a single -1 meaning 'work it out').")
    known = math.prod(s for s in shape if s != -1)
    shown = " × ".join("?" if s == -1 else str(s) for s in shape)
    if unknown:
        if numel % known:
            fits = [d for d in divisors(numel) if d > 1][:12]
            return ReshapeCheck(False, shape, f"{numel:,} elements cannot be split into {shown}: the known sizes "
                                f"multiply to {known:,}, which does not divide {numel:,}. Sizes that divide it: "
                                f"{', '.join(map(str, fits))}…")
        final = tuple(numel // known if s == -1 else s for s in shape)
        return ReshapeCheck(True, final, f"-1 became {numel // known:,} because {numel:,} ÷ {known:,} = "
                            f"{numel // known:,}.")
    if known != numel:
        return ReshapeCheck(False, shape, f"{shown} = {known:,} elements, but the tensor holds {numel:,}. "
                            f"A reshape never adds or drops numbers, so the sizes must multiply to {numel:,}. "
                            f"Put -1 in one place to let PyTorch work that size out.")
    return ReshapeCheck(True, shape, f"{shown} = {numel:,}: every number has a place.")


@dataclass
class BroadcastCheck:
    """Two shapes lined up from the right, dimension by dimension."""

    ok: bool
    rows: list[tuple[str, str, str, str]]  # (left size, right size, result size, why), leftmost first
    result: tuple[int, ...] | None
    explanation: str


def check_broadcast(a: tuple[int, ...], b: tuple[int, ...]) -> BroadcastCheck:
    """Apply the broadcasting rules to shapes `a` and `b` and say what happens at each position."""
    n = max(len(a), len(b))
    pa, pb = (None,) * (n - len(a)) + tuple(a), (None,) * (n - len(b)) + tuple(b)
    rows, result, ok = [], [], True
    for x, y in zip(pa, pb):
        if x is None or y is None:
            size, why = (y if x is None else x), "missing on one side: treated as 1 and stretched"
        elif x == y:
            size, why = x, "equal"
        elif x == 1 or y == 1:
            size, why = max(x, y), "one of them is 1: it is stretched"
        else:
            size, why, ok = None, f"{x} ≠ {y} and neither is 1: no rule applies", False
        rows.append(("" if x is None else str(x), "" if y is None else str(y),
                     "✗" if size is None else str(size), why))
        result.append(size)
    if ok:
        return BroadcastCheck(True, rows, tuple(result), f"{a} and {b} broadcast to {tuple(result)}.")
    return BroadcastCheck(False, rows, None, f"{a} and {b} cannot be broadcast: lined up from the right, "
                          "each pair of sizes must be equal, or one of them must be 1 (or missing).")


def batch(images: np.ndarray, n: int = 64) -> torch.Tensor:
    """The first `n` uint8 images (N, 28, 28) as floats in [0, 1]."""
    return torch.tensor(images[:n], dtype=torch.float32) / 255  # (n, 28, 28)


def of_class(images: np.ndarray, labels: np.ndarray, c: int, n: int = 32) -> torch.Tensor:
    """Up to `n` images of class `c` as floats in [0, 1]."""
    return batch(images[labels == c], n)  # (n, 28, 28)


SLICES = {  # a line on one image `img` (28, 28) -> what it teaches
    "img[-1]": "a negative index counts from the end: the last row",
    "img[-8:]": "the last 8 rows",
    "img[::2]": "every other row: the picture is squashed to half its height",
    "img[:, ::2]": "every other column",
    "img.flip(0)": "upside down; PyTorch spells a negative step this way",
    "img[::-1]": "NumPy's way to flip; PyTorch refuses negative steps",
    "img > 0.5": "a boolean mask: True where the ink is bright",
    "img[img > 0.5]": "a mask as an index picks the bright pixels out into a 1-D tensor",
}


def attempt(expr: str, **tensors: Any) -> tuple[Any, str | None]:
    """Like `run`, but return (None, the error in words) instead of raising."""
    try:
        return run(expr, **tensors), None
    except Exception as e:  # the page shows PyTorch's own complaint, which is the lesson
        return None, f"{type(e).__name__}: {e}"


def contiguity(t: torch.Tensor) -> dict[str, str]:
    """Shape, strides and contiguity of `t`, as a row for a table."""
    return {"shape": str(tuple(t.shape)), "strides": str(t.stride()), "contiguous": str(t.is_contiguous())}
