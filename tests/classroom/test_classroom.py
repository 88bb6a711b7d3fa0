"""The class's computations and their machinery: the board's pooled mistakes, posts of real finished runs, the
posts that wait while the database is away, and the throttle on guesses."""

import numpy as np
import pytest

from mnistcore import figures
from mnistcore.classroom import board
from mnistcore.classroom.guard import Throttle
from mnistcore.classroom.posting import Outbox, post_of
from mnistcore.classroom.qr import qr_png
from mnistcore.classroom.store import Arrays, Member, Run, open_store
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.serving.jobs import Job, wait_until
from mnistcore.train import TrainConfig


@pytest.fixture(scope="module")
def sample():
    ds = load_dataset("mnist", "sample")
    return ds, to_tensors(ds)


def finished(data, **config):
    """A real run on the sample, trained to its end."""
    job = Job(TrainConfig(**config), data).start()
    assert wait_until(job, lambda s: s.status not in ("waiting", "running"), timeout=120)
    return job


def arrays(wrong, said):
    return Arrays(np.zeros((10, 784), np.float32), np.array(wrong), np.array(said, np.uint8))


def test_pooled_mistakes_are_the_digits_most_models_miss_most_missed_first():
    pooled = board.pooled_mistakes([arrays([1, 2, 3], [7, 7, 7]), arrays([2, 3, 9], [5, 7, 4]),
                                    arrays([3, 4], [8, 1])], n_valid=10)
    assert [(m.index, m.wrong_in, m.of) for m in pooled] == [(3, 3, 3), (2, 2, 3)]  # at least 2 of 3; 1, 4, 9 once
    assert pooled[0].said == 7  # two of the three said 7
    assert board.pooled_mistakes([], 10) == []
    assert [m.index for m in board.pooled_mistakes([arrays([5, 1], [0, 0])], 10)] == [1, 5]  # one model: all of its own
    assert board.pooled_mistakes([arrays([3, 10_000, -1], [1, 2, 3])] * 2, 10)[0].index == 3  # out of range: ignored


def test_the_board_pools_one_model_per_student_and_hides_names_it_was_asked_to():
    def run(i, member, status="done", dataset="k"):
        return Run(i, member, status, {"optimizer": "sgd", "lr": 0.1, "batch_size": 64, "epochs": 1}, 0.9, 1.0, dataset,
                   i, i)
    runs = [run(1, 1), run(2, 1), run(3, 2, "diverged"), run(4, 2), run(5, 3, dataset="other"), run(6, 1, "diverged"),
            run(7, 2, "stopped")]
    assert [r.id for r in board.latest_per_student(runs, "k")] == [2, 4]  # newest trained to its end, on that data
    assert [r.id for r in board.latest_per_student(runs + [run(8, 1, "overshot")], "k")] == [8, 4]  # a model too
    assert board.main_dataset(runs) == "k"
    assert board.template_label(runs[1]) == "SGD lr 0.1 · 90.0%"
    assert board.template_label(run(8, 1, "overshot")) == "SGD lr 0.1 · 90.0% (overshot)"  # as the table says it
    members = [Member(1, "Ada", False, 0, 0), Member(2, "Cy", True, 0, 0)]
    rows = board.table(runs, members)
    assert rows[1]["run"] == 6 and rows[1]["valid accuracy"] is None and rows[1]["status"] == "diverged"
    assert {r["name"] for r in rows} == {"Ada", "student 2", "?"}  # Cy hidden; a removed student's run is unnamed
    assert rows[-1]["optimizer"] == "SGD"
    per_student = board.students(runs, members)
    assert [(r["name"], r["runs"]) for r in per_student] == [("Ada", 3), ("student 2", 3)]
    assert per_student[0]["best valid accuracy"] == 0.9 and per_student[0]["self-check"] == "-"


def test_the_runs_table_reads_best_first_and_says_each_runs_settings_and_ending_in_words():
    def row(run, accuracy, status="done", lr=0.1, epochs=1, seconds=12.34):
        return {"run": run, "model": "linear", "optimizer": "SGD", "lr": lr, "batch": 64, "epochs": epochs,
                "valid accuracy": accuracy, "status": status, "seconds": seconds}
    rows = [row(5, 0.83, "overshot", lr=3), row(4, None, "diverged", lr=10), row(3, 0.85),
            row(2, 0.91, "stopped", epochs=2), row(1, 0.85)]
    assert board.ordered(rows, "newest first") == rows
    assert [r["run"] for r in board.ordered(rows, "best first")] == [2, 3, 1, 5, 4]  # ties newest first, diverged last
    assert board.settings_text(rows[1]) == "linear · SGD · lr 10 · batch 64 · 1 epoch"
    assert board.settings_text(rows[3]).endswith("batch 64 · 2 epochs")
    assert [board.outcome(r) for r in rows] == ["83.00% (overshot)", "diverged", "85.00%", "91.00% (stopped)", "85.00%"]
    assert board.scatter_note(rows[2:]) == ""
    note = board.scatter_note(rows + [row(6, None, "diverged")])
    assert note.startswith("1 run overshot (open markers)") and "2 runs diverged" in note
    assert (board.percent(None), board.percent(0.917)) == ("-", "91.70%")
    assert (board.seconds_text(12.34), board.seconds_text(0.041), board.seconds_text(0.96)) == ("12.3", "0.041", "1.0")


def test_a_finished_run_is_posted_with_its_templates_and_the_very_images_it_got_wrong(sample, tmp_path):
    ds, data = sample
    job = finished(data, epochs=1, seed=3)
    store = open_store(str(tmp_path / "class.db"))
    code, _ = store.create_room()
    member, _ = store.join(code, "Ada")
    post = post_of(job.result, data.x_valid, data.y_valid, code, member, "run-1", ds.key)
    said = job.result.model(data.x_valid).argmax(dim=1).numpy()  # (1000,)
    assert post.wrong.tolist() == np.flatnonzero(said != ds.y_valid).tolist()
    assert len(post.wrong) == round((1 - job.result.valid_accuracy) * len(ds.y_valid))
    np.testing.assert_array_equal(post.said, said[post.wrong])
    np.testing.assert_allclose(post.templates, job.result.model[0].weight.detach().numpy())
    assert post.send(store) and not post.send(store)
    kept = store.arrays(code, [store.runs(code)[0].id])
    assert list(kept.values())[0].wrong.tolist() == post.wrong.tolist()


def test_a_run_that_overshot_is_posted_with_its_accuracy_and_drawn_open_on_the_scatter(sample):
    ds, data = sample
    job = finished(data, epochs=1, optimizer="sgd", lr=3.0, momentum=0.0)  # the loss rises; the weights stay finite
    assert job.result.status == "overshot"
    post = post_of(job.result, data.x_valid, data.y_valid, "ROOM", 1, "run-o", ds.key)
    assert post.status == "overshot" and post.accuracy == pytest.approx(job.result.valid_accuracy) and post.accuracy > 0.5
    assert len(post.wrong) == round((1 - post.accuracy) * len(data.y_valid))
    rows = [{"name": "Ada", "optimizer": "SGD", "lr": 3.0, "batch": 64, "epochs": 1, "valid accuracy": post.accuracy,
             "status": "overshot"},
            {"name": "Cy", "optimizer": "SGD", "lr": 0.1, "batch": 64, "epochs": 1, "valid accuracy": 0.9,
             "status": "done"}]
    sgd = next(t for t in figures.lr_scatter(rows).data if t.name == "SGD")
    assert list(sgd.marker.symbol) == ["diamond-open", "diamond"] and "(overshot)" in sgd.text[0]


def test_a_diverged_run_is_posted_as_diverged_with_no_accuracy_and_no_mistakes(sample):
    ds, data = sample
    job = finished(data, epochs=1, model="mlp", optimizer="sgd", lr=10.0)  # the MLP's loss becomes NaN
    assert job.result.status == "diverged"
    post = post_of(job.result, data.x_valid, data.y_valid, "ROOM", 1, "run-x", ds.key)
    assert post.status == "diverged" and post.accuracy is None and len(post.wrong) == 0
    assert np.isfinite(post.templates).all()


def test_a_job_calls_back_once_its_result_is_in_and_at_once_when_it_already_is(sample):
    _, data = sample
    calls = []
    job = Job(TrainConfig(epochs=1), data)
    job.when_finished(lambda j: calls.append(("before", j.result.status)))
    job.start()
    job.join(120)
    job.when_finished(lambda j: calls.append(("after", j.result.status)))
    assert calls == [("before", "done"), ("after", "done")]
    failing = Job(TrainConfig(epochs=1), data)
    failing.when_finished(lambda j: 1 / 0)  # a broken callback is logged; the run's own state is whole
    failing.start()
    failing.join(120)
    assert failing.result.status == "done" and not failing.alive


def test_posts_wait_while_the_database_is_away_and_go_once_it_is_back(sample, tmp_path):
    ds, data = sample
    job = finished(data, epochs=1)
    store = open_store(str(tmp_path / "class.db"))
    code, _ = store.create_room()
    member, _ = store.join(code, "Ada")
    outbox = Outbox()
    posts = [post_of(job.result, data.x_valid, data.y_valid, code, member, f"run-{i}", ds.key) for i in range(3)]
    assert outbox.send(None, posts[0]) == "waiting"  # the store could not even be opened
    (tmp_path / "class.db").rename(tmp_path / "away.db")
    (tmp_path / "class.db").mkdir()  # the database file is unusable now
    assert outbox.send(store, posts[1]) == "waiting" and outbox.waiting() == 2
    (tmp_path / "class.db").rmdir()
    (tmp_path / "away.db").rename(tmp_path / "class.db")
    assert outbox.send(store, posts[2]) == "posted"
    assert outbox.waiting() == 0 and [outbox.state(p.uid) for p in posts] == ["posted"] * 3
    assert len(store.runs(code)) == 3
    store.end_room(code)
    extra = post_of(job.result, data.x_valid, data.y_valid, code, member, "run-late", ds.key)
    assert "closed" in outbox.send(store, extra)  # refused in words, not kept forever


def test_an_outbox_keeps_at_most_its_limit_and_says_which_were_lost(sample):
    ds, data = sample
    job = finished(data, epochs=1)
    outbox = Outbox(limit=2)
    for i in range(3):
        outbox.send(None, post_of(job.result, data.x_valid, data.y_valid, "ROOM", 1, f"r{i}", ds.key))
    assert outbox.waiting() == 2 and outbox.state("r0").startswith("lost")


def test_the_throttle_counts_failures_per_browser_per_address_and_for_the_whole_server():
    t = Throttle(per_client=3, per_address=5, per_server=8, window=60)
    for _ in range(3):
        assert t.wait(("a", "198.51.100.7"), now=0.0) == 0
        t.failed(("a", "198.51.100.7"), now=0.0)
    assert t.wait(("a", "198.51.100.7"), now=1.0) == pytest.approx(59.0)
    assert t.wait(("b", "198.51.100.7"), now=1.0) == 0  # another browser is not slowed by a's guesses...
    t.failed(("b", "198.51.100.7"), now=1.0)
    t.failed(("c", "198.51.100.7"), now=1.0)  # ...until their address has had its fill: a new cookie a try is no way out
    assert t.wait(("d", "198.51.100.7"), now=2.0) == pytest.approx(58.0)
    assert t.wait(("e", "192.0.2.10"), now=2.0) == 0  # a class elsewhere is not slowed by that address's guesses
    for k in range(3):  # a crowd of addresses fills the server's count
        t.failed((f"f{k}", f"203.0.113.{k}"), now=3.0)
    assert t.wait(("f0", "203.0.113.0"), now=4.0) == pytest.approx(56.0)  # a browser that took part waits
    assert t.wait(("student", "192.0.2.10"), now=4.0) == 0  # one that never failed still joins its class
    assert t.wait(("a", "198.51.100.7"), now=60.0) == 0  # the window has passed
    for k in range(5):
        t.failed((f"v{k}", f"2001:db8:1:2::{k + 1}"), now=70.0)
    assert t.wait(("w", "2001:db8:1:2::99"), now=70.0) > 0  # an IPv6 /64 is one address: one home, one machine
    assert t.wait(("w", "2001:db8:1:3::1"), now=70.0) == 0
    assert t.wait("z", now=200.0) == 0  # a browser alone (no address known): one address for all


def test_the_qr_code_is_a_png():
    png = qr_png("http://127.0.0.1:8501/?room=ABC234")
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 200


def test_a_run_from_uploaded_weights_is_marked_wherever_the_board_shows_it(sample, tmp_path):
    from mnistcore import models
    ds, data = sample
    perfect = models.build("linear")  # fitted elsewhere, offline: the board must not take it for this run's work
    job = Job(TrainConfig(epochs=1, max_steps=3, start="uploaded"), data, perfect).start()
    assert wait_until(job, lambda s: s.status not in ("waiting", "running"), timeout=120)
    post = post_of(job.result, data.x_valid, data.y_valid, "ROOM", 1, "up", ds.key)
    assert post.settings["start"] == "uploaded"
    fresh = Run(1, 1, "done", {"optimizer": "adam", "lr": 0.01, "start": "fresh"}, 0.90, 1.0, "k", 1, 1)
    upload = Run(2, 1, "done", {**post.settings, "optimizer": "adam"}, 1.0, 1.0, "k", 2, 2)
    rows = board.table([fresh, upload], [Member(1, "Ada", False, 0, 0)])
    assert [board.outcome(r) for r in rows] == ["100.00% (from uploaded weights)", "90.00%"]
    assert board.template_label(upload) == "Adam lr 0.001 · 100.0% (from uploaded weights)"
    assert board.students([fresh, upload], [Member(1, "Ada", False, 0, 0)])[0]["best valid accuracy"] == 0.90
    assert board.scatter_note(rows).startswith("1 run continued from uploaded weights (crosses)")
    scatter = figures.lr_scatter(rows).data[0]  # Adam's trace
    assert list(scatter.marker.symbol) == ["x", "circle"] and "(from uploaded weights)" in scatter.text[0]
    tuned = Run(3, 1, "done", {**post.settings, "start": "lesson", "before": 0.4}, 0.8, 1.0, "k", 3, 3)
    rows = board.table([fresh, tuned], [Member(1, "Ada", False, 0, 0)])
    assert board.outcome(rows[0]) == "80.00% (fine-tuned from the lesson's model)"
    assert board.scatter_note(rows) == ("1 run fine-tuned the lesson's model on our digits (crosses): it learned from "
                                        "MNIST first.")
