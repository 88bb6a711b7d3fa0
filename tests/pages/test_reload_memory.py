"""The reload memory's bound on data sets of one's own (ui/state/reloads.py): each browser's newest two, and a total
in bytes, whatever the number of tabs or browsers that upload."""

import numpy as np
import pytest

from mnistcore import image_folders
from mnistcore.data import load_dataset
from ui.state import reloads


@pytest.fixture
def tabs(monkeypatch):
    """An empty reload memory, for this test only."""
    monkeypatch.setattr(reloads, "_tabs", reloads.OrderedDict())
    return reloads._tabs


def own(n_per_class: int, start: int = 0):
    """Real digits (MNIST's sample) as a data set of one's own, as the upload keeps it."""
    ds = load_dataset("mnist", "sample")
    picked = np.concatenate([np.flatnonzero(ds.y_valid == c)[start:start + n_per_class] for c in range(10)])
    folders = image_folders.Folders(tuple(map(str, range(10))), ds.x_valid[picked], ds.y_valid[picked].astype(np.int64),
                                    tuple(map(str, picked)), (), f"sample {start}")
    return {"dataset": image_folders.to_dataset(folders), "zip": "ours.zip", "notes": ()}


def test_a_browser_keeps_its_newest_two_data_sets_over_reloads(tabs):
    sets = [own(5, k) for k in range(4)]
    for k, held in enumerate(sets):  # one browser uploads four zips in four tabs, then opens a fifth tab on the last
        tabs[f"aaaaaa{k}"] = reloads._Tab("aaaaaa", {"own_data": held, "seed": k})
    tabs["aaaaaa4"] = reloads._Tab("aaaaaa", {"own_data": sets[3]})
    tabs["bbbbbb0"] = reloads._Tab("bbbbbb", {"own_data": sets[0]})  # another browser: its own two
    reloads._bound_own_data()
    assert [t for t, tab in tabs.items() if "own_data" in tab.values] == ["aaaaaa2", "aaaaaa3", "aaaaaa4", "bbbbbb0"]
    assert tabs["aaaaaa0"].values == {"seed": 0}  # the rest of what the tab had is kept


def test_all_browsers_together_keep_at_most_the_total(tabs, monkeypatch):
    held = own(20)
    size = held["dataset"].x_train.nbytes + held["dataset"].x_valid.nbytes
    monkeypatch.setattr(reloads, "OWN_BYTES", 3 * size)
    for k in range(6):  # six browsers, each a zip of its own
        tabs[f"{k:06d}x"] = reloads._Tab(f"{k:06d}", {"own_data": own(20, k)})
    reloads._bound_own_data()
    assert [t for t, tab in tabs.items() if "own_data" in tab.values] == ["000003x", "000004x", "000005x"]
