"""The lesson's model meets a class's handwriting (mnistcore/classroom/handwriting.py), on real digits and a real
trained model: MNIST's own validation digits, read as drawings, give the model's own accuracy back."""

import copy

import numpy as np
import pytest

from mnistcore import image_folders, train, transfer
from mnistcore.classroom import handwriting, posting
from mnistcore.classroom.store import Run
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors


@pytest.fixture(scope="module")
def sample_and_model():
    ds = load_dataset("mnist", "sample")
    data = to_tensors(ds)
    model = train.train(train.TrainConfig(epochs=2), data).model.eval()
    return ds, data, model


def test_mnist_digits_read_as_drawings_give_the_models_own_accuracy(sample_and_model):
    ds, data, model = sample_and_model
    own = train.evaluate(model, data.x_valid, data.y_valid)[1]
    ref = handwriting.reference(ds, own)
    assert ref.means.shape == (10, 28, 28) and not np.isnan(ref.means).any()
    met = handwriting.meet(model, ds.x_valid, ds.y_valid, ref)
    assert met.accuracy == pytest.approx(own, abs=1e-6)  # normalized as the model was trained: the same numbers
    assert met.counts.sum() == len(ds.y_valid) and np.trace(met.counts) == round(own * len(ds.y_valid))
    assert list(met.truth_probability[met.hardest]) == sorted(met.truth_probability)[:handwriting.HARDEST]
    assert met.mnist_accuracy == own and "worse than" not in handwriting.sentence(met)


def test_a_digit_nobody_drew_has_no_mean_and_worse_digits_are_said_so(sample_and_model):
    ds, _, model = sample_and_model
    ref = handwriting.reference(ds, 0.99)
    some = np.flatnonzero(ds.y_valid != 7)[:50]
    met = handwriting.meet(model, 255 - ds.x_valid[some], ds.y_valid[some], ref)  # inverted: ink on white paper
    assert np.isnan(met.ours[7]).all() and not np.isnan(met.ours[3]).any()
    assert met.accuracy < 0.5 and "worse than the 99.0%" in handwriting.sentence(met)


def test_a_fine_tune_posts_its_before_and_the_board_shows_before_and_after(sample_and_model):
    """Real runs, posted as a student's would be: a fine-tune of the lesson's model on our digits (here MNIST's moved 4
    pixels right, as quick drawings land off-centre) and a model trained on MNIST checked on them; the board's rows
    say how each learned, the lesson's model's reading before, and the run's after."""
    ds, data, model = sample_and_model
    picked = np.concatenate([np.flatnonzero(ds.y_valid == c)[:12] for c in range(10)])  # (120,)
    folders = image_folders.Folders(tuple(map(str, range(10))), np.roll(ds.x_valid[picked], 4, axis=2),
                                    ds.y_valid[picked].astype(np.int64), tuple(map(str, picked)), (),
                                    handwriting.origin("ROOM42", len(picked), 120))
    ours = image_folders.to_dataset(folders)
    added = transfer.added_to(data, ours)
    before = train.evaluate(model, added.x_valid, added.y_valid)[1]
    tuned = train.train(train.TrainConfig(epochs=30, start="lesson"), added, copy.deepcopy(model))
    assert tuned.start_accuracy == pytest.approx(before) and tuned.valid_accuracy > before
    checked = transfer.checked_on(data, ours)
    assert len(checked.x_valid) == len(picked) and checked.x_train is data.x_train  # MNIST's tensors, not a copy
    fresh = train.train(train.TrainConfig(epochs=1, trained_on="mnist"), checked)
    assert fresh.status == "done"  # its loss may rise on our digits: that is the finding, not an overshoot

    def posted(result, tensors, number):
        post = posting.post_of(result, tensors.x_valid, tensors.y_valid, "ROOM42", 1, f"u{number}", ours.key)
        return Run(number, 1, post.status, post.settings, post.accuracy, post.seconds, post.dataset, 0.0, post.ended)
    runs = [posted(fresh, checked, 1), posted(tuned, added, 2)]
    assert runs[1].settings["before"] == pytest.approx(before) and "before" not in runs[0].settings
    elsewhere = Run(3, 1, "done", {"start": "fresh"}, 0.9, 1.0, ds.key, 0.0, None)  # a run on MNIST: not ours
    rows = handwriting.learned([*runs, elsewhere], "ROOM42", 0.5, {1: "Ada"})
    assert [r["how it learned"] for r in rows] == [handwriting.HOW[transfer.ADD], handwriting.HOW[transfer.CHECK]]
    assert rows[0]["before: the lesson's model"] == f"{before:.1%}"
    assert rows[0]["after: this run"] == f"{tuned.valid_accuracy:.1%}" and rows[0]["name"] == "Ada"
    assert rows[1]["before: the lesson's model"] == "50.0%"
    assert handwriting.learned(runs, "ROOM4", 0.5, {}) == []  # another room's code, a prefix of this one's
