"""Training speed on full Fashion-MNIST, against a DataLoader loop and scikit-learn, in the same run."""

import json
import subprocess
import sys
import time
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, TensorDataset

from bench import report
from mnistcore import devices, models
from mnistcore.data import DEBIAN_FASHION, load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.train import TrainConfig, train

FASHION = Path(DEBIAN_FASHION)
ROOT = Path(__file__).resolve().parents[1]


def dataloader_epoch(data, seed: int = 0, batch_size: int = 64) -> float:
    """The textbook loop: DataLoader(TensorDataset) batches, same model, optimizer and seed. Seconds."""
    torch.manual_seed(seed)
    model = models.build("linear").to(data.x_train.device)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loader = DataLoader(TensorDataset(data.x_train, data.y_train), batch_size=batch_size, shuffle=True)
    start = time.perf_counter()
    for x, y in loader:
        loss = F.nll_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    if data.x_train.is_cuda:
        torch.cuda.synchronize()
    return time.perf_counter() - start


def engine_epoch(data, seed: int = 0) -> float:
    """One epoch of the engine at the lesson's settings, its end-of-epoch validation included. Seconds."""
    return train(TrainConfig(seed=seed, eval_every=10**9), data).seconds


def sklearn_fit(data) -> tuple[float, float]:
    """scikit-learn's LogisticRegression (lbfgs, defaults) on the same normalized pixels: seconds, accuracy."""
    from sklearn.linear_model import LogisticRegression
    x, xv = data.x_train.cpu().numpy(), data.x_valid.cpu().numpy()
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs stops at max_iter=100 and says so
        clf = LogisticRegression().fit(x, data.y_train.cpu().numpy())
    seconds = time.perf_counter() - start
    return seconds, float((clf.predict(xv) == data.y_valid.cpu().numpy()).mean())


def time_to_accuracy(data, target: float) -> tuple[float | None, TrainConfig, float]:
    """Seconds until the engine's validation accuracy first reaches `target`, with the final accuracy."""
    config = TrainConfig(batch_size=512, epochs=5, schedule="onecycle", lr=1e-2, eval_every=20)
    result = train(config, data)
    hits = [e.seconds for e in result.history if e.valid_accuracy is not None and e.valid_accuracy >= target]
    return (hits[0] if hits else None), config, result.valid_accuracy


# The same loop as dataloader_epoch, in a fresh interpreter: imports, data and the first steps all cold.
COLD_DATALOADER = ("from bench.train_bench import dataloader_epoch; from mnistcore.data import DEBIAN_FASHION, load_dataset; "
                   "from mnistcore.prepare import to_tensors; print(dataloader_epoch(to_tensors(load_dataset('fashion'))))")


def cold_ratios(runs: int = 3) -> list[float]:
    """A new user's path: the command line's one-epoch run (`--json`) against the same DataLoader loop, each
    in a fresh process with the same model, optimizer and seed; the speed-up of each pair."""
    ratios = []
    for _ in range(runs):
        base = float(subprocess.run([sys.executable, "-c", COLD_DATALOADER], capture_output=True, text=True,
                                    check=True, cwd=ROOT).stdout)
        out = subprocess.run([sys.executable, "-m", "mnistcore", "train", "--dataset", "fashion", "--json"],
                             capture_output=True, text=True, check=True, cwd=ROOT).stdout
        ratios.append(base / json.loads(out.strip().splitlines()[-1])["seconds"])
    return ratios


def epoch_vs_dataloader(data, name: str = "epoch at batch 64") -> tuple[bool, float]:
    """The engine's epoch against the DataLoader loop on the same data, each warmed up, best of three: whether it
    meets the 1.5x target, and the engine's seconds."""
    engine_epoch(data), dataloader_epoch(data)  # warm up both paths
    ours = min(engine_epoch(data, s) for s in range(3))
    base = min(dataloader_epoch(data, s) for s in range(3))
    return report(name, ours, base, "DataLoader loop", 1.5), ours


def run(device: str = "cpu") -> list[bool]:
    """The two engine targets of the training issue on `device`."""
    if not FASHION.is_dir():
        print("SKIP  training benchmarks: Debian's dataset-fashion-mnist is not installed")
        return []
    data = to_tensors(load_dataset("fashion"), device)
    print(f"      device: {devices.describe(device)}; Fashion-MNIST {len(data.x_train):,} train / {len(data.x_valid):,} valid",
          flush=True)
    results = [epoch_vs_dataloader(data)[0]]
    if device == "cpu":
        cold = cold_ratios()
        ok = min(cold) >= 1.5
        print(f"{'PASS' if ok else 'FAIL'}  cold path (command line vs DataLoader loop, each in a fresh process): "
              f"{', '.join(f'{r:.2f}x' for r in cold)} (target >= 1.5x in every run)", flush=True)
        results.append(ok)
    sk_seconds, sk_acc = sklearn_fit(data)
    reached, config, final = time_to_accuracy(data, sk_acc - 0.005)
    print(f"      scikit-learn: {sk_acc:.2%} in {sk_seconds:.1f} s; engine ({config.batch_size=}, {config.epochs=}, "
          f"{config.schedule=}, {config.lr=}) ends at {final:.2%}", flush=True)
    if reached is None:
        print("FAIL  time to scikit-learn's accuracy: never reached")
        return results + [False]
    results.append(report(f"time to {sk_acc - 0.005:.2%} valid", reached, sk_seconds, "scikit-learn fit", 3.0))
    mnist = load_dataset("mnist")  # full MNIST when installed, cached or named by MNIST_DATA; else the sample
    if len(mnist.x_train) == 50_000:
        acc = train(TrainConfig(), to_tensors(mnist, device)).valid_accuracy
        ok = acc >= 0.91
        print(f"{'PASS' if ok else 'FAIL'}  lesson settings on full MNIST, one epoch: {acc:.2%} (target >= 91%; "
              f"the lesson's notebook printed 91.72%)")
        results.append(ok)
    else:
        print("SKIP  lesson settings on full MNIST: full MNIST is not on this machine (set MNIST_DATA or download it)")
    return results
