"""The IDX reader on files the tests write: good ones and each kind of broken one."""

import gzip

import numpy as np
import pytest

from mnistcore.errors import DataError
from mnistcore.idx import read_idx, write_idx


@pytest.mark.parametrize("suffix", [".gz", ""])
def test_round_trip(tmp_path, suffix):
    images = np.arange(3 * 28 * 28, dtype=np.uint32).astype(np.uint8).reshape(3, 28, 28)
    write_idx(tmp_path / f"x{suffix}", images)
    np.testing.assert_array_equal(read_idx(tmp_path / f"x{suffix}", ndim=3), images)


def test_truncated_gzip_names_the_file(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte.gz"
    write_idx(path, np.zeros((5, 28, 28), np.uint8))
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte\.gz.*truncated"):
        read_idx(path, ndim=3)


def test_not_gzip(tmp_path):
    path = tmp_path / "labels.gz"
    path.write_bytes(b"this is plain text, not gzip")
    with pytest.raises(DataError, match="not a valid gzip"):
        read_idx(path, ndim=1)


def test_wrong_magic(tmp_path):
    path = tmp_path / "images.gz"
    path.write_bytes(gzip.compress(b"\x00\x00\x0d\x03" + b"\x00" * 100))  # float32, not ubyte
    with pytest.raises(DataError, match=r"wrong magic number: not an IDX file of unsigned bytes in 3 dimensions"):
        read_idx(path, ndim=3)


def test_labels_file_where_images_expected(tmp_path):
    path = tmp_path / "labels"
    write_idx(path, np.zeros(10, np.uint8))
    with pytest.raises(DataError, match="1 dimensions|3 dimensions"):
        read_idx(path, ndim=3)


def test_body_shorter_than_header_promises(tmp_path):
    path = tmp_path / "images"
    write_idx(path, np.zeros((4, 28, 28), np.uint8))
    path.write_bytes(path.read_bytes()[:-28])
    with pytest.raises(DataError, match=r"promises 3,136 bytes of data but the file holds 3,108"):
        read_idx(path, ndim=3)


def test_missing_file(tmp_path):
    with pytest.raises(DataError, match="file not found"):
        read_idx(tmp_path / "nope.gz", ndim=1)
