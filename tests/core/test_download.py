"""Downloads against an HTTP server on 127.0.0.1 that the test starts: good, wrong, cut off."""

import dataclasses
import hashlib
import socket

import numpy as np
import pytest
from conftest import PAYLOAD, write_idx_folder

from mnistcore import data
from mnistcore.download import download, download_first
from mnistcore.errors import DataError


def md5(b: bytes) -> str:
    return hashlib.md5(b).hexdigest()


def test_good_file_with_progress(http_server, tmp_path):
    url, _ = http_server
    seen = []
    dest = download(url + "blob.bin", tmp_path / "out" / "blob.bin", md5(PAYLOAD), lambda d, t: seen.append((d, t)))
    assert dest.read_bytes() == PAYLOAD
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD)) and len(seen) > 1
    assert list(dest.parent.iterdir()) == [dest]  # no temporary file left behind


def test_wrong_checksum_writes_nothing(http_server, tmp_path):
    url, _ = http_server
    dest = tmp_path / "out" / "blob.bin"
    with pytest.raises(DataError, match="checksum mismatch"):
        download(url + "blob.bin", dest, "0" * 32)
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_server_gone_mid_file_writes_nothing(http_server, tmp_path):
    url, _ = http_server
    dest = tmp_path / "out" / "blob.bin"
    with pytest.raises(DataError, match="mid-file|closed after"):
        download(url + "cut/blob.bin", dest, md5(PAYLOAD))
    assert not dest.exists() and list(dest.parent.iterdir()) == []


def test_no_network_is_a_clear_error(tmp_path):
    with socket.socket() as s:  # find a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with pytest.raises(DataError, match="download failed.*network"):
        download(f"http://127.0.0.1:{port}/x.gz", tmp_path / "x.gz", "0" * 32, timeout=2)


def test_second_mirror_used_when_first_fails(http_server, tmp_path):
    url, _ = http_server
    dest = download_first([url + "missing/", url], "blob.bin", tmp_path / "blob.bin", md5(PAYLOAD))
    assert dest.read_bytes() == PAYLOAD


def test_all_mirrors_failing_lists_each(http_server, tmp_path):
    url, _ = http_server
    with pytest.raises(DataError, match=r"could not download blob\.bin:\n.*missing/blob\.bin.*\n.*cut/blob\.bin"):
        download_first([url + "missing/", url + "cut/"], "blob.bin", tmp_path / "blob.bin", md5(PAYLOAD))


def test_download_source_fetches_verifies_and_loads(http_server, tmp_path, monkeypatch, idx_arrays):
    url, www = http_server
    write_idx_folder(www, idx_arrays)
    sums = {p.name: md5(p.read_bytes()) for p in www.glob("*-ubyte.gz")}
    monkeypatch.setitem(data.SPECS, "mnist", dataclasses.replace(data.SPECS["mnist"], mirrors=(url,), md5=sums))
    monkeypatch.setenv("MNISTCORE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("MNIST_DATA", raising=False)
    ds = data.load_dataset("mnist", "download")
    np.testing.assert_array_equal(ds.x_test, idx_arrays["test_images"])
    assert sorted(p.name for p in (tmp_path / "cache" / "mnist").iterdir()) == sorted(sums)
    # once cached, "auto" finds it without the network
    assert data.resolve("mnist") == str(tmp_path / "cache" / "mnist")


def test_two_downloads_at_once_in_one_process_do_not_share_a_part_file(http_server, tmp_path):
    import threading
    url, _ = http_server
    dest = tmp_path / "out" / "blob.bin"
    step = threading.Barrier(2, timeout=10)  # the two move chunk by chunk together: the race is certain, not likely
    outcomes = []

    def one():
        try:
            outcomes.append(download(url + "blob.bin", dest, md5(PAYLOAD), lambda done, total: step.wait()))
        except Exception as e:  # noqa: BLE001 - the test reports whatever the second download met
            outcomes.append(e)

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert outcomes == [dest, dest] and dest.read_bytes() == PAYLOAD
    assert list(dest.parent.iterdir()) == [dest]


def test_a_second_caller_for_the_same_file_waits_and_gets_the_first_ones(http_server, tmp_path, monkeypatch):
    import threading

    import mnistcore.download as fetching
    url, _ = http_server
    dest, calls = tmp_path / "out" / "blob.bin", []
    real = fetching.download
    monkeypatch.setattr(fetching, "download", lambda *a, **k: calls.append(a) or real(*a, **k))
    threads = [threading.Thread(target=download_first, args=([url], "blob.bin", dest, md5(PAYLOAD))) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len(calls) == 1 and dest.read_bytes() == PAYLOAD  # three presses of the button, one download
