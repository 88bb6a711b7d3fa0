"""The lesson's own numbers, on the real MNIST the app ships (the `full_mnist` fixture)."""

import pytest
from apptest import APP, TIMEOUT, page_file
from streamlit.testing.v1 import AppTest

from mnistcore import normalize
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.train import TrainConfig, train


@pytest.fixture(scope="module")
def mnist(full_mnist):
    return load_dataset("mnist", str(full_mnist))


def test_the_split_is_the_lessons(mnist):
    assert (len(mnist.x_train), len(mnist.x_valid), len(mnist.x_test)) == (50_000, 10_000, 10_000)


def test_the_lessons_four_statistics(mnist):
    s = normalize.statistics(mnist)
    assert s["train_mean_pickle"] == pytest.approx(0.13045, abs=5e-5)  # the lesson: 0.1304 (its file stores byte/256)
    assert s["train_std_pickle"] == pytest.approx(0.30729, abs=5e-5)  # the lesson: 0.3073
    assert s["valid_mean"] == pytest.approx(-0.00585, abs=5e-5)  # the lesson: -0.0059
    assert s["valid_std"] == pytest.approx(0.99243, abs=5e-5)  # the lesson: 0.9924


def test_one_epoch_of_the_lessons_settings_reaches_91_percent(mnist):
    result = train(TrainConfig(), to_tensors(mnist))  # Adam, lr 1e-3, batch 64, one epoch
    assert result.steps == 782 and result.valid_accuracy >= 0.91, result.metrics()


@pytest.mark.parametrize("page, words", [
    ("normalization", "The lesson printed train mean 0.1304"),
    ("training", "The lesson:"),
])
def test_the_pages_compare_with_the_lesson_on_real_mnist(full_mnist, monkeypatch, page, words):
    monkeypatch.setenv("MNIST_DATA", str(full_mnist))
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    at.switch_page(page_file(page)).run()
    assert not at.exception, [e.message for e in at.exception]
    shown = [m.value for m in at.markdown] + [i.value for i in at.info]
    assert any(words in text for text in shown), shown
