"""The QR code of a room's link, for the projector (segno: pure Python, no image library of its own)."""

import io

import segno


def qr_png(url: str, scale: int = 6) -> bytes:
    """A PNG of `url`'s QR code, black on white with the standard quiet zone, readable across a classroom."""
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()
