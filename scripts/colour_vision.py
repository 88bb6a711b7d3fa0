"""Screenshots as the common colour-vision deficiencies see them: `python scripts/colour_vision.py shot.png ...`
writes shot.protanopia.png, shot.deuteranopia.png and shot.tritanopia.png beside each, to look at."""

import sys
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from mnistcore import colour_vision  # noqa: E402


def main(paths: list[str]) -> None:
    """Write the three simulations of every screenshot in `paths`."""
    for path in map(Path, paths):
        rgb = np.asarray(Image.open(path).convert("RGB"))  # (H, W, 3)
        for kind in colour_vision.MACHADO:
            out = path.with_suffix(f".{kind}.png")
            Image.fromarray(colour_vision.simulate(rgb, kind)).save(out)
            print(out)


if __name__ == "__main__":
    main(sys.argv[1:])
