"""The Break it page under AppTest, on the shipped sample: switches, edits, the four runs in a worker, its questions."""

import time

import numpy as np
from apptest import ok, open_page

from mnistcore import distort, models, train
from mnistcore.data import load_dataset
from mnistcore.prepare import train_stats

DS = load_dataset("mnist", "sample")


def metric(at, label: str):
    """The metric whose label starts with `label`."""
    return next(m for m in at.metric if m.label.startswith(label))


def wait_for(at, done, seconds: float = 180):
    """Rerun the page (as its polling fragment would) until `done(at)`."""
    deadline = time.monotonic() + seconds
    while not done(at):
        assert time.monotonic() < deadline, "the page's worker never finished"
        time.sleep(0.5)
        at.run()
        ok(at)


def test_a_switch_moves_the_accuracy_and_the_link_keeps_it():
    at = open_page("break")
    assert at.title[0].value == "Break it"
    start = metric(at, "accuracy now").value
    at.select_slider(key="break_dx").set_value(2).run()
    ok(at)
    moved = metric(at, "accuracy now")
    assert moved.value != start and moved.delta.endswith("points") and moved.delta.startswith("-")
    assert at.query_params["break_dx"] in ("2", ["2"])
    for s in distort.SWITCHES[2:]:
        at.select_slider(key=f"break_{s.key}").set_value(s.amounts[-1]).run()  # every switch at its far end at once
        ok(at)
    next(b for b in at.button if b.label == "Put every switch back").click().run()
    ok(at)
    assert metric(at, "accuracy now").value == start and at.select_slider(key="break_dx").value == 0


def test_a_link_opens_the_page_with_its_switches_and_edits():
    at = open_page("break", break_rotate="30", break_zero="3", break_blend="0.5", break_noise="oops")
    assert at.select_slider(key="break_rotate").value == 30 and at.selectbox(key="break_zero").value == 3
    assert at.select_slider(key="break_noise").value == 0.0  # a value the switch does not offer: its default
    said = " ".join(m.value for m in at.markdown)
    assert "Template 3 zeroed" in said and "50% of the way to their mean" in said


def test_the_edits_inside_the_model_say_what_they_did():
    at = open_page("break")
    at.toggle(key="break_bias").set_value(True).run()
    at.selectbox(key="break_zero").set_value(7).run()
    at.select_slider(key="break_blend").set_value(1.0).run()
    ok(at)
    said = " ".join(m.value for m in at.markdown)
    assert "Biases zeroed" in said and "Template 7 zeroed" in said and "the class with the largest bias" in said
    assert metric(at, "accuracy after the edits").value.endswith("%")


def test_the_four_runs_train_in_a_worker_then_show_and_check_their_results():
    at = open_page("break")
    next(b for b in at.button if b.label == "Train the four models").click().run()
    ok(at)
    wait_for(at, lambda at: any(m.label == "small CNN, shuffled" for m in at.metric))
    plain, mixed = (float(metric(at, f"lesson's model, {w}").value.rstrip("%")) for w in ("plain", "shuffled"))
    cnn, cnn_mixed = (float(metric(at, f"small CNN, {w}").value.rstrip("%")) for w in ("plain", "shuffled"))
    assert abs(plain - mixed) < 2 and cnn_mixed < cnn
    said = " ".join(m.value for m in at.markdown)
    assert "has no idea which pixels are neighbours" in said and "next lesson" in " ".join(i.value for i in at.info)
    question = next(r for r in at.radio if "about the same, within a point" in r.options)
    question.set_value("about the same, within a point")
    check = [b for b in at.button if b.label == "Check"]
    check[-1].click().run()
    ok(at)
    assert any(s.value.startswith("Right.") and "shuffled" in s.value for s in at.success)


def test_the_shift_question_is_checked_against_the_page_s_model():
    at = open_page("break")
    model = models.from_file(train.lesson_model_file(DS, 0))  # the page's model: the lesson's, as no run was made here
    mean, std = train_stats(DS)
    moved = np.zeros_like(DS.x_valid)
    moved[:, :, 2:] = DS.x_valid[:, :, :-2]  # each digit 2 px right, by hand
    x = ((moved / 255 - mean) / std).reshape(len(moved), -1).astype(np.float32)
    import torch
    with torch.no_grad():
        right = 100 * float((model(torch.from_numpy(x)).argmax(dim=1).numpy() == DS.y_valid).mean())
    [b for b in at.text_input if b.label == "Your answer"][0].set_value(f"{right:.1f}")
    [b for b in at.button if b.label == "Check"][0].click().run()
    ok(at)
    assert any(s.value.startswith("Right.") for s in at.success)
    blend = next(r for r in at.radio if "the class with the largest bias" in r.options)
    blend.set_value("the class with the largest bias")
    [b for b in at.button if b.label == "Check"][0].click().run()  # the first question is right: its box is gone
    ok(at)
    assert sum(s.value.startswith("Right.") for s in at.success) == 2


def test_a_session_s_own_model_gets_its_own_curves_and_an_mlp_leaves_the_edits_to_the_lesson_s_model():
    import torch

    from ui.state import session
    at = open_page("break")
    torch.manual_seed(0)
    mlp = models.build("mlp")  # untrained: what matters is whose curves are drawn
    at.session_state["trained"] = session.Trained(mlp, at.session_state["dataset"].key, "An MLP trained in this session.")
    at.run()
    ok(at)
    assert any("hidden layers" in c.value for c in at.caption)  # part 2 edits the lesson's model instead
    wait_for(at, lambda at: any("orange, dashed: your model" in c.value for c in at.caption))
    said = " ".join(c.value for c in at.caption)
    assert "The lesson's model: " in said and "Your model: " in said
