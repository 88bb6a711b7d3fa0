"""load_dataset on the shipped sample, IDX folders, the lesson's pickle and Debian's Fashion-MNIST."""

import dataclasses
import gzip
import hashlib
import os
import pickle
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import N_FULL_TRAIN, write_idx_folder, write_lesson_pickle

from mnistcore import data
from mnistcore.data import N_VALID, load_dataset, resolve
from mnistcore.errors import DataError
from mnistcore.idx import write_idx

DEBIAN_FASHION = Path(data.DEBIAN_FASHION)


def test_sample_is_real_stratified_mnist():
    ds = load_dataset("mnist", "sample")
    assert ds.x_train.shape == (4000, 28, 28) and ds.x_valid.shape == (1000, 28, 28)
    assert ds.x_train.dtype == np.uint8 and ds.y_train.dtype == np.int64
    assert np.bincount(ds.y_valid, minlength=10).tolist() == [100] * 10
    assert np.bincount(ds.y_train, minlength=10).tolist() == [400] * 10
    # real handwriting: mostly black background, a few bright strokes
    assert 0.08 < (ds.x_train / 255).mean() < 0.2 and ds.x_train.max() == 255
    assert "sample" in ds.source and ds.classes[3] == "3"


def test_arrays_are_read_only():
    ds = load_dataset("mnist", "sample")
    with pytest.raises(ValueError):
        ds.x_train[0, 0, 0] = 1


def test_idx_folder_keeps_the_lessons_split(idx_folder, idx_arrays):
    ds = load_dataset("mnist", str(idx_folder))
    n_train = N_FULL_TRAIN - N_VALID
    np.testing.assert_array_equal(ds.x_train, idx_arrays["train_images"][:n_train])
    np.testing.assert_array_equal(ds.x_valid, idx_arrays["train_images"][n_train:])
    np.testing.assert_array_equal(ds.y_valid, idx_arrays["train_labels"][n_train:])
    np.testing.assert_array_equal(ds.x_test, idx_arrays["test_images"])
    assert ds.source == f"IDX files in {idx_folder.name}" and str(idx_folder) not in ds.summary()


def test_uncompressed_idx_folder(tmp_path, idx_arrays):
    ds = load_dataset("mnist", str(write_idx_folder(tmp_path / "raw", idx_arrays, gz=False)))
    assert len(ds.x_valid) == N_VALID


def test_counts_that_disagree(tmp_path, idx_arrays):
    folder = write_idx_folder(tmp_path / "bad", idx_arrays)
    write_idx(folder / "train-labels-idx1-ubyte.gz", idx_arrays["train_labels"][:-5])
    with pytest.raises(DataError, match=r"train-labels-idx1-ubyte\.gz: 10,295 labels for 10,300 images"):
        load_dataset("mnist", str(folder))


def test_missing_file_in_folder(tmp_path, idx_arrays):
    folder = write_idx_folder(tmp_path / "gap", idx_arrays)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataError, match=r"t10k-labels-idx1-ubyte\.gz: file not found"):
        load_dataset("mnist", str(folder))


def test_missing_folder(tmp_path):
    with pytest.raises(DataError, match="folder was not found"):
        load_dataset("mnist", str(tmp_path / "nowhere"))


@pytest.mark.parametrize("scale", [255.0, 256.0])
def test_lesson_pickle_round_trips_to_bytes(tmp_path, scale):
    truth = write_lesson_pickle(tmp_path / "mnist.pkl.gz", scale=scale)
    ds = load_dataset("mnist", str(tmp_path))
    np.testing.assert_array_equal(ds.x_train, truth["x_train"])
    np.testing.assert_array_equal(ds.y_valid, truth["y_valid"])
    np.testing.assert_array_equal(ds.x_test, truth["x_test"])
    assert "mnist.pkl.gz" in ds.source


class _Exploit:
    """Unpickling this would run a shell command."""

    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def test_malicious_pickle_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / "pwned"
    (tmp_path / "mnist.pkl.gz").write_bytes(gzip.compress(pickle.dumps(_Exploit(marker))))
    with pytest.raises(DataError, match=r"refused to load (posix|os|nt)\.system"):
        load_dataset("mnist", str(tmp_path))
    assert not marker.exists()


def test_truncated_pickle(tmp_path):
    write_lesson_pickle(tmp_path / "mnist.pkl.gz")
    raw = gzip.decompress((tmp_path / "mnist.pkl.gz").read_bytes())
    (tmp_path / "mnist.pkl.gz").write_bytes(gzip.compress(raw[: len(raw) // 2]))
    with pytest.raises(DataError, match="mnist.pkl.gz"):
        load_dataset("mnist", str(tmp_path))


def test_pickle_of_the_wrong_shape(tmp_path):
    (tmp_path / "mnist.pkl.gz").write_bytes(gzip.compress(pickle.dumps((np.zeros(3),), protocol=2)))
    with pytest.raises(DataError, match=r"expected a tuple of \(train, valid, test\)"):
        load_dataset("mnist", str(tmp_path))


def test_auto_prefers_a_named_folder_then_the_shipped_full_mnist_then_the_sample(monkeypatch, tmp_path, idx_folder):
    monkeypatch.setenv("MNISTCORE_CACHE", str(tmp_path / "empty-cache"))
    monkeypatch.delenv("MNIST_DATA", raising=False)
    assert resolve("mnist") == str(data.SHIPPED_DIR)
    monkeypatch.setenv("MNIST_DATA", str(idx_folder))
    assert resolve("mnist") == str(idx_folder)
    assert len(load_dataset("mnist").x_valid) == N_VALID
    monkeypatch.delenv("MNIST_DATA")
    monkeypatch.setitem(data.SPECS, "mnist", dataclasses.replace(data.SPECS["mnist"], shipped=None))  # a slimmed install
    assert resolve("mnist") == "sample"


def test_the_shipped_mnist_is_the_original_split_the_lessons_way():
    for name, md5 in data.SHIPPED_MD5.items():  # the files in the repository are the ones ship_mnist.py builds
        assert hashlib.md5((data.SHIPPED_DIR / name).read_bytes()).hexdigest() == md5
    for name, md5 in data.RAW_MD5.items():  # ... and they hold the original, uncompressed MNIST files
        assert hashlib.md5(gzip.decompress((data.SHIPPED_DIR / f"{name}.gz").read_bytes())).hexdigest() == md5
    ds = load_dataset("mnist", "auto")
    assert (len(ds.x_train), len(ds.x_valid), len(ds.x_test)) == (50_000, 10_000, 10_000)
    assert "shipped" in ds.source
    assert (data.SHIPPED_DIR / "ATTRIBUTION.md").read_text().count("CC BY-SA 3.0") >= 1


def test_a_damaged_shipped_copy_is_refused_in_words(monkeypatch, tmp_path):
    damaged = tmp_path / "mnist"
    shutil.copytree(data.SHIPPED_DIR, damaged)
    body = bytearray((damaged / "t10k-labels-idx1-ubyte.gz").read_bytes())
    body[-20] ^= 0xFF
    (damaged / "t10k-labels-idx1-ubyte.gz").write_bytes(bytes(body))
    monkeypatch.setattr(data, "SHIPPED_DIR", damaged)
    with pytest.raises(DataError, match="t10k-labels-idx1-ubyte.gz: the copy shipped with the app is missing or damaged"):
        load_dataset("mnist", str(damaged))


def test_fashion_without_files_says_what_to_do(monkeypatch, tmp_path):
    monkeypatch.setenv("MNISTCORE_CACHE", str(tmp_path))
    monkeypatch.delenv("FASHION_MNIST_DATA", raising=False)
    monkeypatch.setitem(data.SPECS, "fashion", dataclasses.replace(data.SPECS["fashion"], system_dirs=()))
    with pytest.raises(DataError, match="dataset-fashion-mnist"):
        load_dataset("fashion")
    with pytest.raises(DataError, match="only MNIST ships a sample"):
        load_dataset("fashion", "sample")


@pytest.mark.skipif(not DEBIAN_FASHION.is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_debian_fashion_mnist():
    ds = load_dataset("fashion")
    assert ds.x_train.shape == (50_000, 28, 28) and ds.x_valid.shape == (10_000, 28, 28)
    assert ds.x_test.shape == (10_000, 28, 28)
    assert ds.classes[9] == "Ankle boot"
    assert np.bincount(ds.y_test).tolist() == [1000] * 10
