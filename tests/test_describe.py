"""Words for pictures, checked against pictures whose answer is known."""

import numpy as np

from mnistcore import describe


def test_a_curve_is_told_from_its_first_to_its_last_point():
    assert describe.curve("valid accuracy", [100, 400, 782], [0.791, 0.9, 0.919], as_percent=True) == \
        "valid accuracy rose from 79.1% at step 100 to 91.9% at step 782"
    assert describe.curve("loss", [1, 2], [2.3, float("nan")]) == "loss 2.3 at step 1"
    assert describe.curve("loss", [1, 2, 3], [2.3, 1.0, 0.31]).startswith("loss fell from 2.3")
    assert describe.curve("loss", [], []) == "loss: no points yet"


def test_a_template_says_where_it_counts_for_and_against_its_class():
    w = np.zeros((28, 28))
    w[2:8, 20:26] = 1.0  # top right: for
    w[12:16, 0:8] = -0.5  # centre left: against
    words = describe.template(w.reshape(784), "class 7")
    assert words == "weights for class 7: pixels count most for it in the top right, most against it in the left; " \
                    "from -0.5 to +1"


def test_a_digit_is_told_with_its_prediction():
    assert describe.digit("4") == "a handwritten 4"
    assert describe.digit("4", "9", 0.62) == "a handwritten 4, wrongly predicted 9 with 62% confidence"
    assert describe.digit("4", "4", 0.99) == "a handwritten 4, correctly predicted 4 with 99% confidence"
