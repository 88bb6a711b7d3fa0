"""Through the app: the sidebar's data set and folder, the settings a link carries, and bad values for both."""

import dataclasses
import hashlib
import socket
from pathlib import Path

import pytest
from apptest import PAGES, by_label, ok, open_page, page_file
from conftest import write_idx_folder

from mnistcore import data


def test_bad_folder_falls_back_to_the_sample_with_a_message(tmp_path):
    at = open_page("home")
    at.sidebar.text_input(key="folder").set_value(str(tmp_path / "missing")).run()
    ok(at)
    assert any("folder was not found" in e.value and "shipped sample" in e.value for e in at.sidebar.error)
    assert any("from the sample shipped" in c.value for c in at.sidebar.caption)


@pytest.mark.skipif(not Path(data.DEBIAN_FASHION).is_dir(), reason="dataset-fashion-mnist not installed")
@pytest.mark.parametrize("page", PAGES)
def test_every_page_on_full_fashion_mnist(page):
    at = open_page(page, data="fashion")
    assert any("Fashion-MNIST: 50,000 train" in c.value for c in at.sidebar.caption)


def test_url_settings_are_read_and_written():
    at = open_page("tensors", rank="4", digit="7", seed="42")
    assert at.radio(key="rank").value == 4 and at.selectbox(key="digit").value == 7
    assert at.query_params["rank"] == ["4"] or at.query_params["rank"] == "4"
    assert by_label(at.sidebar.number_input, "Seed").value == 42
    at = open_page("tensors", rank="99", digit="x")  # nonsense in the URL falls back to defaults
    assert at.radio(key="rank").value == 2 and at.selectbox(key="digit").value == 3


def test_settings_survive_a_page_switch():
    at = open_page("tensors")
    at.radio(key="rank").set_value(0).run()
    at.switch_page(page_file("softmax")).run()
    at.switch_page(page_file("tensors")).run()
    ok(at)
    assert at.radio(key="rank").value == 0


def test_sessions_share_one_read_only_copy_of_the_data():
    first, second = open_page("home"), open_page("tensors")
    a, b = first.session_state["dataset"], second.session_state["dataset"]
    assert a is b  # twenty open sessions hold one copy, not twenty
    assert not a.x_train.flags.writeable


@pytest.mark.skipif(not Path(data.DEBIAN_FASHION).is_dir(), reason="dataset-fashion-mnist not installed")
def test_full_size_mnist_pages_compare_with_the_lesson(monkeypatch):
    # Full MNIST cannot be downloaded here; Fashion-MNIST's files have the same names, sizes and split,
    # so pointed at as MNIST they exercise the full-size branches of the pages.
    monkeypatch.setenv("MNIST_DATA", data.DEBIAN_FASHION)
    at = open_page("normalization", size=None)  # the full-size default, which MNIST_DATA comes before
    assert any("MNIST: 50,000 train / 10,000 valid / 10,000 test" in c.value for c in at.sidebar.caption)
    assert any("Its file stored each byte divided by 256" in i.value for i in at.info)
    at.switch_page(page_file("training")).run()
    ok(at)
    assert any("**The lesson:** 91.7% after this epoch" in m.value for m in at.markdown)


def test_download_button_fetches_verifies_and_switches_to_full_data(http_server, tmp_path, monkeypatch, idx_arrays):
    url, www = http_server  # a mirror on 127.0.0.1, serving IDX files the test wrote
    write_idx_folder(www, idx_arrays)
    sums = {p.name: hashlib.md5(p.read_bytes()).hexdigest() for p in www.glob("*-ubyte.gz")}
    monkeypatch.setitem(data.SPECS, "mnist", dataclasses.replace(data.SPECS["mnist"], mirrors=(url,), md5=sums))
    monkeypatch.setenv("MNISTCORE_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("MNIST_DATA", raising=False)
    at = open_page("home", size=None)
    assert any("from the full set shipped with the app" in c.value for c in at.sidebar.caption)
    by_label(at.sidebar.button, "Download").click().run()  # a downloaded copy comes before the shipped one
    ok(at)
    assert any("MNIST: 300 train / 10,000 valid / 200 test images, from IDX files in mnist" in c.value
               for c in at.sidebar.caption)
    assert at.session_state["dataset"].origin == str(tmp_path / "cache" / "mnist")


def test_download_button_without_a_mirror_keeps_the_sample(tmp_path, monkeypatch):
    with socket.socket() as s:  # a port on this machine where nothing listens
        s.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{s.getsockname()[1]}/"
    monkeypatch.setitem(data.SPECS, "mnist", dataclasses.replace(data.SPECS["mnist"], mirrors=(dead,)))
    monkeypatch.setenv("MNISTCORE_CACHE", str(tmp_path / "cache"))
    at = open_page("home")
    by_label(at.sidebar.button, "Download").click().run()
    ok(at)
    assert any("The download did not work, nothing was changed" in e.value for e in at.sidebar.error)
    assert any("from the sample shipped" in c.value for c in at.sidebar.caption)


# ---------------------------------------------------------------- bad input through the app

BAD_URLS = [
    ("reshape", {"rows": "-5,100"}, "rows", (10, 15)), ("reshape", {"rows": "7"}, "rows", (10, 15)),
    ("reshape", {"rows": "a,b"}, "rows", (10, 15)), ("reshape", {"cols": "1,2,3"}, "cols", (10, 15)),
    ("reshape", {"slice_img": "999"}, "slice_img", 0), ("reshape", {"shape": "1," * 3000}, "shape", "-1, 28, 28"),
    ("reshape", {"slice": "__import__('os')"}, "slice", "img[::2]"),
    ("mistakes", {"page": "99999"}, "page", 1), ("mistakes", {"page": "-1"}, "page", 1),
    ("mistakes", {"rates": "maybe"}, "rates", False), ("mistakes", {"mistake_order": "DROP TABLE"}, "mistake_order", None),
    ("softmax", {"z0": "nan"}, "z0", None), ("softmax", {"z0": "inf"}, "z0", None), ("softmax", {"temp": "0"}, "temp", 1.0),
    ("softmax", {"true": "10"}, "true", 3), ("training", {"lr": "1e999"}, "lr", 1e-3),
    ("training", {"epochs": "1e9"}, "epochs", 1), ("training", {"batch": "3"}, "batch", 64),
    ("training", {"mom": "-1"}, "mom", 0.9), ("training", {"model": "../x"}, "model", "linear"),
    ("tensors", {"axis": "5"}, "axis", 0), ("tensors", {"rank": "-1"}, "rank", 2), ("tensors", {"img": "1e400"}, "img", 0),
    ("home", {"seed": "-1"}, "seed", 0), ("home", {"seed": str(2**40)}, "seed", 0), ("home", {"data": "evil"}, "data", "mnist"),
    ("home", {"device": "cuda:7"}, "device", "auto"),
]


@pytest.mark.parametrize("page, query, key, default", BAD_URLS, ids=[f"{p}-{k}" for p, _, k, _ in BAD_URLS])
def test_bad_url_values_fall_back_to_defaults(page, query, key, default):
    at = open_page(page, **query)
    kept = at.session_state[f"kept:{key}"]
    if default is not None:
        assert kept == default
    assert str(kept) != next(iter(query.values()))


def test_the_gallery_page_number_follows_its_bounds():
    at = open_page("mistakes")
    last = at.number_input(key="page").max
    at.number_input(key="page").set_value(last).run()
    at.radio(key="which").set_value("unsure").run()  # far fewer tiles: the kept page is out of range now
    ok(at)
    assert at.session_state["kept:page"] <= max(1, at.number_input(key="page").max if at.number_input else 1)


@pytest.mark.parametrize("typed", ["~nosuchuser-mnistcore/mnist", "/" + "x" * 5000, "/etc", "/proc/self", "bad\x00name"])
def test_bad_folders_keep_the_data_set_in_use_and_name_no_server_path(typed):
    at = open_page("home", data="fashion") if Path(data.DEBIAN_FASHION).is_dir() else open_page("home")
    before = at.session_state["dataset"].summary()
    at.sidebar.text_input(key="folder").set_value(typed.replace("\\x00", "\x00")).run()
    ok(at)
    assert at.sidebar.error and "not found" in at.sidebar.error[0].value
    assert "/usr/share" not in at.sidebar.error[0].value and str(Path.home()) not in at.sidebar.error[0].value
    assert at.session_state["dataset"].summary() == before


def test_the_folder_never_comes_from_the_url():
    at = open_page("home", folder=data.DEBIAN_FASHION, data="mnist")
    assert at.sidebar.text_input(key="folder").value == ""
    assert any("from the sample shipped" in c.value for c in at.sidebar.caption)


def own_disk_controls(at) -> tuple[bool, bool]:
    """(a folder box, a download button) in the sidebar."""
    return (any(t.key == "folder" for t in at.sidebar.text_input),
            any(b.label == "Download the full data set" for b in at.sidebar.button))


def test_a_hosted_server_has_no_folder_box_and_no_download_button(monkeypatch):
    monkeypatch.setenv("MNISTCORE_FOLDER_BOX", "0")
    assert own_disk_controls(open_page("home")) == (False, False)


def test_a_laptop_shows_its_disk_only_on_its_own_screen(monkeypatch):
    from ui.state import browsers
    assert own_disk_controls(open_page("home")) == (True, True)  # no server here: the test runs on the laptop
    for address, own in [("127.0.0.1", True), ("::1", True), ("192.0.2.77", False), ("", False)]:
        monkeypatch.setattr(browsers, "peer_address", lambda address=address: address)
        assert own_disk_controls(open_page("home")) == (own, own), address  # a student on the classroom's network


@pytest.mark.skipif(not Path(data.DEBIAN_FASHION).is_dir(), reason="Debian's dataset-fashion-mnist is not installed")
def test_a_data_set_switch_takes_the_pages_words_with_it():
    at = open_page("training")
    assert "become a 0, a 1, a 2" in at.markdown[0].value
    at.sidebar.radio(key="data").set_value("fashion").run()
    ok(at)
    assert "become a T-shirt/top, a Trouser, a Pullover" in at.markdown[0].value
    at.switch_page(page_file("mistakes")).run()
    ok(at)
    assert any("Switch the sidebar's data set to MNIST" in i.value for i in at.info)
