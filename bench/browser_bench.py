"""Training with the page open and polling in Chromium keeps at least 80% of its headless speed."""

import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import torch

from bench.servers import CHROMIUM
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors
from mnistcore.serving.live import watched
from mnistcore.serving.workers import RUN_THREADS
from mnistcore.train import TrainConfig, train

ROOT = Path(__file__).resolve().parents[1]
EPOCHS = 8


def page_speeds(epochs: int, runs: int, extra: tuple[str, ...] = ()) -> list[float]:
    """Images per second the page reports at the end of each of `runs` full-speed runs on Fashion-MNIST."""
    from playwright.sync_api import sync_playwright
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1", *extra], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}"
        for _ in range(120):
            try:
                urllib.request.urlopen(url + "/_stcore/health", timeout=1)
                break
            except OSError:
                time.sleep(0.25)
        with sync_playwright() as p:
            b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=["--no-sandbox"])
            page = b.new_page(viewport={"width": 1400, "height": 1600})
            speeds = []
            for _ in range(runs):
                page.goto(f"{url}/training?data=fashion&epochs={epochs}&pace=full")  # a fresh session each time, at full speed
                page.get_by_role("button", name="Start").click(timeout=120_000)
                page.wait_for_function("() => document.body.innerText.includes('done: step')", timeout=600_000)
                text = page.locator('[data-testid="stProgress"]').first.inner_text()
                speeds.append(float(re.search(r"([\d,]+) images/s", text).group(1).replace(",", "")))
            b.close()
        return speeds
    finally:
        proc.terminate()
        proc.wait(20)


def run(runs: int = 3) -> list[bool]:
    """Compare the page's training speed with the same run headless; best of `runs` each (this machine is noisy)."""
    data = to_tensors(load_dataset("fashion"))
    config = watched(TrainConfig(epochs=EPOCHS), len(data.x_train))  # the page's settings
    train(TrainConfig(max_steps=200), data)  # warm up
    default_threads = torch.get_num_threads()
    default = max(train(config, data).images_per_second for _ in range(runs))
    torch.set_num_threads(RUN_THREADS)  # the thread count the app's background runs use (mnistcore.serving.workers)
    headless = max(train(config, data).images_per_second for _ in range(runs))
    torch.set_num_threads(default_threads)
    browser = max(page_speeds(EPOCHS, runs))
    share = browser / headless
    ok = share >= 0.8
    print(f"      headless with PyTorch's default {default_threads} threads: {default:,.0f} images/s "
          f"(the page keeps {browser / default:.0%} of that)")
    print(f"{'PASS' if ok else 'FAIL'}  training with the page polling: {browser:,.0f} images/s vs the same run "
          f"headless ({RUN_THREADS} thread) {headless:,.0f} images/s -> {share:.0%} kept (target >= 80%)", flush=True)
    return [ok]
