"""Every piece of state the pages keep, declared once: what it means, whom it belongs to, which data set it is
about, where it lives, and the one parser its values pass.

A key means one thing. `settings.keep` reads its default and parser from here; `reloads` keeps what lives in the
reload memory; `follow` drops what belongs to the last data set when the sidebar switches. tests/pages/test_house.py
checks that every key the code keeps is declared here, and that a kept key has one page.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mnistcore import choices, distort, learning, losses, normalize, predictions, surgery, tensors
from mnistcore.classroom import board
from mnistcore.data import SPECS
from ui.state.parsers import flag, float_in, int_in, one_of, pair_in, text

# Whom a value belongs to.
TAB = "tab"  # one browser tab: another tab of the same browser starts from the link
BROWSER = "browser"  # every tab of one browser
ROOM = "room"  # a class room, whatever server or tab

# Where a value lives.
URL = "url"  # the session, mirrored in the address: a link or a reload carries it
RELOAD = "reload"  # the session, and the server's reload memory under the tab's token (reloads.py)
SESSION = "session"  # the session only: a reload starts it afresh
DATABASE = "database"  # the class's store: any server finds it


@dataclass(frozen=True)
class Kept:
    """One piece of kept state."""

    key: str
    meaning: str
    page: str  # the one page that keeps it ("" for the sidebar and the parts every page shares)
    lives: str = URL
    owner: str = TAB
    per_dataset: bool = False  # True: it is about the data set in use, and a switch drops it
    default: Any = None
    parse: Callable | None = None  # text -> value; with bounds given to `keep`, a factory of such parsers


SIZES = {"full": "all of it", "sample": "quick sample"}
OWN_DATA = {"yours": "Your images", "class": "Our class's digits"}  # data sets a session brings (ui/state/own_data.py,
# ui/room/class_digits.py): choices beside SPECS' while the session has them


def _run_choice(c: choices.Choice) -> Kept:
    """A training choice of the schema, kept in the training page's link."""
    return Kept(c.key, f"a run's {c.label.lower()}", "training", default=c.default, parse=c.parse)


ENTRIES = [
    # The sidebar: every page's data set, device and seed.
    Kept("data", "the data set every page uses", "", default="mnist", parse=one_of([*SPECS, *OWN_DATA])),
    Kept("size", "all of the data set, or the shipped quick sample", "", default="full", parse=one_of(list(SIZES))),
    Kept("device", "where runs compute: auto, or one of the devices this machine has", "", default="auto", parse=one_of),
    Kept("seed", "the seed of every random draw", "", default=0, parse=int_in(0, 2**31 - 1)),
    # Tensor rank & axes.
    Kept("img", "the first image i of the tensors page's tensors", "tensors", per_dataset=True, default=0, parse=int_in),
    Kept("rank", "the rank of tensor shown", "tensors", default=2, parse=int_in(0, 4)),
    Kept("digit", "the class of the batch b that is reduced", "tensors", default=3, parse=int_in(0, 9)),
    Kept("op", "the reduction applied to b", "tensors", default="mean", parse=one_of(tensors.REDUCTIONS)),
    Kept("axis", "the axis b is reduced along", "tensors", default=0, parse=int_in(0, 2)),
    Kept("row", "the row r found in the flattened image", "tensors", default=14, parse=int_in(0, 27)),
    # Normalization.
    Kept("opt", "the optimizer of the raw / [0, 1] / normalized race", "normalization", default="adam",
         parse=one_of(list(normalize.RACE_LR))),
    Kept("steps", "how many steps the race runs", "normalization", default=normalize.RACE_STEPS, parse=int_in(100, 500)),
    # Reshape & slicing.
    Kept("shape", "the new shape typed for x.reshape", "reshape", default="-1, 28, 28", parse=text(200)),
    Kept("slice_img", "the image i of x_imgs[i, r0:r1, c0:c1]", "reshape", default=0, parse=int_in(0, 15)),
    Kept("rows", "the rows r0:r1 of the slice", "reshape", default=(10, 15), parse=pair_in(0, 28)),
    Kept("cols", "the columns c0:c1 of the slice", "reshape", default=(10, 15), parse=pair_in(0, 28)),
    Kept("slice", "the line tried on img = x_imgs[i]", "reshape", default="img[::2]", parse=one_of(list(tensors.SLICES))),
    Kept("bc_a", "the left shape of the broadcasting check", "reshape", default="16, 28, 28", parse=text(200)),
    Kept("bc_b", "the right shape of the broadcasting check", "reshape", default="28, 1", parse=text(200)),
    # Softmax & cross-entropy: ten scores, a temperature and the true class.
    *[Kept(f"z{c}", f"the score of class {c}", "softmax", default=z, parse=float_in(-10, 10))
      for c, z in enumerate(losses.SOFTMAX_SCORES)],
    Kept("temp", "the softmax's temperature", "softmax", default=1.0, parse=float_in(0.1, 5)),
    Kept("true", "the true class the cross-entropy scores", "softmax", default=3, parse=int_in(0, 9)),
    # How it learns.
    Kept("glr", "the learning rate of the descent on a line", "learning", default=0.1, parse=one_of(learning.LINE_LRS, float)),
    Kept("slr", "the learning rate of the single SGD steps", "learning", default=0.1, parse=one_of(learning.SGD_LRS, float)),
    Kept("curve", "the curve the ReLU pieces fit", "learning", default="sine", parse=one_of(list(learning.TARGETS))),
    Kept("units", "how many ReLU pieces fit it", "learning", default=3, parse=int_in(1, learning.UNITS[-1])),
    # Live training: the schema's choices.
    *[_run_choice(c) for c in choices.RUN],
    Kept("learn", "which images a run learns from, with digits of one's own: ours, MNIST's, or both", "training",
         default=choices.LEARN.default, parse=choices.LEARN.parse),
    # The model's mistakes.
    Kept("rates", "the confusion matrix as rates per true class", "mistakes", default=False, parse=flag),
    Kept("cell", "the selected confusion cell (true, predicted)", "mistakes", lives=SESSION, per_dataset=True),
    Kept("which", "the gallery's mistakes, or right but unsure", "mistakes", default="wrong", parse=one_of(["wrong", "unsure"])),
    Kept("mistake_order", "the gallery's order", "mistakes", default=predictions.ORDERS[0], parse=one_of(predictions.ORDERS)),
    Kept("page", "the gallery's page", "mistakes", per_dataset=True, default=1, parse=int_in),
    Kept("tile", "the gallery tile looked at closer", "mistakes", lives=SESSION, per_dataset=True),
    Kept("probabilities", "the pages' model's probabilities on the validation images", "", lives=SESSION, per_dataset=True),
    # The class's pages, on a projector (ui/room/projector.py, drawn on the board and the teach page).
    Kept("projector", "large text and no sidebar, for the back of a classroom", "", default=False, parse=flag),
    # The class board.
    Kept("board_order", "the board's runs table order", "board", default=board.ORDERS[0], parse=one_of(board.ORDERS)),
    # Break it: the switches on the digits, then the edits inside the model.
    *[Kept(f"break_{s.key}", f"the amount of the switch '{s.label}' on the validation digits", "break", default=s.neutral,
           parse=one_of(s.amounts, type(s.amounts[0]))) for s in distort.SWITCHES],
    Kept("break_bias", "the lesson's model with its ten biases zeroed", "break", default=False, parse=flag),
    Kept("break_zero", "the class whose template is zeroed (-1: none)", "break", default=-1,
         parse=one_of(list(range(-1, 10)), int)),
    Kept("break_blend", "how far the ten templates are blended towards their mean", "break", default=0.0,
         parse=one_of(surgery.BLENDS, float)),
    # Kept without a link: what a tab has that its address does not carry (reloads.py keeps these).
    Kept("job", "this tab's training run", "", lives=RELOAD),
    Kept("trained", "the model this tab trained or uploaded last, with its data set", "", lives=RELOAD),
    Kept("uploaded", "weights uploaded to continue from", "", lives=RELOAD),
    Kept("folder", "the data folder typed in the sidebar", "", lives=RELOAD),
    Kept("own_drawings", "digits drawn one at a time on the own-digits page, before they are a data set", "",
         lives=RELOAD),
    Kept("own_data", "your own images from a zip of folders: the data set, the zip's name, what was left out", "",
         lives=RELOAD),
    Kept("quiz", "self-check answers: tries, right or not, the last verdict and its data set", "", lives=RELOAD),
    Kept("seat", "a student's seat in a class room", "", lives=RELOAD, owner=ROOM),
    Kept("teaching", "the teacher's room", "", lives=RELOAD, owner=ROOM),
]


def declare(entries: list[Kept]) -> dict[str, Kept]:
    """`entries` by key; ValueError for a key declared twice (one key, one meaning: a mistake at import time)."""
    registry: dict[str, Kept] = {}
    for kept in entries:
        if kept.key in registry:
            raise ValueError(f"the kept key {kept.key!r} is declared twice")
        registry[kept.key] = kept
    return registry


REGISTRY = declare(ENTRIES)


def entry(key: str) -> Kept:
    """The declaration of `key`; KeyError with advice when it has none."""
    try:
        return REGISTRY[key]
    except KeyError:
        raise KeyError(f"{key!r} is not declared in ui/state/registry.py: declare it there, once") from None


def kept_over_reloads() -> tuple[str, ...]:
    """The keys the reload memory keeps for a tab."""
    return tuple(e.key for e in ENTRIES if e.lives in (RELOAD, DATABASE))


def about_the_data_set() -> tuple[str, ...]:
    """The keys a switch of data set drops."""
    return tuple(e.key for e in ENTRIES if e.per_dataset)
