"""Your own images as the data set every page uses: a zip of real images in ten folders (made here from Debian's
Fashion-MNIST, not from MNIST), read by `image_folders.read_zip` as the upload reads it, then every page opened on it
under AppTest. The upload itself, in Chromium: tests/browser/test_own_digits.py."""

import io
import zipfile

import numpy as np
import pytest
from apptest import APP, PAGES, TIMEOUT, ok, page_file
from streamlit.testing.v1 import AppTest

from mnistcore import data, image_folders
from ui.state import own_data


def fashion_zip(per_class: int = 12) -> bytes:
    """PNGs of the first `per_class` validation images of each Fashion-MNIST class, in ten folders named after them."""
    from PIL import Image
    fashion = data.load_dataset("fashion")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for c, name in enumerate(fashion.classes):
            for i in np.flatnonzero(fashion.y_valid == c)[:per_class]:
                png = io.BytesIO()
                Image.fromarray(fashion.x_valid[i]).save(png, "PNG")
                z.writestr(f"clothes/{name.replace('/', ' or ')}/{i}.png", png.getvalue())
    return buf.getvalue()


@pytest.fixture(scope="module")
def folders():
    try:
        data.load_dataset("fashion")
    except data.DataError:
        pytest.skip("Fashion-MNIST is not installed (make system installs Debian's dataset-fashion-mnist)")
    return image_folders.read_zip(fashion_zip(), workers=0)


@pytest.mark.parametrize("page", [*PAGES, "own"])
def test_every_page_opens_on_your_images(folders, page):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["own_data"] = {"dataset": image_folders.to_dataset(folders, label=own_data.OWN_DATA["yours"]),
                                    "zip": "clothes.zip", "notes": folders.notes}
    at.query_params["data"] = "yours"
    at.query_params["pace"] = "full"
    at.run()
    ok(at)
    if page != "home":
        at.switch_page(page_file(page)).run()
    ok(at)
    assert at.session_state["dataset"].title == "Your images"
    assert any("Your images: 100 train / 20 valid" in c.value for c in at.sidebar.caption)  # 2 of 12 a class check


def test_a_link_to_your_images_in_a_tab_without_them_falls_back_to_mnist():
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["data"] = "yours"
    at.query_params["size"] = "sample"
    at.run()
    ok(at)
    assert at.session_state["dataset"].name == "mnist"
