"""What a browser uploads, turned into a model or an image: the one door, with a bound on what each may cost.

At most, per upload, over what the server already holds (tests/pages/test_bad_input.py::test_memory_bounds
measures the largest accepted one of each kind in a fresh process: 48 MiB and 79 MiB here):
  weights: the file (<= 20 MiB, held by Streamlit) + about three times the tensors it unpacks to
           (<= 16 MiB, read from its zip directory before anything is loaded);
  photo:   the file (<= 10 MiB) + one decoded frame (<= 16 M pixels x 4 bytes = 64 MB) + two channels of
           it while it is shrunk to <= 1024 pixels a side; everything after works on the small copy.
"""

import io
import pickle
import warnings
import zipfile

import torch
from PIL import Image, ImageOps, ImageSequence, UnidentifiedImageError
from torch import nn

from mnistcore import models
from mnistcore.errors import UploadError

MAX_WEIGHTS_BYTES = 20 * 2**20  # the largest model here (the MLP) saves to 0.4 MB
MAX_TENSOR_BYTES = 16 * 2**20  # what a weights file may unpack to; checked in its zip directory, before loading
MAX_IMAGE_BYTES = 10 * 2**20
MAX_PIXELS = 16_000_000  # a 16-megapixel photo fits (phones save 12); a decompression bomb claims far more
WORK_SIDE = 1024  # photos are shrunk to this before any arrays are made: a digit needs 20 x 20
# Never let Pillow pick a decoder by content: a PostScript file would reach Ghostscript.
IMAGE_FORMATS = ("PNG", "JPEG", "GIF", "WEBP", "BMP", "TIFF")


def _check_size(data: bytes, limit: int, what: str) -> None:
    """Refuse an empty or oversized upload before looking inside."""
    if not data:
        raise UploadError("The file is empty.")
    if len(data) > limit:
        raise UploadError(f"The file is {len(data) / 2**20:.1f} MiB; {what} may be at most {limit // 2**20} MiB.")


def weights(data: bytes) -> nn.Module:
    """A model rebuilt from an uploaded `.pt` file, or UploadError saying what is wrong with it."""
    _check_size(data, MAX_WEIGHTS_BYTES, "a weights file")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise UploadError("This is not a PyTorch weights file (torch.save writes a zip archive; this is not one).")
    try:
        declared = sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(data)).infolist())
    except (zipfile.BadZipFile, OSError, ValueError):
        raise UploadError("The weights file is damaged (its zip directory cannot be read).") from None
    if declared > MAX_TENSOR_BYTES:
        raise UploadError(f"The file unpacks to {declared / 2**20:,.0f} MiB, far more than any model of this app "
                          f"needs (at most {MAX_TENSOR_BYTES // 2**20} MiB); it was not loaded.")
    try:
        state = torch.load(io.BytesIO(data), weights_only=True, map_location="cpu")
    except pickle.UnpicklingError:  # PyTorch's own message advises turning the safety off: never pass that on
        raise UploadError("The file holds Python objects other than tensors, which could run code on the server, "
                          "so it was refused. Save only the weights: torch.save(model.state_dict(), 'file.pt').") from None
    except Exception:
        raise UploadError("The weights file is damaged or was not written by torch.save.") from None
    try:
        return models.from_state_dict(state)
    except ValueError as e:
        raise UploadError(f"These weights cannot be used: {e}.") from None


def _shrink(img: Image.Image) -> Image.Image:
    """The image at most WORK_SIDE a side, made without a second full-size copy.

    Pillow resamples transparent images through a premultiplied full-size copy; grey level and
    transparency are shrunk one channel at a time instead (a quarter of the memory each).
    """
    factor = -(-max(img.size) // WORK_SIDE)  # ceil
    if factor > 1:
        exif = img.getexif()
        if img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info:
            img = img.convert("RGBA") if img.mode in ("P", "PA") else img
            img = Image.merge("LA", [img.convert("L").reduce(factor), img.getchannel("A").reduce(factor)])
        else:
            img = (img if img.mode in ("L", "RGB", "CMYK", "I", "F") else img.convert("L")).reduce(factor)
        img.info["exif"] = exif.tobytes()  # keep the orientation for exif_transpose
    img.thumbnail((WORK_SIDE, WORK_SIDE))
    return img


def image(data: bytes) -> Image.Image:
    """The first frame of an uploaded photo, turned upright and at most WORK_SIDE a side."""
    _check_size(data, MAX_IMAGE_BYTES, "a photo")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=IMAGE_FORMATS)
            if img.width * img.height > MAX_PIXELS:
                raise UploadError(f"The image claims {img.width} x {img.height} pixels, more than the "
                                  f"{MAX_PIXELS / 1e6:.0f} million a photo of a digit needs.")
            img = next(ImageSequence.Iterator(img))  # the first frame of a GIF or WebP animation
            img.draft(None, (WORK_SIDE, WORK_SIDE))  # JPEG decodes at a fraction of its size, cheaply
            img.load()
            img = _shrink(img)
            ImageOps.exif_transpose(img, in_place=True)  # a phone's photo taken sideways stands up
    except UploadError:
        raise
    except UnidentifiedImageError:
        raise UploadError(f"This file is not an image in a format read here ({', '.join(IMAGE_FORMATS)}).") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadError("The image is far too large once decompressed (a decompression bomb); refused.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        raise UploadError(f"The image is damaged or cut short ({type(e).__name__}).") from None
    return img
