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


@pytest.fixture(scope="module")
def off_centre_digits():
    """Digits of one's own that the lesson's model reads less well than MNIST's: 30 of each of MNIST's validation
    digits moved 4 pixels to the right (as quick drawings land off-centre), in folders named 0 to 9."""
    mnist = data.load_dataset("mnist")
    picked = np.concatenate([np.flatnonzero(mnist.y_valid == c)[:30] for c in range(10)])  # (300,)
    images = np.roll(mnist.x_valid[picked], 4, axis=2)  # (300, 28, 28), moved right
    folders = image_folders.Folders(classes=tuple(map(str, range(10))), images=images,
                                    labels=mnist.y_valid[picked].astype(np.int64),
                                    files=tuple(f"{i}.png" for i in picked), notes=(), origin="off-centre digits")
    return image_folders.to_dataset(folders, label=own_data.OWN_DATA["yours"])


def training_page_on(ds) -> AppTest:
    """The training page at full speed on `ds` as the sidebar's Your images."""
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["own_data"] = {"dataset": ds, "zip": "ours.zip", "notes": ()}
    for k, v in {"data": "yours", "pace": "full"}.items():
        at.query_params[k] = v
    at.run()
    at.switch_page(page_file("training")).run()
    ok(at)
    return at


def test_the_lesson_model_is_checked_on_our_digits_then_fine_tuned_on_them(off_centre_digits):
    """Add our digits: the lesson's model (MNIST only) reads part of ours; fine-tuned on the rest, it reads more. The
    page's 'before' is the run's own first measurement: the same images on the same scale (MNIST's)."""
    from apptest import progress_text, run_until
    at = training_page_on(off_centre_digits)
    said = next(m.value for m in at.markdown if m.value.startswith("**Learn from Your images.**"))
    before = float(said.split("reads **")[1].split("%")[0]) / 100
    at.radio(key=next(r.key for r in at.radio if r.label == "Train on")).set_value("add").run()
    assert any("steps an epoch" in c.value for c in at.caption)  # the page says why one epoch does little here
    next(n for n in at.number_input if n.label == "Epochs").set_value(30).run()
    next(b for b in at.button if b.label == "Start").click().run()
    run_until(at, lambda a: progress_text(a).startswith("done"))
    job = at.session_state["job"]
    assert job.config.start == "lesson" and job.config.trained_on == ""
    assert len(job.data.x_valid) == len(off_centre_digits.x_valid)
    assert round(job.result.start_accuracy, 3) == round(before, 3)  # shown with one decimal of a percent
    assert job.result.valid_accuracy > before + 0.1, (before, job.result.valid_accuracy)
    at.switch_page(page_file("mistakes")).run()
    ok(at)
    assert any("starting from the lesson's model" in c.value for c in at.caption)


def test_check_on_our_digits_trains_on_mnist_and_checks_on_all_of_ours(off_centre_digits):
    """Check on our digits: a new model learns from MNIST's training images, never ours, and all of ours check it, on
    MNIST's scale; the mistakes page then shows which of ours it reads wrongly."""
    from apptest import progress_text, run_until
    at = training_page_on(off_centre_digits)
    at.radio(key=next(r.key for r in at.radio if r.label == "Train on")).set_value("check").run()
    next(b for b in at.button if b.label == "Start").click().run()
    run_until(at, lambda a: progress_text(a).startswith("done"))
    job = at.session_state["job"]
    mnist = data.load_dataset("mnist")
    assert job.config.trained_on == "mnist" and job.config.start == "fresh"
    assert len(job.data.x_train) == len(mnist.x_train)
    ours = off_centre_digits
    assert len(job.data.x_valid) == len(ours.x_train) + len(ours.x_valid)
    mean, std = job.data.mean, job.data.std
    assert abs(float(job.data.x_valid.mean()) - (ours.x_valid.mean() / 255 - mean) / std) < 0.2  # MNIST's scale
    assert 0.2 < job.result.valid_accuracy < 0.9, job.result.valid_accuracy  # moved 4 px: far below MNIST's 91%
    at.switch_page(page_file("mistakes")).run()
    ok(at)
    assert any("on MNIST's images" in c.value for c in at.caption)


def test_the_mistakes_page_reads_our_digits_with_the_lesson_model_before_any_run(off_centre_digits):
    at = training_page_on(off_centre_digits)
    at.switch_page(page_file("mistakes")).run()
    ok(at)
    assert any("trained for one epoch on MNIST only" in c.value for c in at.caption)
    right = float(next(m.value for m in at.markdown if m.value.startswith("It gets **")).split("**")[1].rstrip("%")) / 100
    said = next(m.value for m in at.markdown if m.value.startswith("It gets **"))
    assert right < 0.85, said  # the lesson's model on digits moved 4 px, not a model trained on them


def test_clothes_of_ones_own_train_alone(folders):
    """A data set of one's own that is not digits: the lesson's model cannot read it, so there is no choice to make."""
    at = training_page_on(image_folders.to_dataset(folders, label=own_data.OWN_DATA["yours"]))
    assert not [r for r in at.radio if r.label == "Train on"]
    assert not [m for m in at.markdown if m.value.startswith("**Learn from")]


def test_digits_drawn_here_become_your_images_once_each_digit_has_two():
    """The own-digits page's pad keeps drawings in the tab (here 20 of MNIST's digits, as prepared drawings are);
    the button waits for two of each digit, then makes them every page's data set."""
    mnist = data.load_dataset("mnist", "sample")
    picked = [int(np.flatnonzero(mnist.y_valid == d)[k]) for k in range(2) for d in range(10)]  # (20,)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["own_drawings"] = {"per_digit": 2, "images": [mnist.x_valid[i] for i in picked[:19]],
                                        "labels": [int(mnist.y_valid[i]) for i in picked[:19]]}
    at.query_params["size"] = "sample"
    at.run()
    at.switch_page(page_file("own")).run()
    ok(at)
    assert any(m.value.startswith("### Draw a **9**") for m in at.markdown)  # the one digit still missing
    use = next(b for b in at.button if b.label.startswith("Use my 19 drawings"))
    assert use.disabled
    at.session_state["own_drawings"] = {"per_digit": 2, "images": [mnist.x_valid[i] for i in picked],
                                        "labels": [int(mnist.y_valid[i]) for i in picked]}
    at.run()
    next(b for b in at.button if b.label == "Use my 20 drawings on every page").click().run()
    ok(at)
    ds = at.session_state["dataset"]
    assert ds.title == "Your images" and (len(ds.x_train), len(ds.x_valid)) == (10, 10)
    assert ds.classes == tuple(map(str, range(10)))
    next(b for b in at.button if b.label == "Start again").click().run()
    assert at.session_state["dataset"].title == "Your images"  # the data set made of them stays; the pad starts again
    assert any(b.label.startswith("Use my 0 drawings") and b.disabled for b in at.button)
