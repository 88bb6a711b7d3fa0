"""The app's colours, as the three common colour-vision deficiencies see them (Machado et al. 2009)."""

import numpy as np
import pytest

from mnistcore import figures
from mnistcore.figures import colour_vision

PLAIN = 15  # CIELAB distance told apart at a glance (2.3 is just noticeable)


def seen(a, b, kind: str) -> float:
    """How far apart two sRGB colours look with deficiency `kind`."""
    return float(colour_vision.difference(colour_vision.simulate(a, kind), colour_vision.simulate(b, kind)))


def test_the_simulation_matches_its_known_points():
    white, black = np.array([255, 255, 255]), np.array([0, 0, 0])
    for kind in colour_vision.MACHADO:  # greys stay grey: each matrix's rows add up to 1
        assert np.abs(colour_vision.simulate(white, kind).astype(int) - 255).max() <= 1
        assert colour_vision.simulate(black, kind).tolist() == [0, 0, 0]
    red, green = (214, 39, 40), (44, 160, 44)
    assert seen(red, green, "deuteranopia") < 10 < seen(red, green, "tritanopia")  # the classic confusion, and not for tritans
    assert colour_vision.difference(np.array(red), np.array(red)) == 0


@pytest.mark.parametrize("kind", list(colour_vision.MACHADO))
def test_for_and_against_stay_apart_at_every_strength(kind):
    rgb = figures.DIVERGING_RGB
    for k in range(len(rgb) // 2):  # the k-th step from each end: as strong for as against
        assert seen(rgb[k], rgb[-1 - k], kind) > PLAIN, (kind, rgb[k], rgb[-1 - k])


@pytest.mark.parametrize("kind", list(colour_vision.MACHADO))
def test_the_two_optimizers_and_train_against_valid_stay_apart(kind):
    adam, sgd = (colour_vision.hex_rgb(c) for c in figures.OPTIMIZER_COLORS.values())
    assert seen(adam, sgd, kind) > PLAIN
    first, second = (colour_vision.hex_rgb(c) for c in figures.CLASS_COLORS[:2])  # train and valid curves
    assert seen(first, second, kind) > PLAIN


def test_lines_that_look_alike_to_someone_differ_in_dash_too():
    colours = [colour_vision.hex_rgb(c) for c in figures.CLASS_COLORS[:3]]
    alike = min(seen(colours[1], colours[2], kind) for kind in colour_vision.MACHADO)
    assert alike < PLAIN  # orange and green, to a protanope: why the dashes are there
    fig = figures.curves({name: ([0, 1], [1, 0]) for name in ("raw", "divided by 255", "normalized")})
    assert len({trace.line.dash for trace in fig.data}) == 3
