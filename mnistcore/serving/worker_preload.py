"""Imported once by the forkserver before it forks any worker, so that no run pays these at its start;
it also moves the forkserver (and so every worker) into a low-priority scheduling group of its own.

Measured on the class machine: importing torch 1.2 s, and the first `torch.optim.Adam(...)` of a
process 1.1 s more (it imports its compiler hooks); a forked worker then starts in about 20 ms.
"""

import gc

import torch

import mnistcore.serving.jobs  # noqa: F401  (the worker's code, and through it the training engine)
from mnistcore.serving import workers
from mnistcore.train import TrainConfig, make_optimizer

workers.lower_priority_group()
make_optimizer(TrainConfig(), torch.nn.Linear(1, 1))  # the engine's own optimizer (fused Adam), built once here
# Python's advice for servers that fork: frozen objects are never touched by a worker's collections, so
# their memory pages stay shared with the forkserver instead of being copied into every worker.
gc.freeze()
