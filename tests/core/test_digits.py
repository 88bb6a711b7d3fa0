"""Preparing a person's digit the MNIST way, on synthetic images; every bad input gets its own message."""

import gzip
import io

import numpy as np
import photo_corpus
import pytest
import torch
from PIL import Image, ImageDraw

from mnistcore import digits
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors, train_stats
from mnistcore.serving import uploads
from mnistcore.train import TrainConfig, train


def drawn(size=(300, 200), box=((40, 30), (100, 170)), ink="black", paper="white", mode="RGB") -> Image.Image:
    """A '0'-like ring drawn at `box` on a canvas of `size`."""
    img = Image.new(mode, size, paper)
    ImageDraw.Draw(img).ellipse(box, outline=ink, width=10)
    return img


def encode(img: Image.Image, fmt: str, **kw) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kw)
    return buf.getvalue()


def centre_of_mass(a: np.ndarray) -> tuple[float, float]:
    r, c = np.indices(a.shape)
    return (r * a).sum() / a.sum(), (c * a).sum() / a.sum()


def test_off_centre_digit_comes_back_centred_by_mass_in_20x20():
    p = digits.like_mnist(drawn(box=((10, 10), (60, 120))))
    assert p.digit.shape == (28, 28) and p.inverted
    cy, cx = centre_of_mass(p.digit)
    assert abs(cy - 14) <= 0.6 and abs(cx - 14) <= 0.6  # where MNIST puts it (digits.CENTRE)
    ink_rows = np.flatnonzero(p.digit.max(axis=1) > 0.2)
    assert ink_rows[-1] - ink_rows[0] + 1 <= 20  # the longer side fits 20 pixels
    assert [t.split(".")[0] for t, _ in p.steps] == ["1", "2", "3", "4", "5"]


def test_white_on_black_is_not_inverted_and_matches_the_inverted_photo():
    photo = digits.like_mnist(drawn())
    screen = digits.like_mnist(drawn(ink="white", paper="black"))
    assert photo.inverted and not screen.inverted
    np.testing.assert_allclose(photo.digit, screen.digit, atol=1e-6)


@pytest.mark.parametrize("fmt, mode, kw", [
    ("PNG", "RGB", {}), ("JPEG", "RGB", {"quality": 90}), ("GIF", "P", {}), ("WEBP", "RGB", {}),
    ("BMP", "RGB", {}), ("JPEG", "CMYK", {}), ("PNG", "P", {}), ("PNG", "I;16", {}), ("TIFF", "L", {}),
])
def test_every_common_format_and_mode(fmt, mode, kw):
    img = drawn().convert("L")
    img = img.convert(mode) if mode != "I;16" else Image.fromarray(np.asarray(img, np.uint16) * 257)  # 16-bit grey
    p = digits.like_mnist(uploads.image(encode(img, fmt, **kw)))
    assert p.inverted and p.digit.max() > 0.8


def test_transparent_png_with_dark_ink_on_nothing():
    img = Image.new("RGBA", (200, 200), (0, 0, 0, 0))
    ImageDraw.Draw(img).line([(100, 20), (100, 180)], fill=(0, 0, 0, 255), width=14)
    p = digits.like_mnist(uploads.image(encode(img, "PNG")))
    assert p.inverted and p.digit.max() > 0.8


def test_animated_gif_uses_the_first_frame():
    frames = [drawn().convert("P"), Image.new("P", (300, 200), 255)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    assert digits.like_mnist(uploads.image(data)).digit.max() > 0.8


@pytest.mark.parametrize("data, fragment", [
    (b"", "empty"),
    (b"hello, I am a text file named digit.png", "not an image"),
    (encode(drawn(), "JPEG")[:400], "damaged or cut short"),
    (b"x" * (uploads.MAX_IMAGE_BYTES + 1), "at most 10 MiB"),
])
def test_bad_uploads_get_precise_messages(data, fragment):
    with pytest.raises(uploads.UploadError, match=fragment):
        uploads.image(data)


def test_decompression_bomb_is_refused_before_decoding():
    bomb = Image.new("1", (10_000, 10_000), 0)  # 100 M pixels that compress to a few KB
    data = encode(bomb, "PNG")
    assert len(data) < 100_000
    with pytest.raises(uploads.UploadError, match="more than the 16 million|decompression bomb"):
        uploads.image(data)


@pytest.mark.parametrize("img, fragment", [
    (Image.new("RGB", (1, 1), "white"), "too small"),
    (Image.new("RGB", (200, 200), "white"), "blank"),
    (Image.new("L", (200, 200), 0), "blank"),
])
def test_images_without_a_digit(img, fragment):
    with pytest.raises(digits.DigitError, match=fragment):
        digits.like_mnist(img)


def test_normalized_uses_the_given_statistics():
    d = np.zeros((28, 28))
    v = digits.normalized(d, 0.1304, 0.3073)
    assert v.shape == (784,) and v[0] == pytest.approx(-0.1304 / 0.3073, rel=1e-6)


def test_gzip_is_not_mistaken_for_an_image():
    with pytest.raises(uploads.UploadError, match="not an image"):
        uploads.image(gzip.compress(b"abc"))


def test_photos_of_validation_digits_get_the_clean_digits_prediction(capsys):
    # A photo corpus the test makes (tests/photo_corpus.py): dark ink on textured paper, a lamp's gradient, a shadow,
    # blur, +-10 degree rotation, JPEG, 1 to 12 MP. The lesson's model should read at least 90% of them as it reads
    # the clean digit.
    ds = load_dataset("mnist")
    data = to_tensors(ds)
    model = train(TrainConfig(), data).model.eval()
    mean, std = train_stats(ds)
    rng = np.random.default_rng(7)
    picks = rng.choice(len(ds.x_valid), 60, replace=False)
    same = 0
    with torch.no_grad():
        for i in picks:
            clean = int(model(data.x_valid[i:i + 1]).argmax())
            prepared = digits.like_mnist(uploads.image(photo_corpus.photo(ds.x_valid[i], rng)))
            same += int(model(torch.tensor(digits.normalized(prepared.digit, mean, std))[None]).argmax()) == clean
    with capsys.disabled():
        print(f"\n  photos read as the clean digit: {same} of {len(picks)} ({same / len(picks):.0%})")
    assert same >= 0.9 * len(picks)
