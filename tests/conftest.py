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

from mnistcore import data
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


@pytest.fixture(scope="session")
def full_mnist() -> Path:
    """The folder with the real MNIST's four IDX files that the app ships (tests/core/test_data.py checks their MD5s)."""
    return data.SHIPPED_DIR


@pytest.fixture(scope="session")
def postgres_server():
    """One PostgreSQL server for the session's store tests (Debian's package, on 127.0.0.1)."""
    from tests.pg_server import Postgres, binaries
    if binaries() is None:
        pytest.skip("PostgreSQL is not installed here (make system installs it)")
    server = Postgres()
    yield server
    server.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """A fresh, empty class database: a SQLite file, then a new database on the session's PostgreSQL server."""
    if request.param == "sqlite":
        return str(tmp_path / "class.db")
    import psycopg
    server = request.getfixturevalue("postgres_server")
    name = f"t{len(list(tmp_path.parent.iterdir()))}_{abs(hash(str(tmp_path))) % 10**8}"
    with psycopg.connect(server.url, autocommit=True) as con:
        con.execute(f"CREATE DATABASE {name}")
    return server.url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium, headless, driven by Playwright (which never downloads a browser here); one per test module."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=["--no-sandbox"])
        yield b
        b.close()


# --- Chromium: an app server and a page (chromium.py holds what the tests do with them) ---

@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """A freshly started app server on 127.0.0.1; its first visitor arrives by a deep link."""
    from chromium import start_server, stop_server
    srv, proc = start_server(tmp_path_factory.mktemp("server"))
    yield srv
    stop_server(proc)


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 4000})
    pg = context.new_page()
    yield pg
    context.close()


