"""Tensor helpers on small tensors: ranks, reductions, flatten positions, reshape and broadcast explanations."""

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from mnistcore import tensors as T


def test_ranks_of_the_lessons_examples():
    x = torch.rand(16, 28, 28)
    shapes = [tuple(T.run(expr, x=x, i=3).shape) for _, expr, *_ in T.RANKS]
    assert shapes == [(), (28,), (28, 28), (8, 28, 28), (8, 3, 28, 28)]
    assert [len(axes) for *_, axes in T.RANKS] == [0, 1, 2, 3, 4]


def test_run_has_no_builtins():
    with pytest.raises(NameError):
        T.run("open('/etc/passwd')")


def test_colour_keeps_the_image_in_every_channel_scaled_by_its_tint():
    x = torch.rand(5, 28, 28)
    c = T.colour(x)
    assert c.shape == (5, 3, 28, 28)
    torch.testing.assert_close(c[4], x[4][None] * T.TINTS[0][:, None, None])


@pytest.mark.parametrize("op", T.REDUCTIONS)
@pytest.mark.parametrize("axis", [0, 1, 2])
def test_reduce_drops_the_axis_and_matches_the_line_shown(op, axis):
    b = torch.rand(4, 28, 28)
    out = T.reduce(b, op, axis)
    expected = [4, 28, 28]
    expected.pop(axis)
    assert list(out.shape) == expected
    torch.testing.assert_close(T.run(T.reduce_line("b", op, axis), b=b), out)


def test_mean_over_axis_0_is_the_average_image():
    b = torch.stack([torch.zeros(28, 28), torch.ones(28, 28)])
    torch.testing.assert_close(T.reduce(b, "mean", 0), torch.full((28, 28), 0.5))


def test_row_r_lands_at_28r_to_28r_plus_27():
    img = torch.arange(784.0).reshape(28, 28)
    flat = img.reshape(784)
    for r in (0, 5, 27):
        pos = T.flat_positions(r)
        assert (pos.start, pos.stop) == (28 * r, 28 * r + 28)
        torch.testing.assert_close(flat[pos.start:pos.stop], img[r])


@pytest.mark.parametrize("text, shape", [("-1, 28, 28", (-1, 28, 28)), ("(2,-1,28)", (2, -1, 28)), ("16 x 784", (16, 784))])
def test_read_shape_with_minus_one(text, shape):
    assert T.read_shape(text, minus_one=True) == shape


@pytest.mark.parametrize("text", ["", "a, b", "1.5, 2", "x", "x×x"])
def test_read_shape_refuses_nonsense(text):
    with pytest.raises(ValueError):
        T.read_shape(text, minus_one=True)


def test_reshape_infers_minus_one():
    check = T.check_reshape(16 * 784, (-1, 28, 28))
    assert check.ok and check.shape == (16, 28, 28) and "16" in check.explanation


def test_reshape_that_cannot_fit_names_the_numbers():
    check = T.check_reshape(12_544, (5, -1))
    assert not check.ok and "12,544" in check.explanation and "does not divide" in check.explanation
    check = T.check_reshape(12_544, (10, 784))
    assert not check.ok and "7,840" in check.explanation
    assert not T.check_reshape(100, (-1, -1)).ok
    assert not T.check_reshape(100, (0, 100)).ok


def test_reshape_explanations_agree_with_torch():
    x = torch.zeros(16, 784)
    for shape in [(-1, 28, 28), (5, -1), (16, 49, 16), (10, 784), (-1,), (2, 2, -1, 7)]:
        check = T.check_reshape(x.numel(), shape)
        out, err = T.attempt(f"x.reshape{shape}", x=x)
        assert check.ok == (err is None), shape
        if check.ok:
            assert tuple(out.shape) == check.shape


@pytest.mark.parametrize("a, b", [((16, 28, 28), (28, 1)), ((4, 3), (3,)), ((5, 1, 7), (1, 6, 1)), ((3,), (4,)),
                                  ((2, 3), (3, 2)), ((8, 1, 6, 1), (7, 1, 5))])
def test_broadcast_check_agrees_with_torch(a, b):
    check = T.check_broadcast(a, b)
    try:
        expected = tuple((torch.zeros(a) + torch.zeros(b)).shape)
    except RuntimeError:
        expected = None
    assert check.result == expected
    assert check.ok == (expected is not None)
    assert len(check.rows) == max(len(a), len(b))


def test_broadcast_failure_says_which_sizes_clash():
    check = T.check_broadcast((2, 3), (3, 2))
    assert not check.ok and "3 ≠ 2" in check.rows[-1][3] and "cannot be broadcast" in check.explanation


def test_attempt_reports_pytorchs_complaint():
    out, err = T.attempt("img[::-1]", img=torch.zeros(28, 28))
    assert out is None and "ValueError" in err
    out, err = T.attempt("x.permute(1, 0).view(784)", x=torch.zeros(28, 28))
    assert out is None and "view size is not compatible" in err


def test_every_slice_example_runs_or_fails_the_way_the_page_says():
    img = torch.rand(28, 28)
    for expr, words in T.SLICES.items():
        out, err = T.attempt(expr, img=img)
        assert (err is not None) == ("refuses" in words), expr


def test_the_slice_examples_work_in_a_fresh_process():
    # torch imports a module lazily on a tensor's first comparison, from C, through the running frame's builtins:
    # in a fresh server the mask examples failed with KeyError: '__import__' until another page had compared tensors
    code = ("import torch; from mnistcore import tensors as T; img = torch.rand(28, 28); "
            "print([T.attempt(e, img=img)[1] for e in ('img > 0.5', 'img[img > 0.5]')])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                         cwd=Path(__file__).resolve().parents[2])
    assert out.stdout.strip() == "[None, None]", out.stdout + out.stderr


def test_a_shown_line_imports_nothing_but_torch():
    with pytest.raises(ImportError, match="may not import 'os'"):
        T.run("__import__('os')")


def test_contiguity_after_permute():
    x = torch.zeros(28, 28)
    assert T.contiguity(x)["contiguous"] == "True"
    assert T.contiguity(x.permute(1, 0)) == {"shape": "(28, 28)", "strides": "(1, 28)", "contiguous": "False"}
