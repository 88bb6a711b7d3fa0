"""Your own images: real zips of Fashion-MNIST images in class folders, made here, and every kind of bad zip, each
refused or handled in words (DataError and nothing else), at a bounded cost."""

import io
import time
import tracemalloc
import zipfile
import zlib

import numpy as np
import pytest
from PIL import Image

from mnistcore import data, digits, figures, image_folders
from mnistcore.errors import DataError
from mnistcore.image_folders import Bounds, read_zip, split_words, to_dataset
from mnistcore.tutor import notebook

PER_CLASS = 25


@pytest.fixture(scope="module")
def fashion() -> data.Dataset:
    """Debian's Fashion-MNIST, which the environment ships (not MNIST: the lesson's own data proves nothing here)."""
    return data.load_dataset("fashion")


def folder_of(name: str) -> str:
    """A Fashion-MNIST class name as a folder name ("T-shirt/top" holds a slash)."""
    return name.replace("/", " or ")


def encoded(image: np.ndarray | Image.Image, fmt: str = "PNG") -> bytes:
    """An image's bytes in `fmt`."""
    img = Image.fromarray(image) if isinstance(image, np.ndarray) else image
    buf = io.BytesIO()
    img.save(buf, fmt)
    return buf.getvalue()


def zipped(files: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED, folders: tuple[str, ...] = ()) -> bytes:
    """A zip made in memory of `files` (path -> bytes), with entries for `folders` as zipping a folder writes them."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as z:
        for folder in folders:
            z.writestr(zipfile.ZipInfo(folder.rstrip("/") + "/"), b"")
        for path, blob in files.items():
            z.writestr(path, blob)
    return buf.getvalue()


def clothes(fashion, per_class: int = PER_CLASS, top: str = "clothes/") -> dict[str, bytes]:
    """The first `per_class` validation images of each class as PNG files in ten folders named after the classes,
    inside `top`; the first image of three classes as JPEG, WebP and a 3000 x 3000 PNG (upscaled), of two more as
    GIF and BMP."""
    files = {}
    for c, name in enumerate(fashion.classes):
        for k, i in enumerate(np.flatnonzero(fashion.y_valid == c)[:per_class]):
            image, fmt = fashion.x_valid[i], "PNG"
            if k == 0 and c < 5:
                fmt = ("JPEG", "WEBP", "PNG", "GIF", "BMP")[c]
                image = Image.fromarray(image).resize((3000, 3000), Image.NEAREST) if c == 2 else image
            files[f"{top}{folder_of(name)}/{i}.{fmt.lower()}"] = encoded(image, fmt)
    return files


def ten_folders(fashion, per_class: int = 2, top: str = "") -> dict[str, bytes]:
    """A small valid zip's files: `per_class` PNGs in folders 0 to 9."""
    return {f"{top}{c}/{k}.png": encoded(fashion.x_valid[i]) for c in range(10)
            for k, i in enumerate(np.flatnonzero(fashion.y_valid == c)[:per_class])}


def refused(blob: bytes, *words: str, bounds: Bounds | None = None) -> str:
    """The words read_zip refuses `blob` with; each of `words` must be in them (any other exception fails the test)."""
    with pytest.raises(DataError) as caught:
        read_zip(blob, bounds or Bounds())
    message = str(caught.value)
    assert "Traceback" not in message
    for word in words:
        assert word in message, message
    return message


def correlation(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson's correlation of two images' pixels."""
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


# --- a good zip ---


def test_a_zip_of_ten_folders_is_ten_labelled_classes_that_look_like_the_originals(fashion):
    files = clothes(fashion)
    folders = read_zip(zipped(files))
    names = [folder_of(n) for n in fashion.classes]
    assert list(folders.classes) == sorted(names, key=str.casefold)  # "Ankle boot", "Bag", ... by folder name
    assert folders.images.shape == (10 * PER_CLASS, 28, 28) and folders.images.dtype == np.uint8
    assert folders.labels.dtype == np.int64 and folders.notes == ()  # the top folder "clothes/" is stripped
    for path, label in zip(folders.files, folders.labels):  # each label is its folder's
        assert folders.classes[label] == path.split("/")[0]
    assert {p.rsplit(".", 1)[1] for p in folders.files} == {"png", "jpeg", "webp", "gif", "bmp"}
    for c, name in enumerate(fashion.classes):
        label = folders.classes.index(folder_of(name))
        ours = folders.images[folders.labels == label].mean(axis=0)  # (28, 28)
        originals = fashion.x_valid[np.flatnonzero(fashion.y_valid == c)[:PER_CLASS]]
        prepared_here = np.mean([digits.like_mnist(Image.fromarray(x)).digit for x in originals], axis=0) * 255
        boxed = np.zeros((28, 28))  # Fashion-MNIST's own class mean, 20 x 20 in 28 x 28 as MNIST's digits are
        mean = fashion.x_train[fashion.y_train == c].mean(axis=0).astype(np.float32)
        boxed[4:24, 4:24] = np.asarray(Image.fromarray(mean, mode="F").resize((20, 20), Image.BOX))
        assert correlation(ours, prepared_here) > 0.97, name  # the zip, the formats, the 3000-pixel scan lose nothing
        assert correlation(ours, boxed) > 0.8, name  # and they look like the class


def test_each_class_looks_most_like_its_own_folder(fashion):
    folders = read_zip(zipped(clothes(fashion)))
    means = np.stack([folders.images[folders.labels == k].mean(axis=0) for k in range(10)])  # (10, 28, 28)
    for c, name in enumerate(fashion.classes):
        own = fashion.x_train[fashion.y_train == c][:500]
        theirs = np.mean([digits.like_mnist(Image.fromarray(x)).digit for x in own], axis=0)  # (28, 28)
        scores = [correlation(theirs, m) for m in means]
        assert folders.classes[int(np.argmax(scores))] == folder_of(name)


def test_a_large_scan_is_shrunk_before_the_recipe_as_a_small_copy_would_be(fashion):
    files = {p: b for p, b in clothes(fashion).items() if p.endswith(".png")}
    big = next(p for p in files if Image.open(io.BytesIO(files[p])).size == (3000, 3000))
    tracemalloc.start()
    folders = read_zip(zipped(files))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    original = Image.fromarray(fashion.x_valid[int(big.rsplit("/", 1)[1].split(".")[0])])
    small = original.resize((image_folders.SIDE,) * 2, Image.NEAREST)  # what the 9-megapixel scan shows, 64 pixels wide
    ours = folders.images[folders.files.index(big.split("/", 1)[1])]
    assert correlation(ours, digits.like_mnist(small).digit) > 0.95
    assert peak < 40e6  # its 9 million pixels are decoded as one byte each, then box-averaged down


def test_digit_folders_get_their_own_numbers_as_labels_in_natural_order(fashion):
    folders = read_zip(zipped(ten_folders(fashion)))
    assert folders.classes == tuple(str(c) for c in range(10))
    assert [folders.classes[label] for label in folders.labels] == [p.split("/")[0] for p in folders.files]
    numbered = {f"{int(p.split('/')[0]) + 1}/{p.split('/')[1]}": b for p, b in ten_folders(fashion).items()}
    assert read_zip(zipped(numbered)).classes == tuple(str(c) for c in range(1, 11))  # "2" before "10"


def test_the_split_is_stratified_seeded_and_said(fashion):
    folders = read_zip(zipped(clothes(fashion)))
    ds = to_dataset(folders, seed=0)
    assert ds.name == "folders" and ds.title == "Your images" and ds.classes == folders.classes
    assert np.bincount(ds.y_valid, minlength=10).tolist() == [5] * 10
    assert np.bincount(ds.y_train, minlength=10).tolist() == [20] * 10
    assert split_words(ds) == ("Of your 250 images, 200 train the model and 50 check it: a fifth of each class, "
                               "chosen at random.")
    again, other = to_dataset(folders, seed=0), to_dataset(folders, seed=1)
    np.testing.assert_array_equal(again.x_valid, ds.x_valid)
    assert not np.array_equal(other.x_valid, ds.x_valid) and other.key != ds.key
    two = read_zip(zipped(ten_folders(fashion)))  # two images a class: one each side
    small = to_dataset(two)
    assert np.bincount(small.y_valid).tolist() == [1] * 10 and np.bincount(small.y_train).tolist() == [1] * 10
    assert "(at least one)" in split_words(small)
    assert small.key != ds.key and to_dataset(two).key == small.key  # another zip is another data set


def test_a_zip_of_many_images_is_prepared_in_worker_processes_alike(fashion):
    files = ten_folders(fashion, per_class=45)  # past INLINE: two worker processes
    assert len(files) >= image_folders.INLINE
    here = read_zip(zipped(files), workers=0)
    there = read_zip(zipped(files), workers=2)
    np.testing.assert_array_equal(here.images, there.images)
    assert here.files == there.files and here.labels.tolist() == there.labels.tolist()


def test_the_mosaic_shows_each_class_on_its_own_row(fashion):
    folders = read_zip(zipped(clothes(fashion)))
    picture = figures.class_rows(folders.images, folders.labels, per_class=8)
    assert picture.dtype == np.uint8 and picture.shape == (10 * 30 - 2, 8 * 30 - 2)
    first_bag = folders.images[folders.labels == folders.classes.index("Bag")][0]
    row = folders.classes.index("Bag")
    np.testing.assert_array_equal(picture[row * 30:row * 30 + 28, :28], first_bag)
    few = figures.class_rows(folders.images[:3], folders.labels[:3], per_class=8)  # three images of class 0
    assert (few[30:] == 96).all() and (few[:28, 3 * 30:] == 96).all()  # the rest is the grey background


def test_a_notebook_of_your_images_carries_them(fashion):
    ds = to_dataset(read_zip(zipped(ten_folders(fashion))))
    cells = notebook.data_cells(ds)
    scope: dict = {}
    exec(cells[1].source, scope)  # the cell a learner runs: the images come out of the notebook itself
    np.testing.assert_array_equal(scope["x_valid"], ds.x_valid)
    assert "Your images" in cells[0].source


# --- bad input: words, and a bounded cost ---


def test_not_a_zip_an_empty_file_and_a_damaged_zip_are_refused_in_words(fashion):
    refused(b"", "empty")
    refused(b"just some text", "not a zip")
    refused(encoded(fashion.x_valid[0]), "not a zip")
    good = zipped(ten_folders(fashion))
    refused(good[:len(good) // 2], "not a zip", "cut short")
    at = good.find(b"PK\x01\x02")  # the directory's first entry: its signature broken
    refused(good[:at] + b"XX" + good[at + 2:], "damaged")


def test_a_file_whose_bytes_are_damaged_is_left_out_in_words(fashion):
    files = ten_folders(fashion, per_class=3)
    blob = bytearray(zipped(files, method=zipfile.ZIP_STORED))
    at = blob.find(b"IDAT")  # inside the first PNG: its CRC in the zip no longer matches
    blob[at + 10:at + 14] = b"\x00\x00\x00\x00"
    folders = read_zip(bytes(blob))
    assert len(folders.labels) == 29 and folders.notes == ("1 file was left out: damaged or cut short.",)


def bomb_zip(fashion, size: int = 2**30) -> bytes:
    """Ten good folders, and in folder 3 `size` bytes of zeros, which Deflate at level 9 packs 1000 to 1."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for path, blob in ten_folders(fashion).items():
            z.writestr(path, blob)
        with z.open("3/huge.png", "w", force_zip64=True) as f:
            zeros = bytes(2**20)
            for _ in range(size // len(zeros)):
                f.write(zeros)
    return buf.getvalue()


@pytest.fixture(scope="module")
def bomb(fashion) -> bytes:
    """A 1 GiB file of zeros in about 1 MB."""
    return bomb_zip(fashion)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(bomb):
    assert len(bomb) < 2 * 2**20
    tracemalloc.start()
    start = time.perf_counter()
    message = refused(bomb, "zip bomb", "3/huge.png", "1,024 MiB")
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100e6, f"{peak / 1e6:.0f} MB"
    assert seconds < 5, message  # the benchmark holds it to 1 s; here only far beyond that fails


def test_a_zip_bomb_whose_directory_lies_about_sizes_is_read_no_further_than_it_claims(bomb):
    lying = bytearray(bomb)
    at = 0
    while (at := lying.find(b"PK\x01\x02", at)) >= 0:  # every directory entry: 1 KiB unpacked
        lying[at + 24:at + 28] = (1024).to_bytes(4, "little")
        at += 4
    tracemalloc.start()
    folders = read_zip(bytes(lying))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 100e6, f"{peak / 1e6:.0f} MB"
    assert "3/huge.png" not in folders.files and len(folders.labels) == 20
    assert folders.notes == ("1 file was left out: damaged or cut short.",)


def test_many_small_bombs_and_a_zip_past_its_unpacked_bound_are_refused(fashion):
    files = ten_folders(fashion)
    files["5/zeros.png"] = bytes(5 * 2**20)  # 5 MiB in 5 KB: no image packs like that
    refused(zipped(files), "zip bomb", "5/zeros.png")
    refused(zipped(ten_folders(fashion)), "unpack to", "at most 1,000 bytes", bounds=Bounds(unpacked_bytes=1000))


def test_too_many_files_are_refused_before_they_are_read(fashion):
    files = ten_folders(fashion)
    files.update({f"{k % 10}/extra{k}.png": b"" for k in range(20_000)})
    refused(zipped(files, method=zipfile.ZIP_STORED), "20,020 files", "at most 20,000")
    files.update({f"{k % 10}/more{k}.png": b"" for k in range(30_000)})  # the 50,000 files
    blob = zipped(files, method=zipfile.ZIP_STORED)
    tracemalloc.start()
    refused(blob, "lists 50,020", "at most 50,000")
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 10e6  # refused from the zip's last bytes, before Python reads its directory


def test_files_in_nested_folders_or_outside_the_class_folders_are_left_out_and_counted(fashion):
    files = ten_folders(fashion, top="root/")
    files["root/3/small/a.png"] = files["root/3/0.png"]
    files["root/3/small/deeper/b.png"] = files["root/3/0.png"]
    files["root/notes.txt"] = b"my classes"
    folders = read_zip(zipped(files))
    assert len(folders.labels) == 20 and all(p.count("/") == 1 for p in folders.files)
    assert folders.notes == ("1 file was left out: not in a class folder.",
                             "2 files were left out: in a folder inside a class folder (only the files directly in a "
                             "class folder count).")


def test_a_single_class_or_three_classes_are_refused_with_the_reason(fashion):
    files = ten_folders(fashion)
    refused(zipped({p: b for p, b in files.items() if p.startswith("4/")}),
            "This zip has 1 class folder (4); the lesson's model reads ten classes, so it needs ten folders, one per "
            "class.")
    three = {f"{name}/{k}.png": encoded(fashion.x_valid[k]) for name in ("fish", "cat", "dog") for k in range(3)}
    refused(zipped(three), "This zip has 3 class folders (cat, dog, fish); the lesson's model reads ten classes, so "
                           "it needs ten folders, one per class.")
    refused(zipped({"a.png": files["0/0.png"]}), "no class folders")


def test_an_empty_class_and_a_class_of_one_image_are_refused(fashion):
    files = {p: b for p, b in ten_folders(fashion).items() if not p.startswith("7/")}
    refused(zipped(files, folders=("7",)), 'The folder "7" is empty', "at least two images")
    files["7/only.png"] = encoded(fashion.x_valid[0])
    refused(zipped(files), 'The folder "7" holds only one file', "one to train on and one to check")


def test_files_that_are_not_images_are_left_out_and_a_class_left_with_none_is_refused(fashion):
    files = ten_folders(fashion)
    files["2/readme.txt"] = b"hello"
    files["2/fake.png"] = b"\x89PNG but not really"
    files["2/picture.tiff"] = encoded(fashion.x_valid[0], "TIFF")  # an image, in a format not read here
    folders = read_zip(zipped(files))
    assert len(folders.labels) == 20
    assert folders.notes == ("3 files were left out: not an image in a format read here (PNG, JPEG, WebP, GIF, BMP).",)
    none = {p: (b"not an image" if p.startswith("6/") else b) for p, b in ten_folders(fashion).items()}
    refused(zipped(none), 'Only 0 images in the folder "6" could be prepared', "2 files were left out: not an image")


def test_a_blank_image_is_left_out_in_words(fashion):
    files = ten_folders(fashion)
    files["1/blank.png"] = encoded(np.zeros((28, 28), np.uint8))
    assert read_zip(zipped(files)).notes == ("1 file was left out: blank or too small (no ink was found).",)


def huge_png(width: int, height: int) -> bytes:
    """A PNG whose header claims `width` x `height` pixels, with almost no data behind it (never decodable)."""
    blob = bytearray(encoded(np.zeros((1, 1), np.uint8)))
    at = blob.find(b"IHDR")
    blob[at + 4:at + 12] = width.to_bytes(4, "big") + height.to_bytes(4, "big")
    blob[at + 17:at + 21] = zlib.crc32(bytes(blob[at:at + 17])).to_bytes(4, "big")  # the chunk's CRC, recomputed
    return bytes(blob)


def test_a_12000_by_12000_image_is_left_out_from_its_header_never_decoded(fashion):
    files = ten_folders(fashion)
    files["8/huge.png"] = huge_png(12_000, 12_000)
    tracemalloc.start()
    folders = read_zip(zipped(files))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert folders.notes == ("1 file was left out: more than the 16 million pixels an image may have (never "
                             "decoded).",)  # had it been decoded, it would be "damaged or cut short"
    assert peak < 50e6 and len(folders.labels) == 20


def test_path_tricks_are_left_out_and_nothing_touches_the_disk(fashion, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    files = ten_folders(fashion, top="root/")
    png = files["root/0/0.png"]
    tricks = {"../evil.png": png, "/etc/evil.png": png, "root\\0\\evil.png": png, "C:/evil.png": png,
              "root/0/../../evil.png": png, "root/0/evilZ.png": png}
    blob = zipped({**files, **tricks})
    blob = blob.replace(b"evilZ.png", b"evil\x00.png")  # a NUL in a name: zipfile would not write one itself
    folders = read_zip(blob)
    assert len(folders.labels) == 20 and not any("evil" in p for p in folders.files)
    assert folders.notes == ("6 files were left out: a path that could reach outside its folder (../, an absolute "
                             "path, a backslash or a NUL character).",)
    assert list(tmp_path.iterdir()) == []


def test_class_names_keep_markup_as_text_lose_control_characters_and_are_cut_to_40(fashion):
    files = ten_folders(fashion)
    names = {"0": "<b onclick=alert(1)>Bag", "1": "Co\x07at\x1b[31m", "2": "x" * 100, "3": ":red[Shirt] **x**"}
    renamed = {names.get(p.split("/")[0], p.split("/")[0]) + "/" + p.split("/")[1]: b for p, b in files.items()}
    folders = read_zip(zipped(renamed))
    assert {"<b onclick=alert(1)>Bag", ":red[Shirt] **x**"} <= set(folders.classes)  # the page shows them as typed
    assert "Coat[31m" in folders.classes
    assert "x" * 39 + "…" in folders.classes and max(len(c) for c in folders.classes) == 40


def test_two_folders_differing_only_in_case_are_refused(fashion):
    files = {("Cat" if p.startswith("9/") else "cat" if p.startswith("8/") else p.split("/")[0]) + "/" +
             p.split("/")[1]: b for p, b in ten_folders(fashion).items()}
    refused(zipped(files), 'Two class folders, "Cat" and "cat", differ only in capital letters')


def test_what_macos_and_windows_add_is_quietly_ignored(fashion):
    files = ten_folders(fashion, top="root/")
    files.update({"__MACOSX/root/0/._0.png": b"\x00\x05\x16\x07", "root/.DS_Store": b"Bud1", "root/0/.DS_Store": b"x",
                  "root/3/Thumbs.db": b"x", "root/.ipynb_checkpoints/x.png": files["root/0/0.png"]})
    folders = read_zip(zipped(files))
    assert folders.notes == () and len(folders.labels) == 20 and len(folders.classes) == 10


def test_encrypted_or_lzma_packed_files_are_left_out_in_words(fashion):
    files = ten_folders(fashion, per_class=3)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for path, blob in files.items():
            z.writestr(path, blob, compress_type=zipfile.ZIP_LZMA if path == "4/0.png" else zipfile.ZIP_DEFLATED)
    blob = bytearray(buf.getvalue())
    at = blob.find(b"PK\x01\x02")  # the first file's directory entry, marked as encrypted
    blob[at + 8] |= 0x1
    folders = read_zip(bytes(blob))
    assert len(folders.labels) == 28
    assert folders.notes == ("1 file was left out: encrypted (protected by a password).",
                             "1 file was left out: packed with a method other than Deflate, the one every system's "
                             "Compress uses.")


def test_a_zip_too_large_or_too_slow_is_refused_in_words(fashion):
    blob = zipped(ten_folders(fashion))
    refused(blob, "The zip is", "at most 1,000 bytes", bounds=Bounds(zip_bytes=1000))
    refused(blob, "longer than 1e-06 s", bounds=Bounds(seconds=1e-6))
    refused(blob, 'The folder "0" is empty', "20 files were left out: over 100 bytes unpacked",
            bounds=Bounds(file_bytes=100))  # every file over its bound: left out, and so every class is empty
