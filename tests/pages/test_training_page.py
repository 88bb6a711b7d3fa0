"""AppTest of the training page: a run to its end, pause, resume, stop and reset, divergence in words, weights files."""

import io
import os
import signal
import time

import torch
from apptest import by_label, ok, open_page, page_file, progress_text, run_until
from streamlit.testing.v1 import AppTest


def test_training_page_runs_to_the_end_and_offers_the_weights():
    at = open_page("training")
    at.number_input(key="epochs").set_value(3).run()
    by_label(at.button, "Start").click().run()
    ok(at)
    run_until(at, lambda a: progress_text(a).startswith("done"))
    acc = float(by_label(at.metric, "valid accuracy").value.rstrip("%"))
    assert 85 < acc < 100
    assert len(at.get("plotly_chart")) == 1 + 3 and not at.get("image")  # the ended run: curves and weights, interactive
    assert [d.label for d in at.get("download_button")] == ["Download the weights (state_dict)", "Download the heatmaps (PNG)",
                                                            "Continue in a notebook"]
    at.switch_page(page_file("mistakes")).run()  # the gallery now uses this session's model
    ok(at)
    assert any("Using the model you trained on this page" in c.value for c in at.caption)


def paused_slow_run() -> AppTest:
    """The training page with a slow-motion run that has stepped, then been paused."""
    at = open_page("training", pace="slow")
    by_label(at.button, "Start").click().run()
    run_until(at, lambda a: "step 0 of" not in progress_text(a) and progress_text(a).startswith("running"))
    by_label(at.button, "Pause").click().run()
    run_until(at, lambda a: progress_text(a).startswith("paused"), timeout=10)
    return at


def test_training_page_pause_resume_stop():
    at = paused_slow_run()
    assert len(at.get("image")) >= 2 and len(at.get("plotly_chart")) == 1  # pictures while the run lives (and the hidden
    # chart that has the browser load plotly.js early)
    by_label(at.button, "Resume").click().run()
    run_until(at, lambda a: progress_text(a).startswith("running"), timeout=10)
    by_label(at.button, "Stop").click().run()
    run_until(at, lambda a: progress_text(a).startswith("stopped"), timeout=10)


def test_reset_after_a_paused_runs_worker_was_killed_answers_at_once():
    # The page's message says to press Reset when a worker dies; with multiprocessing's Event in the run's
    # Control, Reset waited forever for the dead worker that had been sleeping on it, and so did the page.
    at = paused_slow_run()
    time.sleep(0.5)  # the worker is asleep, waiting to be resumed
    os.kill(at.session_state["job"].process.pid, signal.SIGKILL)
    run_until(at, lambda a: any("was killed" in e.value for e in a.error), timeout=10)
    at.default_timeout = 10  # AppTest fails the test if the script is still running then
    by_label(at.button, "Reset").click().run()
    ok(at)
    assert "job" not in at.session_state and not by_label(at.button, "Start").disabled


def test_training_page_divergence_is_explained():
    at = open_page("training", model="mlp", optim="sgd", lr="10.0")
    by_label(at.button, "Start").click().run()
    run_until(at, lambda a: progress_text(a).startswith("diverged"))
    assert any("learning rate (10) is probably too high" in e.value for e in at.error)


def test_training_page_says_a_run_overshot_with_its_accuracy_as_a_warning_not_an_error():
    at = open_page("training", optim="sgd", lr="10.0", mom="0.0")
    by_label(at.button, "Start").click().run()
    run_until(at, lambda a: progress_text(a).startswith("overshot"))
    said = [w.value for w in at.warning if "far above" in w.value]
    assert said and "of the validation digits are right" in said[0] and "(10)" in said[0]
    assert not [e.value for e in at.error]
    assert "valid accuracy" in at.session_state["trained"].note  # a model: the other pages now evaluate it


def test_training_page_upload_good_and_bad_weights():
    at = open_page("training")
    from mnistcore import models
    buf = io.BytesIO()
    torch.save(models.build("linear").state_dict(), buf)
    at.file_uploader[0].set_value(("w.pt", buf.getvalue(), "application/octet-stream")).run()
    ok(at)
    assert any("Loaded: The lesson's nn.Sequential" in s.value for s in at.success)
    at.switch_page(page_file("mistakes")).run()
    assert any("Using the weights you uploaded (w.pt" in c.value for c in at.caption)
    at.switch_page(page_file("training")).run()
    at.file_uploader[0].set_value(("bad.pt", b"not a torch file", "application/octet-stream")).run()
    ok(at)
    assert any("not a PyTorch weights file" in e.value for e in at.error)
    buf = io.BytesIO()
    torch.save({"weight": torch.zeros(3, 3)}, buf)
    at.file_uploader[0].set_value(("other.pt", buf.getvalue(), "application/octet-stream")).run()
    assert any("match none of the three models" in e.value for e in at.error)


def test_broken_weights_keep_the_model_the_session_had():
    from mnistcore import models
    at = open_page("training")
    at.file_uploader[0].set_value(("good.pt", models.to_file(models.build("linear")), "application/octet-stream")).run()
    state = models.build("linear").state_dict()
    state["0.weight"][0, 0] = float("nan")
    buf = io.BytesIO()
    torch.save(state, buf)
    at.file_uploader[0].set_value(("nan.pt", buf.getvalue(), "application/octet-stream")).run()
    ok(at)
    assert any("NaN or infinite" in e.value for e in at.error)
    at.switch_page(page_file("mistakes")).run()
    assert any("Using the weights you uploaded (good.pt" in c.value for c in at.caption)


def test_the_app_opens_on_the_lessons_full_mnist_and_a_run_starts_in_slow_motion():
    at = open_page("training", size=None, pace=None)  # no settings in the address: what `make run` opens on
    assert any("50,000 train / 10,000 valid" in c.value and "shipped" in c.value for c in at.sidebar.caption)
    assert at.radio(key="pace").value == "slow"
    by_label(at.button, "Start").click().run()
    run_until(at, lambda a: progress_text(a).startswith("running") and "step 0 of" not in progress_text(a))
    time.sleep(2)
    at.run()
    step, total = (int(n.replace(",", "")) for n in progress_text(at).split("step ")[1].split(" ·")[0].split(" of "))
    assert total == 782 and step < 0.25 * total  # an epoch of about 25 s: not over in 2 s
    by_label(at.button, "Full speed").click().run()
    run_until(at, lambda a: progress_text(a).startswith("done"), timeout=60)
    assert float(by_label(at.metric, "valid accuracy").value.rstrip("%")) > 91  # the lesson's 91.7%, about


def test_the_training_task_is_checked_when_the_run_finishes():
    at = open_page("training", optim="sgd", lr="0.01", batch="32", epochs="2")
    assert any(i.value.startswith("No finished run yet") for i in at.info)
    by_label(at.button, "Start").click().run()
    run_until(at, lambda a: progress_text(a).startswith("done"))
    at.run()
    ok(at)
    done = [s.value for s in at.success if s.value.startswith("Done.")]
    assert done and "SGD at lr 0.01, batch 32, 2 epochs on 4,000 images" in done[0]
    assert any("1 of" in c.value for c in at.sidebar.caption)


def test_a_run_from_uploaded_weights_says_so_on_the_students_own_pages():
    from mnistcore import models
    at = open_page("training", pace="full")
    at.file_uploader[0].set_value(("w.pt", models.to_file(models.build("linear")), "application/octet-stream")).run()
    by_label(at.button, "Start").click().run()
    ok(at)
    assert at.session_state["job"].config.start == "uploaded"  # its post and the class board read this
    assert any("continued from the weights you uploaded" in c.value for c in at.caption)
    run_until(at, lambda a: progress_text(a).startswith("done"))
    at.switch_page(page_file("mistakes")).run()
    assert any("trained on this page, continued from the weights you uploaded" in c.value for c in at.caption)
