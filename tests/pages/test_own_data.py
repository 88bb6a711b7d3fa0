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


@pytest.fixture(scope="module")
def two_of_each(folders):
    """The smallest a data set of one's own may be: two images of each class (one to train on, one to check)."""
    return image_folders.read_zip(fashion_zip(per_class=2), workers=0)


@pytest.mark.parametrize("page", [*PAGES, "own"])
def test_every_page_opens_on_the_smallest_set_of_your_images(two_of_each, page):
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["own_data"] = {"dataset": image_folders.to_dataset(two_of_each), "zip": "tiny.zip", "notes": ()}
    at.query_params["data"] = "yours"
    at.query_params["pace"] = "full"
    at.run()
    if page != "home":
        at.switch_page(page_file(page)).run()
    ok(at)  # the reshape page wanted 16 validation images, the colour demo 1,200 training images: as many as there are
    assert len(at.session_state["dataset"].x_valid) == 10


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


def test_the_lesson_model_is_checked_on_your_images_then_trained_further_on_them(folders):
    """Learn from it: the lesson's model (MNIST only) checked on the clothes, then fine-tuned on their training part;
    the run says where it began, and reads more of the validation part than the lesson's model did."""
    from apptest import progress_text, run_until
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["own_data"] = {"dataset": image_folders.to_dataset(folders, label=own_data.OWN_DATA["yours"]),
                                    "zip": "clothes.zip", "notes": folders.notes}
    for k, v in {"data": "yours", "pace": "full", "epochs": "10"}.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page_file("training")).run()
    ok(at)
    said = next(m.value for m in at.markdown if m.value.startswith("**Checked on these images**"))
    before = float(said.split("reads **")[1].split("%")[0]) / 100
    next(b for b in at.button if b.label == "Start from the lesson's model").click().run()
    ok(at)
    assert at.session_state["uploaded_kind"] == "lesson"
    next(b for b in at.button if b.label == "Start").click().run()
    run_until(at, lambda a: progress_text(a).startswith("done"))
    job = at.session_state["job"]
    assert job.config.start == "lesson"
    assert job.result.valid_accuracy > before + 0.1, (before, job.result.valid_accuracy)  # clothes: MNIST's model guesses
