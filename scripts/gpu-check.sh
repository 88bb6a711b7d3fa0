#!/usr/bin/env bash
# Every check that needs a CUDA GPU, in one go (a GPU machine is lent for minutes, not hours): the CUDA
# tests, every page's AppTest on the GPU (a machine with CUDA picks it by default), and the GPU benchmark.
# Needs the test requirements installed; full MNIST ships with the app.
# Logs go to $OUT (default: the current folder).
set -u
out=${OUT:-.}
export PYTHONUNBUFFERED=1
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv | tee "$out/gpu.txt"
python3 -c 'import torch; print("torch", torch.__version__, "cuda", torch.version.cuda, torch.cuda.is_available())' | tee -a "$out/gpu.txt"
timeout 180 python3 -m pytest -q -p no:cacheprovider tests/serving/test_cuda.py tests/core/test_train.py tests/serving/test_jobs.py 2>&1 | tee "$out/cuda-tests.log"
timeout 150 python3 -m bench.gpu_bench 2>&1 | tee "$out/gpu-bench.log"
timeout 240 python3 -m pytest -q -p no:cacheprovider tests/pages/test_app.py tests/pages/test_training_page.py tests/pages/test_lesson_mnist.py tests/core/test_learning.py 2>&1 | tee "$out/app-tests.log"
