"""The training engine on the shipped sample: it learns, obeys its controls, stops on nan, repeats itself."""

import json
import subprocess
import sys
import threading
import time

import pytest
import torch

from mnistcore import devices, models
from mnistcore.control import Control
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.serving.live import CHART_POINTS, watched
from mnistcore.train import TrainConfig, evaluate, total_steps, train


@pytest.fixture(scope="module")
def data():
    return to_tensors(load_dataset("mnist", "sample"))


def test_lesson_model_learns(data):
    before = evaluate(models.build("linear"), data.x_valid, data.y_valid)
    result = train(TrainConfig(epochs=5), data)
    assert result.status == "done" and result.steps == 5 * 63
    assert result.valid_loss < before[0] / 3
    assert result.valid_accuracy > 0.85  # chance is 0.10
    progress = [e.train_loss for e in result.history if e.kind == "progress"]
    assert sum(progress[-5:]) < sum(progress[:5]) / 2  # the loss goes down


def test_normalization_uses_the_train_statistics(data):
    assert abs(data.x_train.mean().item()) < 1e-4 and abs(data.x_train.std().item() - 1) < 1e-3
    assert abs(data.x_valid.mean().item()) < 0.05 and data.x_valid.mean().item() != 0


@pytest.mark.parametrize("name", ["linear", "logreg", "mlp"])
def test_each_model_learns_and_has_the_same_output_shape(data, name):
    result = train(TrainConfig(model=name, epochs=2), data)
    out = result.model(data.x_valid[:7])
    assert out.shape == (7, 10)
    torch.testing.assert_close(out.exp().sum(dim=1), torch.ones(7))  # log-probabilities
    assert result.valid_accuracy > 0.8


def test_logreg_is_built_with_get_weights():
    torch.manual_seed(0)
    m = models.LogReg()
    assert m.l1_w.shape == (784, 10) and m.l1_b.shape == (10,)
    assert 0.5 / 784 < m.l1_w.std().item() < 2 / 784  # randn / dims[0]


def test_same_seed_same_weights(data):
    a = train(TrainConfig(max_steps=50, seed=7), data).model.state_dict()
    b = train(TrainConfig(max_steps=50, seed=7), data).model.state_dict()
    c = train(TrainConfig(max_steps=50, seed=8), data).model.state_dict()
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert not all(torch.equal(a[k], c[k]) for k in a)


def test_nan_stops_the_run_and_keeps_the_last_good_weights(data):
    result = train(TrainConfig(model="mlp", optimizer="sgd", lr=50.0, report_every=5), data)
    assert result.status == "diverged"
    assert all(torch.isfinite(p).all() for p in result.model.parameters())
    last = result.history[-1]
    assert last.kind == "diverged" and "learning rate" in last.message and "too high" in last.message


def test_pause_resume_stop_from_another_thread(data):
    control, seen, results = Control(), [], []
    config = TrainConfig(epochs=50, report_every=1, eval_every=10**9, step_delay=0.002)

    def run():
        results.append(train(config, data, on_event=lambda e: seen.append((time.perf_counter(), e.step)), control=control))

    runner = threading.Thread(target=run)
    runner.start()
    time.sleep(0.3)
    paused = time.perf_counter()
    control.pause()
    time.sleep(0.7)
    last_time, paused_at = seen[-1]
    assert last_time - paused < 0.5  # it answered the pause within half a second
    time.sleep(0.3)
    assert seen[-1][1] == paused_at  # and nothing moved while paused
    control.resume()
    time.sleep(0.3)
    assert seen[-1][1] > paused_at
    control.pause()
    time.sleep(0.1)
    stopped = time.perf_counter()
    control.stop()  # a paused run stops too
    runner.join(timeout=2)
    assert not runner.is_alive() and time.perf_counter() - stopped < 0.5
    assert results[0].status == "stopped" and 0 < results[0].steps < 50 * 63
    assert results[0].history[-1].kind == "stopped"


def test_command_line_prints_json_metrics():
    out = subprocess.run([sys.executable, "-m", "mnistcore", "train", "--source", "sample", "--epochs", "1", "--json"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    metrics = json.loads(out.strip().splitlines()[-1])
    for key in ("train_loss", "valid_loss", "valid_accuracy", "seconds", "images_per_second", "device", "n_train"):
        assert key in metrics
    assert metrics["n_train"] == 4000 and metrics["device"] == devices.pick("auto").type and metrics["valid_accuracy"] > 0.8
    assert [line.startswith("epoch") for line in out.splitlines()].count(True) == 1  # one validation line, at the epoch end


def test_command_line_validates_more_often_when_asked():
    out = subprocess.run([sys.executable, "-m", "mnistcore", "train", "--source", "sample", "--eval-every", "20"],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    steps = [int(line.split("step")[1].split("/")[0]) for line in out.splitlines() if line.startswith("epoch")]
    assert steps == [20, 40, 60, 63]  # 63 steps in an epoch of 4,000 images


@pytest.mark.parametrize("lr, status, code", [(3.0, "overshot", 0), (1e38, "diverged", 1)])
def test_command_line_exit_status_says_whether_the_run_trained_to_its_end(lr, status, code):
    run = subprocess.run([sys.executable, "-m", "mnistcore", "train", "--source", "sample", "--optimizer", "sgd",
                          "--momentum", "0", "--lr", str(lr)], capture_output=True, text=True, timeout=120)
    assert run.returncode == code and run.stdout.splitlines()[-1].startswith(f"{status}: valid accuracy"), run.stdout
    assert "Traceback" not in run.stderr


def test_command_line_reports_a_bad_source_without_a_traceback(tmp_path):
    run = subprocess.run([sys.executable, "-m", "mnistcore", "train", "--source", str(tmp_path / "nope")],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2 and "folder was not found" in run.stderr and "Traceback" not in run.stderr


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_cuda_run_keeps_data_and_model_on_the_gpu():
    data = to_tensors(load_dataset("mnist", "sample"), "cuda")
    result = train(TrainConfig(epochs=1), data)
    assert all(p.device.type == "cuda" for p in result.model.parameters())
    assert result.valid_accuracy > 0.8


@pytest.mark.parametrize("name", ["linear", "logreg", "mlp"])
def test_weights_file_round_trip(name):
    model = models.build(name)
    again = models.from_file(models.to_file(model))
    assert models.kind_of(again) == name
    assert all(torch.equal(a, b) for a, b in zip(model.state_dict().values(), again.state_dict().values()))


def test_a_weights_file_that_would_run_code_is_refused():
    import io
    import os
    buffer = io.BytesIO()
    torch.save({"w": torch.zeros(1), "hook": os.getcwd}, buffer)  # a callable inside: needs full unpickling
    with pytest.raises(Exception, match="Weights only load failed|Unsupported global"):
        models.from_file(buffer.getvalue())


def test_the_page_validates_a_long_run_about_as_often_as_its_chart_has_points():
    short = watched(TrainConfig(epochs=1), 50_000)
    assert (short.eval_every, short.report_every, short.snapshot_every) == (100, 10, 10)
    long = watched(TrainConfig(epochs=100), 60_000)  # 93,800 steps: every 100 would be 938 passes
    assert 390 <= total_steps(long, 60_000) // long.eval_every <= CHART_POINTS
