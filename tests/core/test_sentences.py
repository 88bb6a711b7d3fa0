"""Words for pictures, checked against pictures whose answer is known."""

import numpy as np
import pytest

from mnistcore.figures import sentences


def test_a_curve_is_told_from_its_first_to_its_last_point():
    assert sentences.curve("valid accuracy", [100, 400, 782], [0.791, 0.9, 0.919], as_percent=True) == \
        "valid accuracy rose from 79.1% at step 100 to 91.9% at step 782"
    assert sentences.curve("loss", [1, 2], [2.3, float("nan")]) == "loss 2.3 at step 1"
    assert sentences.curve("loss", [1, 2, 3], [2.3, 1.0, 0.31]).startswith("loss fell from 2.3")
    assert sentences.curve("loss", [], []) == "loss: no points yet"


def test_a_template_says_where_it_counts_for_and_against_its_class():
    w = np.zeros((28, 28))
    w[2:8, 20:26] = 1.0  # top right: for
    w[12:16, 0:8] = -0.5  # centre left: against
    words = sentences.template(w.reshape(784), "class 7")
    assert words == "weights for class 7: pixels count most for it in the top right, most against it in the left; " \
                    "from -0.5 to +1"


def test_a_digit_is_told_with_its_prediction():
    assert sentences.digit("4") == "a handwritten 4"
    assert sentences.digit("4", "9", 0.62) == "a handwritten 4, wrongly predicted 9 with 62% confidence"
    assert sentences.digit("4", "4", 0.99) == "a handwritten 4, correctly predicted 4 with 99% confidence"


def test_numbers_carry_the_digits_they_need():
    assert [sentences.number(v) for v in (39100, 1234.5, 782, 0.00123, 0.9187, -2.0)] == \
        ["39,100", "1,234", "782", "0.00123", "0.919", "-2"]


def test_a_chart_is_told_trace_by_trace_from_the_figure_itself():
    from mnistcore import figures
    assert sentences.figure(figures.bars([0.1, 0.7, 0.2], ["0", "1", "2"], title="Softmax")) == \
        "Softmax: 0 0.1, 1 0.7, 2 0.2."
    assert sentences.figure(figures.bars(np.arange(10) / 10, [str(i) for i in range(10)])) == \
        "10 bars, highest class 9 (0.9), lowest class 0 (0)."
    lines = sentences.figure(figures.curves({"Adam": ([0, 100, 782], [2.3, 0.5, 0.3]), "SGD": ([0, 782], [2.3, 2.3])},
                                           title="Training <loss> & more", log_y=True))
    assert lines == "Training <loss> & more: Adam fell from 2.3 at step 0 to 0.3 at step 782; SGD stayed from 2.3 at step 0 " \
                    "to 2.3 at step 782."
    mostly_black = np.r_[np.zeros(90), np.ones(10)]  # (100,): nine in ten pixels are 0
    shown = sentences.figure(figures.histogram({"train": mostly_black}, title="Pixels", bins=10))
    assert shown == "Pixels: train: values from about 0.05 to 0.95, the most (90% of them) near 0.05."
    grid = sentences.figure(figures.weight_grid(np.eye(2, 784) * 3, ["zero", "one"]))
    assert grid == "2 pictures of values from 0 to 1: zero ±3, one ±3."  # each tile's caption with its scale


def test_a_histogram_is_counted_here_not_in_the_browser():
    from mnistcore import figures
    pixels = np.random.default_rng(0).random((2000, 784))  # as the normalization page's 2,000 images
    fig = figures.histogram({"train": pixels, "valid": pixels[:500]})
    assert len(fig.to_json()) < 50_000  # 60 bars a series; the values themselves made 37 MB a chart
    assert np.nansum(fig.data[0].y) == pytest.approx(1.0) and np.nansum(fig.data[1].y) == pytest.approx(1.0)


def test_a_contour_says_where_it_is_lowest_and_hidden_traces_are_skipped():
    from mnistcore import figures
    a, b = np.linspace(-1, 3, 5), np.linspace(-2, 2, 3)
    losses = np.ones((3, 5))
    losses[2, 1] = 0.01  # b = 2, a = 0
    said = sentences.figure(figures.descent(a, b, losses, [], (0.0, 2.0), title="Loss"))
    assert said == "Loss: log10 loss lowest (-2) at a (slope) 0, b (intercept) 2; lowest loss at a (slope) 0, b (intercept) 2."
    confusion = sentences.figure(figures.confusion(np.array([[5, 1], [2, 7]]), ["cat", "dog"]))
    assert "points" not in confusion and confusion.count("picture") == 4  # the invisible click targets are not data


def test_a_confusion_matrix_names_its_worst_cells():
    counts = np.array([[5, 1, 0], [2, 7, 3], [0, 0, 4]])
    assert sentences.confusion(counts, ["a", "b", "c"]) == \
        "16 of 22 right; the most common mistakes: true b predicted c (3 images), true b predicted a (2 images), " \
        "true a predicted b (1 image)"
    assert sentences.confusion(np.eye(3, dtype=int) * 4, ["a", "b", "c"]) == "12 of 12 right; no mistakes"


def test_one_picture_is_one_picture():
    assert sentences.picture(np.zeros((28, 28)), ["a pixel"]).startswith("1 picture of")
    assert sentences.picture(np.zeros((28, 60)), ["a", "b"]).startswith("2 pictures of")
