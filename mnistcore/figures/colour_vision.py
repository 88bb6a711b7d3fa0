"""How colours look to the common colour-vision deficiencies, to check that the app's palettes survive them.

Machado, Oliveira and Fernandes (2009), "A Physiologically-based Model for Simulation of Color Vision
Deficiency", severity 1.0 (the full dichromacy): one 3 x 3 matrix per deficiency, applied to linear RGB. The
differences are told in CIELAB (D65), where a distance of about 2.3 is just noticeable and 10 or more is plain.
"""

import numpy as np

MACHADO = {  # linear RGB -> linear RGB
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.303900)),
}
RGB_TO_XYZ = ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505))  # sRGB primaries, D65
WHITE = (0.95047, 1.0, 1.08883)


def to_linear(rgb: np.ndarray) -> np.ndarray:
    """sRGB bytes (..., 3) to linear light in [0, 1]."""
    c = np.asarray(rgb, dtype=float) / 255
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def to_srgb(linear: np.ndarray) -> np.ndarray:
    """Linear light (..., 3) back to sRGB bytes, clipped to the screen's gamut."""
    c = np.clip(linear, 0, 1)
    return np.round(255 * np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)).astype(np.uint8)


def simulate(rgb: np.ndarray, kind: str) -> np.ndarray:
    """sRGB bytes (..., 3) as seen with deficiency `kind` (one of MACHADO), as sRGB bytes."""
    return to_srgb(to_linear(rgb) @ np.asarray(MACHADO[kind]).T)  # (..., 3) @ (3, 3)


def lab(rgb: np.ndarray) -> np.ndarray:
    """sRGB bytes (..., 3) to CIELAB (..., 3)."""
    xyz = to_linear(rgb) @ np.asarray(RGB_TO_XYZ).T / np.asarray(WHITE)  # (..., 3), white = 1
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])], axis=-1)


def difference(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """CIE76 distance between sRGB colours: 2.3 is just noticeable."""
    return np.linalg.norm(lab(a) - lab(b), axis=-1)


def hex_rgb(colour: str) -> tuple[int, int, int]:
    """'#1f77b4' to (31, 119, 180)."""
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
