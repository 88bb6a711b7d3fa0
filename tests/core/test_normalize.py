"""The normalization page's numbers: statistics, the scale race, colour channels, activation scale, sort order."""

import math

import numpy as np
import pytest
import torch

from mnistcore import normalize as N
from mnistcore.data import load_dataset
from mnistcore.prepare import to_tensors, train_stats


@pytest.fixture(scope="module")
def ds():
    return load_dataset("mnist", "sample")


def test_statistics_match_numpy(ds):
    s = N.statistics(ds)
    x = ds.x_train / 255
    assert s["train_mean"] == pytest.approx(x.mean(), abs=1e-9) and s["train_std"] == pytest.approx(x.std(), abs=1e-9)
    v = (ds.x_valid / 255 - x.mean()) / x.std()
    assert s["valid_mean"] == pytest.approx(v.mean(), abs=1e-9) and s["valid_std"] == pytest.approx(v.std(), abs=1e-9)
    assert s["valid_mean"] != 0 and abs(s["valid_own_mean"]) < 1e-9
    assert s["train_mean_pickle"] == pytest.approx((ds.x_train / 256).mean(), abs=1e-12)  # the lesson file's scale


def test_normalized_training_beats_raw_bytes(ds):
    curves = N.scale_race(ds, steps=100)
    final = {k: v[1][-1] for k, v in curves.items()}
    assert final["normalized"] < final["divided by 255"] < final["raw 0-255"]
    assert curves["normalized"][0][-1] == 100


def test_lesson_init_vanishes_randn_explodes_kaiming_holds(ds):
    x = to_tensors(ds).x_valid[:256]
    assert N.activation_stds(x, "randn")[-1] > 1e6
    assert N.activation_stds(x, "lesson")[-1] < 1e-6
    assert 0.2 < N.activation_stds(x, "kaiming")[-1] < 5


def test_best_split_ignores_monotone_rescaling():
    rng = np.random.default_rng(0)
    values, target = rng.normal(size=500), rng.random(500) < 0.3
    values[target] += 1.5
    t, left = N.best_split(values, target)
    t2, left2 = N.best_split(np.exp(values) * 7 + 3, target)  # any increasing function
    assert np.array_equal(left, left2) and t2 == pytest.approx(math.exp(t) * 7 + 3, rel=0.5)


def test_green_only_valid_normalized_by_its_own_mean_loses_its_green(ds):
    d = N.colour_demo(ds)
    assert d["valid_by_train"][1] > 0.3 and abs(d["valid_by_own"][1]) < 1e-5
    assert d["green_by_train"] > 0.95 and d["green_by_own"] < d["green_by_train"] - 0.1


def test_train_stats_counts_every_pixel(ds):
    mean, std = train_stats(ds)
    t = torch.tensor(ds.x_train, dtype=torch.float64) / 255
    assert mean == pytest.approx(t.mean().item(), abs=1e-9) and std == pytest.approx(t.std(unbiased=False).item(), abs=1e-9)
