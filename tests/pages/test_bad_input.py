"""A corpus of bad inputs, generated here (no binary files): each gets a clear message, never a traceback.

The classes: data files (IDX, the lesson's pickle, folders), weights uploads, photo uploads. URL
parameters and the sidebar's folder box go through the app itself in tests/pages/test_app_settings.py.
"""

import gzip
import io
import os
import pickle
import struct
import subprocess
import sys
import tracemalloc
import zipfile

import numpy as np
import pytest
import torch
from conftest import make_arrays, write_idx_folder
from PIL import Image, ImageDraw

from mnistcore import digits, lesson_pickle, models
from mnistcore.data import load_dataset
from mnistcore.errors import DataError
from mnistcore.serving import uploads

# ---------------------------------------------------------------- data files


def idx_header(ndim: int, dims: tuple[int, ...], dtype: int = 0x08) -> bytes:
    """An IDX header claiming `dims`."""
    return bytes([0, 0, dtype, ndim]) + b"".join(struct.pack(">I", d) for d in dims)


def folder_with(tmp_path, replace: dict[str, bytes] | None = None, arrays: dict | None = None, gz: bool = True):
    """A good IDX folder, then some of its files replaced by raw bytes."""
    folder = write_idx_folder(tmp_path / "data", arrays or make_arrays(), gz=gz)
    for name, raw in (replace or {}).items():
        path = folder / (name + (".gz" if gz else ""))
        path.write_bytes(gzip.compress(raw, compresslevel=1) if gz else raw)
    return folder


def with_labels(labels: np.ndarray) -> dict:
    """The standard arrays with other training labels."""
    arrays = make_arrays()
    arrays["train_labels"] = labels.astype(np.uint8)
    return arrays


N = len(make_arrays()["train_labels"])
IDX_CASES = {
    "dims that wrap a 64-bit product to 0": ({"train-images-idx3-ubyte": idx_header(3, (2**31, 2**31, 4))}, "refused unread"),
    "a billion images": ({"train-images-idx3-ubyte": idx_header(3, (10**9, 28, 28)) + bytes(1000)}, "refused unread"),
    "a header and no body": ({"train-images-idx3-ubyte": idx_header(3, (N, 28, 28))}, "promises"),
    "more bytes than promised": ({"train-labels-idx1-ubyte": idx_header(1, (N,)) + bytes(N + 5)}, "more bytes than its header"),
    "an empty file": ({"train-images-idx3-ubyte": b""}, "too short"),
    "three bytes": ({"t10k-labels-idx1-ubyte": b"\x00\x00\x08"}, "too short"),
    "float pixels": ({"train-images-idx3-ubyte": idx_header(3, (N, 28, 28), 0x0D) + bytes(N * 784 * 4)}, "magic number"),
    "labels where images belong": ({"train-images-idx3-ubyte": idx_header(1, (N,)) + bytes(N)}, "magic number"),
    "a header cut short": ({"train-images-idx3-ubyte": idx_header(3, (N, 28, 28))[:9]}, "cut short"),
    "27 x 27 images": ({"train-images-idx3-ubyte": idx_header(3, (N, 27, 27)) + bytes(N * 27 * 27)}, r"\(N, 28, 28\)"),
    "fewer labels than images": ({"train-labels-idx1-ubyte": idx_header(1, (N - 1,)) + bytes(N - 1)}, "counts must agree"),
    "too few images to split": ({"train-images-idx3-ubyte": idx_header(3, (100, 28, 28)) + bytes(78400),
                                 "train-labels-idx1-ubyte": idx_header(1, (100,)) + bytes(range(10)) * 10}, "validation set"),
    "an empty test set": ({"t10k-images-idx3-ubyte": idx_header(3, (0, 28, 28)),
                           "t10k-labels-idx1-ubyte": idx_header(1, (0,))}, "test split holds no images"),
}


@pytest.mark.parametrize("gz", [True, False], ids=["gz", "raw"])
@pytest.mark.parametrize("case", list(IDX_CASES))
def test_broken_idx_files_are_refused_in_words(tmp_path, case, gz):
    replace, fragment = IDX_CASES[case]
    folder = folder_with(tmp_path, replace, gz=gz)
    with pytest.raises(DataError, match=fragment) as e:
        load_dataset("mnist", str(folder))
    assert str(tmp_path) not in str(e.value)  # file names only: no server paths


@pytest.mark.parametrize("labels, fragment", [
    (np.zeros(N), "no example of class 1, 2, 3"),
    (np.arange(N) % 9, "no example of class 9"),
    (np.where(np.arange(N) < N - 10_000, np.arange(N) % 10, 3), "valid images hold no example"),
    (np.where(np.arange(N) == 5, 42, np.arange(N) % 10), "label is 42"),
    (np.where(np.arange(N) == 5, 255, np.arange(N) % 10), "label is 255"),
])
def test_labels_that_no_page_could_use(tmp_path, labels, fragment):
    folder = write_idx_folder(tmp_path / "d", with_labels(labels))
    with pytest.raises(DataError, match=fragment):
        load_dataset("mnist", str(folder))


def test_a_gzip_that_promises_a_billion_images_costs_nothing(tmp_path):
    folder = folder_with(tmp_path, {"train-images-idx3-ubyte": idx_header(3, (10**9, 28, 28)) + bytes(1_500_000)})
    tracemalloc.start()
    with pytest.raises(DataError, match="refused unread"):
        load_dataset("mnist", str(folder))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 * 2**20, f"{peak / 2**20:.1f} MiB allocated before refusing"


def lesson_pickle_bytes(splits, protocol: int = 2) -> bytes:
    """A gzipped pickle of `splits`."""
    return gzip.compress(pickle.dumps(splits, protocol=protocol), compresslevel=1)


def good_split(n: int = 100, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """n images in [0, 1) on the lesson's /256 scale, every class present."""
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (n, 784)) / 256).astype(np.float32), (np.arange(n) % 10).astype(np.int64)


PICKLE_CASES = {
    "train is not a pair": ((good_split()[0], good_split(), good_split()), "should be a pair"),
    "train is a triple": (((*good_split(), 1), good_split(), good_split()), "should be a pair"),
    "valid is empty": ((good_split(), (np.zeros((0, 784), np.float32), np.zeros(0, np.int64)), good_split()),
                       "valid split holds no images"),
    "a label of 42": ((good_split(), (good_split()[0], np.full(100, 42)), good_split()), "label is 42"),
    "a negative label": ((good_split(), (good_split()[0], -(np.arange(100) % 10)), good_split()), "label is -9"),
    "float labels": ((good_split(), (good_split()[0], np.zeros(100, np.float32)), good_split()), "whole numbers"),
    "NaN pixels": ((good_split(), (np.full((100, 784), np.nan, np.float32), good_split()[1]), good_split()),
                   "NaN"),
    "images of 783 pixels": (((np.zeros((100, 783), np.float32), good_split()[1]), good_split(), good_split()),
                             r"float \(N, 784\)"),
    "a dict, not a tuple": ({"train": good_split()}, "expected a tuple"),
    "two splits": ((good_split(), good_split()), "expected a tuple"),
    "labels as a list": ((good_split(), (good_split()[0], list(range(100))), good_split()), "whole numbers"),
    "valid missing a class": ((good_split(), (good_split()[0], np.arange(100) % 5), good_split()), "no example of class 5"),
}


@pytest.mark.parametrize("case", list(PICKLE_CASES))
def test_broken_lesson_pickles_are_refused_in_words(tmp_path, case):
    splits, fragment = PICKLE_CASES[case]
    (tmp_path / "mnist.pkl.gz").write_bytes(lesson_pickle_bytes(splits))
    with pytest.raises(DataError, match=fragment) as e:
        load_dataset("mnist", str(tmp_path))
    assert str(tmp_path) not in str(e.value)


@pytest.mark.parametrize("protocol", [2, 4, 5])
def test_a_valid_lesson_pickle_loads_in_every_protocol_numpy_writes(tmp_path, protocol):
    splits = (good_split(300, 0), good_split(100, 1), good_split(100, 2))
    (tmp_path / "mnist.pkl.gz").write_bytes(lesson_pickle_bytes(splits, protocol))
    ds = load_dataset("mnist", str(tmp_path))
    np.testing.assert_array_equal(ds.x_valid.reshape(100, 784), np.round(splits[1][0] * 256).astype(np.uint8))


class Evil:
    """Unpickling this would run a shell command."""

    def __reduce__(self):
        return os.system, ("echo pwned > /tmp/mnistcore-pwned",)


@pytest.mark.parametrize("payload", [Evil(), (good_split(), good_split(), Evil()), [Evil()]],
                         ids=["alone", "inside-the-splits", "in-a-list"])
def test_a_pickle_that_would_run_code_is_refused_and_runs_nothing(tmp_path, payload):
    (tmp_path / "mnist.pkl.gz").write_bytes(lesson_pickle_bytes(payload))
    with pytest.raises(DataError, match="refused to load posix.system|not a plain pickle"):
        load_dataset("mnist", str(tmp_path))
    assert not os.path.exists("/tmp/mnistcore-pwned")


@pytest.mark.parametrize("raw, fragment", [
    (b"", "ends early|could not be read"),
    (gzip.compress(b"not a pickle at all"), "could not be read|not a plain pickle"),
    (b"plain text named .gz", "could not be read"),
    (lesson_pickle_bytes((good_split(), good_split(), good_split()))[:-30], "ends early|could not be read"),
])
def test_corrupt_lesson_pickles(tmp_path, raw, fragment):
    (tmp_path / "mnist.pkl.gz").write_bytes(raw)
    with pytest.raises(DataError, match=fragment):
        load_dataset("mnist", str(tmp_path))


def test_a_pickle_that_unpacks_past_the_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(lesson_pickle, "MAX_BYTES", 2**20)
    (tmp_path / "mnist.pkl.gz").write_bytes(gzip.compress(bytes(2**20 + 10)))
    with pytest.raises(DataError, match="unpacks to more than 1 MiB"):
        load_dataset("mnist", str(tmp_path))


@pytest.mark.parametrize("make", [
    lambda t: "~nosuchuser-mnistcore/mnist",
    lambda t: "/" + "x" * 5000,
    lambda t: str(t / "missing"),
    lambda t: str(t) + "/bad\x00name",
    lambda t: str(t / "a-file.txt"),
    lambda t: str(t),  # exists, but holds nothing
    lambda t: "/proc/self",
], ids=["unknown-user", "5000-chars", "missing", "nul-byte", "a-file", "empty", "proc"])
def test_folders_that_hold_no_data_set(tmp_path, make):
    (tmp_path / "a-file.txt").write_text("hello")
    with pytest.raises(DataError) as e:
        load_dataset("mnist", make(tmp_path))
    assert str(tmp_path) not in str(e.value)


# ---------------------------------------------------------------- weights uploads


def saved(obj, **kw) -> bytes:
    """What torch.save writes for `obj`."""
    buffer = io.BytesIO()
    torch.save(obj, buffer, **kw)
    return buffer.getvalue()


def deflated(data: bytes) -> bytes:
    """The same zip archive, each member deflated (torch.save stores them uncompressed)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, src.read(info.filename))
    return out.getvalue()


def linear_state(**changes) -> dict:
    """The lesson's model's state_dict, with some entries changed."""
    state = models.build("linear").state_dict()
    state.update(changes)
    return state


WEIGHT_CASES = {
    "empty": (b"", "empty"),
    "too large": (b"\0" * (uploads.MAX_WEIGHTS_BYTES + 1), "at most 20 MiB"),
    "text": (b"these are not weights", "not a PyTorch weights file"),
    "a PNG renamed .pt": (b"\x89PNG\r\n\x1a\n" + bytes(100), "not a PyTorch weights file"),
    "a zip of text": (None, "damaged or was not written by torch.save"),
    "truncated": (saved(linear_state())[:-200], "not a PyTorch weights file|damaged"),
    "a callable inside": (saved({"w": torch.zeros(1), "hook": os.getcwd}), "Python objects other than tensors"),
    "a whole model, not a state_dict": (saved(models.build("linear")), "Python objects other than tensors"),
    "NaN weights": (saved(linear_state(**{"0.weight": torch.full((10, 784), float("nan"))})), "NaN or infinite"),
    "inf bias": (saved(linear_state(**{"0.bias": torch.tensor([float("inf")] * 10)})), "NaN or infinite"),
    "wrong shapes": (saved({"0.weight": torch.zeros(5, 5), "0.bias": torch.zeros(5)}), "match none of the three models"),
    "a list of tensors": (saved([torch.zeros(10, 784), torch.zeros(10)]), "does not hold a state_dict"),
    "a number in the dict": (saved({"0.weight": 3, "0.bias": torch.zeros(10)}), "does not hold a state_dict"),
    "an empty dict": (saved({}), "match none"),
    "a 1 GB storage, deflated": (deflated(saved({"0.weight": torch.zeros(2**28), "0.bias": torch.zeros(10)})),
                                 "unpacks to 1,024 MiB"),
}


@pytest.mark.parametrize("case", list(WEIGHT_CASES))
def test_bad_weights_uploads_are_refused_in_words(case):
    data, fragment = WEIGHT_CASES[case]
    if data is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as z:
            z.writestr("readme.txt", "hello")
        data = buffer.getvalue()
    with pytest.raises(uploads.UploadError, match=fragment) as e:
        uploads.weights(data)
    assert "weights_only" not in str(e.value)  # never advise turning the safety off


@pytest.mark.parametrize("name", list(models.NAMES))
def test_good_weights_uploads_load(name):
    model = models.build(name)
    assert models.kind_of(uploads.weights(models.to_file(model))) == name
    assert models.kind_of(uploads.weights(deflated(models.to_file(model)))) == name  # compressed is fine too


# ---------------------------------------------------------------- photo uploads


def encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **kw)
    return buffer.getvalue()


def bar(size=(200, 200), horizontal=True) -> Image.Image:
    """A thick dark bar on white: a '1' when vertical."""
    img = Image.new("RGB", size, "white")
    w, h = size
    box = (20, h // 2 - 15, w - 20, h // 2 + 15) if horizontal else (w // 2 - 15, 20, w // 2 + 15, h - 20)
    ImageDraw.Draw(img).rectangle(box, fill="black")
    return img


def with_orientation(img: Image.Image, orientation: int) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    return encode(img, "JPEG", exif=exif.tobytes(), quality=95)


POSTSCRIPT = (b"%!PS-Adobe-3.0\n%%BoundingBox: 0 0 100 100\n"
              b"/Helvetica findfont 40 scalefont setfont 10 10 moveto (7) show\nshowpage\n")
IMAGE_CASES = {
    "PostScript named .png": (POSTSCRIPT, "not an image in a format read here"),
    "EPS with a binary header": (b"\xc5\xd0\xd3\xc6" + bytes(26) + POSTSCRIPT, "not an image in a format read here"),
    "SVG": (b'<svg xmlns="http://www.w3.org/2000/svg" width="28" height="28"><text>7</text></svg>', "not an image"),
    "HTML": (b"<html><script>alert(1)</script></html>", "not an image"),
    "PDF": (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF", "not an image"),
    "ICO": (encode(Image.new("RGB", (32, 32)), "ICO"), "not an image"),
    "a PNG header only": (encode(bar())[:33], "not an image|damaged or cut short"),
    "a JPEG cut in half": (encode(bar(), "JPEG")[:300], "damaged or cut short"),
    "40 million pixels": (encode(Image.new("1", (8000, 5000))), "more than the 16 million"),
    "6300 x 6300 RGBA": (encode(Image.new("RGBA", (6300, 6300))), "more than the 16 million"),
    "the empty file": (b"", "empty"),
    "11 MiB": (b"\x89PNG" + bytes(11 * 2**20), "at most 10 MiB"),
}


@pytest.mark.parametrize("case", list(IMAGE_CASES))
def test_bad_photos_are_refused_in_words(case):
    data, fragment = IMAGE_CASES[case]
    with pytest.raises(uploads.UploadError, match=fragment):
        uploads.image(data)


@pytest.mark.parametrize("img, fragment", [
    (Image.new("RGB", (10000, 8), "white"), "too small"),  # shrunk to 1024 x 1: no room for a digit
    (Image.new("RGBA", (300, 300), (0, 0, 0, 0)), "blank"),  # all transparent
    (Image.new("P", (300, 300), 7), "blank"),
    (Image.new("I;16", (64, 64), 40000), "blank"),
])
def test_photos_without_a_digit(img, fragment):
    with pytest.raises(digits.DigitError, match=fragment):
        digits.like_mnist(uploads.image(encode(img, "PNG")))


@pytest.mark.parametrize("orientation, upright", [(1, False), (6, True), (8, True), (3, False)])
def test_the_exif_orientation_is_applied(orientation, upright):
    img = uploads.image(with_orientation(bar((300, 200)), orientation))
    ink = np.asarray(img.convert("L")) < 128
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    tall = (rows[-1] - rows[0]) > (cols[-1] - cols[0])
    assert tall == upright  # orientation 6 or 8: the horizontal bar was a '1' standing up


def test_an_animated_gif_gives_its_first_frame():
    frames = [bar(horizontal=False), Image.new("RGB", (200, 200), "white")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "GIF", save_all=True, append_images=frames[1:])
    assert digits.like_mnist(uploads.image(buffer.getvalue())).digit.max() > 0.8


def test_a_large_photo_is_shrunk_before_it_is_prepared():
    img = uploads.image(encode(bar((4000, 3000), horizontal=False), "PNG"))
    assert uploads.WORK_SIDE // 2 < max(img.size) <= uploads.WORK_SIDE
    assert digits.like_mnist(img).digit.max() > 0.8


PEAK_SCRIPT = """
import sys
from mnistcore import digits
from mnistcore.serving import uploads
def kib(field):
    return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(field))
data = open(sys.argv[2], "rb").read()
open("/proc/self/clear_refs", "w").write("5")  # reset the peak (VmHWM) to the current RSS
before = kib("VmRSS:")
try:
    digits.like_mnist(uploads.image(data)) if sys.argv[1] == "photo" else uploads.weights(data)
except uploads.UploadError:
    pass  # blank, or weights of no model here: the cost of getting that far is what is measured
print((kib("VmHWM:") - before) / 1024)
"""


def largest_upload(kind: str) -> bytes:
    """The largest upload of `kind` that is read in full: 16 M pixels of RGBA; 15 MiB of tensors."""
    if kind == "photo":
        img = Image.new("RGBA", (4000, 4000), (255, 255, 255, 255))
        ImageDraw.Draw(img).rectangle((1600, 400, 2400, 3600), fill=(0, 0, 0, 255))
        return encode(img, "PNG")
    return saved({"0.weight": torch.ones(15 * 2**18), "0.bias": torch.zeros(10)})


@pytest.mark.parametrize("kind, limit_mib", [("photo", 100), ("weights", 64)])
def test_memory_bounds(tmp_path, kind, limit_mib):
    """The largest accepted upload of each kind grows a fresh process by at most `limit_mib` (peak RSS)."""
    path = tmp_path / "upload"
    path.write_bytes(largest_upload(kind))
    out = subprocess.run([sys.executable, "-c", PEAK_SCRIPT, kind, str(path)], capture_output=True, text=True,
                         timeout=120, check=True)
    grew = float(out.stdout.strip())
    print(f"{kind}: {path.stat().st_size / 2**20:.1f} MiB file, peak grew {grew:.0f} MiB")
    assert 0 < grew < limit_mib


# ---------------------------------------------------------------- training settings


@pytest.mark.parametrize("lr, momentum", [(10.0, 0.9), (10.0, 0.0), (3.0, 0.0)])
def test_a_loss_that_ends_far_above_its_start_is_called_overshot_and_keeps_its_accuracy(lr, momentum):
    from mnistcore.prepare import to_tensors
    from mnistcore.train import OVERSHOOT, TrainConfig, train
    result = train(TrainConfig(optimizer="sgd", lr=lr, momentum=momentum, epochs=1), to_tensors(load_dataset("mnist", "sample")))
    assert result.status == "overshot", result.metrics()
    # an untrained model's loss is about ln 10 = 2.3: this one ended far above it, finite, and a real model
    assert result.valid_loss > OVERSHOOT * 2.3 and 0.5 < result.valid_accuracy < 1
    message = result.history[-1].message
    assert "far above" in message and f"{result.valid_accuracy:.1%} of the validation digits are right" in message
    assert f"({lr:g})" in message and "10 times smaller" in message


def test_a_typed_folder_that_is_a_fifo_a_loop_or_proc_is_refused_in_words_without_waiting(tmp_path):
    import threading

    from mnistcore.data import read_folder
    names = ["train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    os.mkfifo(tmp_path / "fifo")
    (tmp_path / "fifos").mkdir()
    for name in names:  # every file a FIFO: opening one would wait for a writer for ever
        os.mkfifo(tmp_path / "fifos" / name)
    os.mkfifo(tmp_path / "fifos" / "mnist.pkl.gz")
    (tmp_path / "loop1").symlink_to(tmp_path / "loop2")
    (tmp_path / "loop2").symlink_to(tmp_path / "loop1")
    (tmp_path / "mem").mkdir()
    for name in names:
        (tmp_path / "mem" / name).symlink_to("/proc/self/mem")
    for folder in ["fifo", "fifos", "loop1", "loop1/..", "mem", "/proc/self/mem", "/proc/self"]:
        said = []

        def read(folder=folder, said=said):
            try:
                read_folder("mnist", tmp_path / folder)
            except DataError as e:
                said.append(str(e))

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        reader.join(5)
        assert not reader.is_alive(), f"{folder}: still reading"
        assert said and str(tmp_path) not in said[0], folder  # words, and never the server's paths
