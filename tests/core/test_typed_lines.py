"""The typed-PyTorch grammar: right lines computed, hostile lines refused in words, fast, and never run."""

import ast
import time

import pytest
import torch

from mnistcore.tutor import typed_lines
from mnistcore.tutor.typed_lines import ExpressionError, evaluate

X_IMGS = torch.rand(64, 28, 28)
NAMES = {"x_imgs": X_IMGS, "x": X_IMGS.reshape(64, 784)}


@pytest.mark.parametrize("line, shape", [
    ("x_imgs[0, 10:15, 10:15]", (5, 5)),
    ("x_imgs.mean(0)", (28, 28)),
    ("x_imgs.sum(dim=2, keepdim=True)", (64, 28, 1)),
    ("x_imgs.max(dim=0)", (28, 28)),
    ("x.reshape(-1, 28, 28)[5]", (28, 28)),
    ("x.view(64, 28, 28).permute(0, 2, 1)[0, :, None]", (28, 1, 28)),
    ("x_imgs[..., 0]", (64, 28)),
    ("x @ x.transpose(0, 1)", (64, 64)),
    ("(x - x.mean()) / 2 ** 0.5", (64, 784)),
    ("x_imgs[None]", (1, 64, 28, 28)),
])
def test_lines_of_the_grammar_are_computed_like_pytorch(line, shape):
    assert tuple(evaluate(line, NAMES).shape) == shape


def test_values_agree_with_pytorch_itself():
    assert torch.equal(evaluate("x.reshape(-1, 28, 28)[5]", NAMES), X_IMGS[5])
    assert torch.equal(evaluate("x_imgs.max(dim=1)", NAMES), X_IMGS.max(dim=1).values)
    assert evaluate("x_imgs.shape[1]", NAMES) == 28 and evaluate("x_imgs.ndim", NAMES) == 3
    assert evaluate("1/10", {}) == 0.1 and evaluate("10 ** 6", {}) == 10**6


HOSTILE = {
    "__import__('os')": "a call of anything but a tensor method",
    "__import__('os').system('true')": "is not part of this grammar",
    "x.__class__": "start with _",
    "x.__class__.__mro__[1].__subclasses__()": "start with _",
    "x.reshape(10**12)": "at most 10,000,000",
    "x.view(1000000, 1000000)": "at most 10,000,000",
    "x[:, None, None] * x[None, :, :, None]": "at most 10,000,000",
    "(" * 10_000 + "x" + ")" * 10_000: "at most 200",
    "[" * 40 + "]" * 40: "nest 40 deep",
    "": "type a line first",
    "x" * 1_000_000: "at most 200",
    "9 ** 9 ** 9": "too large",
    "open('/etc/passwd')": "a call of anything but a tensor method",
    "lambda: 0": "a lambda",
    "[c for c in 'ab']": "a list comprehension",
    "x.numpy()": ".numpy() is not part of this grammar",
    "'text'": "text in quotes",
    "y": "y is not a name on this page",
    "torch.zeros(3)": ".zeros() is not part of this grammar",
    "torch": "torch is not a name on this page",
    "x[::-1]": "step must be positive",
    "x[99]": "out of bounds",
    "x if x else x": "if ... else",
    "x.reshape(2, 3)": "invalid for input of size",
}


@pytest.mark.parametrize("line", list(HOSTILE), ids=lambda line: line[:40])
def test_hostile_lines_get_words_within_100_ms_and_never_run(line, monkeypatch):
    calls = []
    monkeypatch.setattr("builtins.eval", lambda *a, **k: calls.append(a))  # a spy: the grammar must never call it
    monkeypatch.setattr("builtins.exec", lambda *a, **k: calls.append(a))
    evaluate("x.sum(0)", NAMES)  # PyTorch's first reduction loads its kernels: not the grammar's time
    start = time.perf_counter()
    with pytest.raises(ExpressionError) as refused:
        evaluate(line, NAMES)
    assert time.perf_counter() - start < 0.1
    assert HOSTILE[line] in str(refused.value)
    assert calls == []


def test_the_module_has_no_eval_or_exec_in_it():
    source = open(typed_lines.__file__).read()
    assert "eval(" not in source.replace("evaluate(", "") and "exec(" not in source


def test_a_costly_product_is_refused_from_its_shapes_before_any_number_is_computed(monkeypatch):
    # issue 43: two (3162, 3162) operands, each within the size bound; their product 3.16e10 multiply-adds
    side = "(x[...,None].argmax(2).flatten()[:3162,None]*x[...,None].argmax(2).flatten()[:3162])"
    devices = []

    def spy(a, b):
        devices.append((a.device.type, b.device.type))
        return a @ b

    monkeypatch.setitem(typed_lines.OPERATORS, ast.MatMult, spy)
    with pytest.raises(ExpressionError, match=r"3.16e\+10 multiply-adds; at most 2e\+08"):
        evaluate(f"{side} @ {side}", NAMES)
    assert devices == [("meta", "meta")]  # the product's shape alone was worked out, on the meta device
    assert tuple(evaluate("x @ x.transpose(0, 1)", NAMES).shape) == (64, 64)  # a cheap one still computes
    assert devices[1:] == [("meta", "meta"), ("cpu", "cpu")]
