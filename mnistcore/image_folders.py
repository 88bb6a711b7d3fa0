"""Anyone's images in folders, as a data set: a zip with one folder per class (ImageFolder's and Teachable
Machine's layout), each image prepared as MNIST's were (`digits.like_mnist`).

The zip is read where it lies, in memory: nothing is written to disk, so a name's path tricks can only be
named in a note. Every cost is bounded before it is paid (`Bounds`): the zip's size and the number of names in
its directory are read from its last bytes, sizes and compression ratios from the directory, and each file is
unpacked with a cap, since the directory's sizes can lie. Images are prepared in worker processes, fed a few
chunks at a time, so what is held at once stays small whatever the zip holds.
"""

import hashlib
import io
import multiprocessing as mp
import re
import time
import warnings
import zipfile
from collections import Counter, deque
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from mnistcore import digits
from mnistcore.data import Dataset
from mnistcore.errors import DataError, DigitError

MiB = 2**20
ZIP_BYTES = 100 * MiB  # the upload itself: a class's phone photos, or 10,000 small images in ~5 MB
ENTRIES = 50_000  # names the zip's directory may list, folders and macOS's __MACOSX copies included (a Mac's zip of
# 20,000 images lists about 40,000); read from the zip's last bytes, before Python builds an object for each name
FILES = 20_000  # files in the class folders: 20,000 small images prepare in about 13 s on 2 busy cores
UNPACKED_BYTES = 200 * MiB  # all files together, unpacked (images hardly compress: about the zip's own size)
FILE_BYTES = 32 * MiB  # one file, unpacked: a 16-megapixel PNG photo (a larger file is left out, with a note)
PIXELS = 16_000_000  # one image, width x height, read from its header before it is decoded: a phone's 12 MP photo
# fits; decoded, it is at most 64 MB (RGBA) in its worker
SECONDS = 30.0  # reading and preparing the whole zip: 10,000 small images take ~6 s on 2 busy cores (bench/zip_bench)
RATIO = 100.0  # unpacked / packed size of any file over 1 MiB: images pack to about 1:1, a bomb's zeros to 1000:1
BIG_FILE = 1 * MiB  # files smaller than this are not held to RATIO: they can cost little each, and FILES caps them
CLASSES = 10  # the lesson's model ends in nn.Linear(784, 10): ten classes, no more, no fewer
MAX_CLASS_NAME = 40
SIDE = 64  # an image is shrunk to at most this before like_mnist: its digit ends up 20 pixels tall, and a 3000 x 3000
# scan at full size cost ~0.5 s for detail nobody sees. At 64, tests/photo_corpus.py's photos of digits read as the
# clean digit 55 times in 60, as an uploaded photo does (at 32: 44). The price: like_mnist's lighting step takes a
# filled shape wider than about a quarter of the image for paper, so a large photo of a shirt comes out as its outline
WORKERS = 2  # processes that prepare images (the server's two cores)
INLINE = 400  # fewer images than this are prepared in the caller's process: starting workers would cost more
CHUNK = 250  # images sent to a worker at once ...
CHUNK_BYTES = 8 * MiB  # ... or fewer, when they are large; at most WORKERS + 1 chunks wait or work at once
ORIENTATION = 0x0112  # the EXIF tag that says which way up a photo was taken
FORMATS = ("PNG", "JPEG", "WEBP", "GIF", "BMP")  # never let Pillow pick any decoder by content
IGNORED = ("__MACOSX", "Thumbs.db", "desktop.ini")  # what operating systems add when a folder is zipped


@dataclass(frozen=True)
class Bounds:
    """What one zip may hold and cost; the defaults are the module's constants above, each with its reason."""

    zip_bytes: int = ZIP_BYTES  # the zip itself
    entries: int = ENTRIES  # names in its directory
    files: int = FILES  # files in class folders
    unpacked_bytes: int = UNPACKED_BYTES  # all files, unpacked
    file_bytes: int = FILE_BYTES  # one file, unpacked
    pixels: int = PIXELS  # one image, width x height
    seconds: float = SECONDS  # the whole read, preparation included
    ratio: float = RATIO  # unpacked / packed, for a file over BIG_FILE


@dataclass(frozen=True)
class Folders:
    """A zip's images prepared as MNIST's were, by class, with what was left out and why."""

    classes: tuple[str, ...]  # the folders' names, cleaned, in natural order: the labels' names
    images: np.ndarray  # (N, 28, 28) uint8, white ink on black, 20 x 20 centred by mass
    labels: np.ndarray  # (N,) int64, indices into classes
    files: tuple[str, ...]  # (N,) each image's path in the zip
    notes: tuple[str, ...]  # plain sentences: what was left out, and why
    origin: str  # the first 16 hex digits of the zip's sha256: tells two uploads apart


def _count(n: int, thing: str, things: str | None = None) -> str:
    """`n` things in words: "1 file", "2,000 files"."""
    return f"{n:,} {thing if n == 1 else (things or thing + 's')}"


def _size(n: float) -> str:
    """A number of bytes in words: "200 MiB", "1.0 MiB", "980 KiB", "1,000 bytes"."""
    if n >= 10 * MiB:
        return f"{n / MiB:,.0f} MiB"
    if n >= 1000 * 2**10:
        return f"{n / MiB:.1f} MiB"
    return f"{n / 2**10:,.0f} KiB" if n >= 10 * 2**10 else f"{n:,.0f} bytes"


def _left_out(n: int, why: str) -> str:
    """A note: "3 files were left out: `why`."."""
    return f"{_count(n, 'file')} {'was' if n == 1 else 'were'} left out: {why}."


def _shown(path: str) -> str:
    """A path from the zip as it may be shown: printable characters only, at most 60 of them."""
    path = "".join(ch for ch in path if ch.isprintable())
    return path if len(path) <= 60 else "…" + path[-59:]


def _listed(data: bytes) -> int:
    """How many names the zip's directory lists, from its end record (ZIP64's too), before Python parses it."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65_535))  # the record sits in the last 64 KiB
    if end < 0 or end + 22 > len(data):
        raise DataError("This file is not a zip (or it is cut short): make one by compressing a folder.")
    count = int.from_bytes(data[end + 10:end + 12], "little")
    if count == 0xFFFF and data[end - 20:end - 16] == b"PK\x06\x07":  # ZIP64: the count is in a record of its own
        at = int.from_bytes(data[end - 12:end - 4], "little")
        if data[at:at + 4] == b"PK\x06\x06":
            count = int.from_bytes(data[at + 32:at + 40], "little")
    return count


def _decoded(info: zipfile.ZipInfo) -> str:
    """The entry's name as its maker meant it: macOS writes UTF-8 without the flag, and zipfile reads it as cp437."""
    name = info.orig_filename
    if not info.flag_bits & 0x800:
        try:
            return name.encode("cp437").decode("utf-8")
        except (UnicodeEncodeError, UnicodeDecodeError):
            pass
    return name


def _unsafe(name: str) -> bool:
    """True for a path that would climb out of a folder or mean something else on some system."""
    parts = name.rstrip("/").split("/")
    return ("\x00" in name or "\\" in name or name.startswith("/") or re.match(r"[A-Za-z]:", name) is not None
            or any(p in ("", ".", "..") for p in parts))


def _ignored(parts: list[str]) -> bool:
    """True for what a system adds when it zips a folder (macOS, Windows) and for hidden files and folders."""
    return any(p in IGNORED or p.startswith(".") for p in parts)


def clean_class_name(raw: str) -> str:
    """A folder's name as a class name: control characters removed, spaces collapsed, at most MAX_CLASS_NAME long."""
    name = " ".join("".join(ch for ch in raw if ch.isprintable()).split())
    return name if len(name) <= MAX_CLASS_NAME else name[:MAX_CLASS_NAME - 1].rstrip() + "…"


def natural_key(name: str) -> tuple:
    """Sort key that reads runs of digits as numbers ("2" before "10"); capitals do not count."""
    pieces = re.split(r"(\d+)", name.casefold())  # text, digits, text, ...: each position holds one kind
    return tuple(int(p) if i % 2 else p for i, p in enumerate(pieces)), name


def _named(raw_names: list[str]) -> list[str]:
    """The class folders' cleaned names in natural order, or DataError when they are not ten distinct names."""
    if not raw_names:
        raise DataError("This zip has no class folders: put each class's images in a folder of its own, named after "
                        "the class, and zip the ten folders (or the folder that holds them).")
    cleaned: dict[str, str] = {}
    for raw in sorted(raw_names):
        name = clean_class_name(raw)
        if not name:
            raise DataError("A class folder's name has no letters or digits that can be shown: rename it.")
        other = next((o for o in cleaned.values() if o.casefold() == name.casefold()), None)
        if other is not None:
            why = "differ only in capital letters" if other != name else "read the same once cleaned"
            raise DataError(f'Two class folders, "{other}" and "{name}", {why}; a class is one folder: merge them '
                            "or rename one.")
        cleaned[raw] = name
    names = sorted(cleaned.values(), key=natural_key)
    if len(names) != CLASSES:
        shown = ", ".join(names[:12]) + (", …" if len(names) > 12 else "")
        raise DataError(f"This zip has {_count(len(names), 'class folder')} ({shown}); the lesson's model reads ten "
                        "classes, so it needs ten folders, one per class.")
    return names


def _layout(zf: zipfile.ZipFile, bounds: Bounds, notes: list[str]) -> tuple[list[str], list]:
    """The classes' names and (label, path, entry) of each file in a class folder; what is left out goes in `notes`."""
    entries, tricks = [], 0
    for info in zf.infolist():
        name = _decoded(info)
        if _unsafe(name):
            tricks += 1
            continue
        parts = name.rstrip("/").split("/")
        if not _ignored(parts):
            entries.append((parts, info.is_dir(), info))
    if tricks:
        notes.append(_left_out(tricks, "a path that could reach outside its folder (../, an absolute path, a backslash "
                                       "or a NUL character)"))
    tops = {parts[0] for parts, is_dir, _ in entries if len(parts) >= 2 or is_dir}  # the folders at the top
    if len(tops) == 1 and any(len(parts) >= 3 for parts, _, _ in entries):  # zipping a folder wraps it: root/cat/x.png
        top = tops.pop()
        entries = [(parts[1:] if parts[0] == top else parts, is_dir, info) for parts, is_dir, info in entries
                   if parts != [top]]
    folders = sorted({parts[0] for parts, is_dir, _ in entries if len(parts) >= 2 or is_dir})
    classes = _named(folders)
    order = {clean_class_name(f): classes.index(clean_class_name(f)) for f in folders}
    files, outside, nested = [], 0, 0
    for parts, is_dir, info in entries:
        if is_dir:
            continue
        if len(parts) == 1:
            outside += 1
        elif len(parts) > 2:
            nested += 1
        else:
            files.append((order[clean_class_name(parts[0])], "/".join(parts), info))
    if outside:
        notes.append(_left_out(outside, "not in a class folder"))
    if nested:
        notes.append(_left_out(nested, "in a folder inside a class folder (only the files directly in a class folder "
                                       "count)"))
    if len(files) > bounds.files:
        raise DataError(f"This zip has {len(files):,} files in its class folders; at most {bounds.files:,} are read.")
    return classes, sorted(files, key=lambda f: (f[0], natural_key(f[1])))


def _checked(files: list[tuple[int, str, zipfile.ZipInfo]], classes: list[str], bounds: Bounds,
             notes: list[str]) -> list[tuple[int, str, zipfile.ZipInfo]]:
    """The files worth unpacking, by their directory entries; a zip bomb or a class without two files is refused."""
    for _, path, info in files:
        if info.file_size > BIG_FILE and info.file_size > bounds.ratio * max(info.compress_size, 1):
            raise DataError(f"This zip looks like a zip bomb: {_shown(path)} would unpack from "
                            f"{_size(info.compress_size)} to {_size(info.file_size)}, where images hardly "
                            "pack at all. It was not opened.")
    declared = sum(info.file_size for _, _, info in files)
    if declared > bounds.unpacked_bytes:
        raise DataError(f"This zip would unpack to {_size(declared)}; at most {_size(bounds.unpacked_bytes)} are read.")
    kept, left = [], Counter()
    for label, path, info in files:
        if info.flag_bits & 0x1:
            left["locked"] += 1
        elif info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            left["method"] += 1  # LZMA and bzip2 unpack slower than Deflate: a bound on bytes would not bound time
        elif info.file_size > bounds.file_bytes:
            left["big"] += 1
        else:
            kept.append((label, path, info))
    notes += [_left_out(n, _why(why, bounds)) for why, n in left.items()]
    have = Counter(label for label, _, _ in kept)
    for label, name in enumerate(classes):
        if have[label] < 2:
            held = "is empty" if have[label] == 0 else "holds only one file"
            raise DataError(f'The folder "{name}" {held}; every class needs at least two images: one to train on and one '
                            "to check the model with.")
    return kept


def _unpacked(zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int, deadline: float) -> bytes | None:
    """The file's bytes, read at most `cap` + 1 at a time and never past the deadline; None when damaged or too big."""
    chunks, size = [], 0
    try:
        with zf.open(info) as f:
            while chunk := f.read(MiB):
                size += len(chunk)
                if size > cap:
                    return None  # more than its directory said: the declared size lied
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    return None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError, NotImplementedError):
        return None  # a bad CRC, a cut stream, a name that differs from its local header...
    return b"".join(chunks)


def prepared(blob: bytes, pixels: int = PIXELS, side: int = SIDE) -> np.ndarray | str:
    """One file as a prepared (28, 28) uint8 image, or a word for why not ("image", "pixels", "damaged", "ink")."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own bound, below, comes first
            img = Image.open(io.BytesIO(blob), formats=FORMATS)
            if img.width * img.height > pixels:
                return "pixels"
            exif = img.getexif()
            img.draft("L", (side, side))  # JPEG decodes at 1/2, 1/4 or 1/8 of its size, cheaply
            transparent = img.mode in ("RGBA", "LA", "PA") or "transparency" in img.info
            if img.mode not in ("I", "I;16", "I;16B", "I;16L", "F"):  # to_gray scales 16-bit grey itself
                img = img.convert("LA" if transparent else "L")  # 1-2 bytes a pixel before anything is resized
                factor = max(img.size) // (2 * side)
                img = img.reduce(factor) if factor > 1 else img  # a cheap box average to ~2 x side
            if exif.get(ORIENTATION, 1) != 1:  # a phone's photo taken sideways stands up
                img.info["exif"] = exif.tobytes()
                img = ImageOps.exif_transpose(img)
        if img.mode != "L" or max(img.size) > side:
            gray = digits._shrunk(digits.to_gray(img), side)  # (h, w) in [0, 1]
            img = Image.fromarray(np.round(gray * 255).astype(np.uint8))
        digit = digits.like_mnist(img).digit  # (28, 28) in [0, 1]
    except UnidentifiedImageError:
        return "image"
    except Image.DecompressionBombError:  # Pillow's own bound, past twice its 89 million pixels
        return "pixels"
    except DigitError:
        return "ink"
    except (OSError, SyntaxError, ValueError, EOFError, TypeError):
        return "damaged"
    return np.round(digit * 255).astype(np.uint8)


def _prepared_chunk(blobs: list[bytes], pixels: int) -> list[np.ndarray | str]:
    """`prepared` for each of `blobs`: what a worker does with one chunk."""
    return [prepared(b, pixels) for b in blobs]


def _why(word: str, bounds: Bounds) -> str:
    """Why files were left out, from the reader's or `prepared`'s word for it."""
    return {"locked": "encrypted (protected by a password)",
            "method": "packed with a method other than Deflate, the one every system's Compress uses",
            "big": f"over {_size(bounds.file_bytes)} unpacked",
            "image": "not an image in a format read here (PNG, JPEG, WebP, GIF, BMP)",
            "pixels": f"more than the {bounds.pixels / 1e6:g} million pixels an image may have (never decoded)",
            "damaged": "damaged or cut short",
            "ink": "blank or too small (no ink was found)"}[word]


def _start(workers: int, context) -> ProcessPoolExecutor:
    """A pool of `workers` processes started from `context`: the caller's, else spawn, which starts no forkserver
    that the app's own (preloaded, low-priority) forkserver would then have to share."""
    return ProcessPoolExecutor(workers, mp_context=context or mp.get_context("spawn"))


def _prepare_all(zf: zipfile.ZipFile, files: list, bounds: Bounds, deadline: float, workers: int, context,
                 left: Counter) -> list[tuple[int, str, np.ndarray]]:
    """(label, path, image) for each file that prepares; the others are counted in `left` by why."""
    out, waiting = [], deque()  # waiting: (future or results, [(label, path)]) of each chunk, in order
    pool = _start(workers, context) if workers > 0 and len(files) >= INLINE else None
    unpacked = 0

    def collect() -> None:
        """Take in the oldest chunk's results, waiting for them at most until the deadline."""
        work, which = waiting.popleft()
        try:
            results = work if isinstance(work, list) else work.result(timeout=max(0.0, deadline - time.monotonic()))
        except FutureTimeout:
            raise DataError(f"Preparing these images took longer than {bounds.seconds:g} s, so it was stopped: "
                            "send fewer images, or smaller ones.") from None
        except BrokenProcessPool:
            raise DataError("The processes preparing these images stopped (the server may be short of memory); "
                            "try again, or send fewer images.") from None
        for (label, path), result in zip(which, results):
            if isinstance(result, str):
                left[result] += 1
            else:
                out.append((label, path, result))

    def send(blobs: list[bytes], which: list) -> None:
        """Hand one chunk to a worker (or prepare it here), keeping at most WORKERS + 1 chunks in flight."""
        work = pool.submit(_prepared_chunk, blobs, bounds.pixels) if pool else _prepared_chunk(blobs, bounds.pixels)
        waiting.append((work, which))
        while len(waiting) > (workers + 1 if pool else 0):
            collect()

    try:
        blobs, which, size = [], [], 0
        for label, path, info in files:
            if time.monotonic() > deadline:
                raise DataError(f"Reading this zip took longer than {bounds.seconds:g} s, so it was stopped: send "
                                "fewer images, or smaller ones.")
            blob = _unpacked(zf, info, min(bounds.file_bytes, bounds.unpacked_bytes - unpacked), deadline)
            if blob is None:
                left["damaged"] += 1
                continue
            unpacked += len(blob)
            blobs.append(blob)
            which.append((label, path))
            size += len(blob)
            if len(blobs) >= CHUNK or size >= CHUNK_BYTES:
                send(blobs, which)
                blobs, which, size = [], [], 0
        if blobs:
            send(blobs, which)
        while waiting:
            collect()
        if time.monotonic() > deadline:
            raise DataError(f"Preparing these images took longer than {bounds.seconds:g} s, so it was stopped: "
                            "send fewer images, or smaller ones.")
    finally:
        if pool:
            pool.shutdown(wait=False, cancel_futures=True)
    return out


def read_zip(data: bytes, bounds: Bounds = Bounds(), workers: int = WORKERS, context=None) -> Folders:
    """The images of a zip with one folder per class, prepared as MNIST's were; DataError in words when it cannot be
    used. `workers` processes prepare them, started from the multiprocessing `context` given (the app's own)."""
    deadline = time.monotonic() + bounds.seconds
    if not data:
        raise DataError("The file is empty.")
    if len(data) > bounds.zip_bytes:
        raise DataError(f"The zip is {_size(len(data))}; it may be at most {_size(bounds.zip_bytes)}.")
    listed = _listed(data)
    if listed > bounds.entries:
        raise DataError(f"This zip lists {listed:,} files and folders; at most {bounds.entries:,} are read.")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))  # BytesIO shares the bytes: no copy
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError):
        raise DataError("This zip is damaged: its list of files cannot be read.") from None
    notes: list[str] = []
    left: Counter = Counter()
    with zf:
        try:
            classes, files = _layout(zf, bounds, notes)
            files = _checked(files, classes, bounds, notes)
        except DataError as e:  # what was left out may be why: names with backslashes, files packed with LZMA...
            raise DataError(" ".join([str(e), *notes])) from None
        done = _prepare_all(zf, files, bounds, deadline, workers, context, left)
    notes += [_left_out(n, _why(why, bounds)) for why, n in left.items()]
    have = Counter(label for label, _, _ in done)
    for label, name in enumerate(classes):
        if have[label] < 2:
            raise DataError(f'Only {_count(have[label], "image")} in the folder "{name}" could be prepared; every class '
                            "needs at least two: one to train on and one to check the model with. "
                            + " ".join(notes))
    return Folders(classes=tuple(classes), images=np.stack([image for _, _, image in done]),  # (N, 28, 28)
                   labels=np.array([label for label, _, _ in done], dtype=np.int64), files=tuple(p for _, p, _ in done),
                   notes=tuple(notes), origin=hashlib.sha256(data).hexdigest()[:16])


VALID_SHARE = 0.2  # a fifth of each class checks the model, as the lesson keeps 10,000 of MNIST's 60,000 aside
SHARES = {0.5: "half", 0.25: "a quarter", 0.2: "a fifth", 0.1: "a tenth"}


def to_dataset(folders: Folders, seed: int = 0, valid_share: float = VALID_SHARE, label: str = "Your images") -> Dataset:
    """`folders` as the Dataset every page uses: `valid_share` of each class (at least one image, and one left to
    train on) set aside to check the model, chosen at random by `seed`."""
    if not 0 < valid_share < 1:
        raise DataError(f"The share of images kept to check the model must be between 0 and 1, not {valid_share:g}.")
    rng = np.random.default_rng(seed)
    valid = np.zeros(len(folders.labels), dtype=bool)  # (N,)
    for c in range(len(folders.classes)):
        members = np.flatnonzero(folders.labels == c)
        n = min(max(1, round(len(members) * valid_share)), len(members) - 1)
        valid[rng.choice(members, n, replace=False)] = True
    return Dataset(name="folders", source=f"a zip of {len(folders.labels):,} images in ten folders",
                   classes=folders.classes, x_train=folders.images[~valid], y_train=folders.labels[~valid],
                   x_valid=folders.images[valid], y_valid=folders.labels[valid],
                   origin=f"zip {folders.origin}, split {seed} {valid_share:g}", label=label)


def split_words(ds: Dataset, valid_share: float = VALID_SHARE, whose: str = "your") -> str:
    """The split in one sentence: how many images train the model, how many check it, and how they were chosen."""
    n_train, n_valid = len(ds.y_train), len(ds.y_valid)
    share = SHARES.get(valid_share, f"{valid_share:.0%}")
    per_class = np.bincount(ds.y_train, minlength=10) + np.bincount(ds.y_valid, minlength=10)  # (10,)
    exact = np.array_equal(np.bincount(ds.y_valid, minlength=10), np.round(per_class * valid_share))
    return (f"Of {whose} {n_train + n_valid:,} images, {n_train:,} train the model and {n_valid:,} check it: {share} of "
            f"each class{'' if exact else ' (at least one)'}, chosen at random.")
