"""Typed PyTorch, answered without running it: a small grammar over a page's named tensors.

A learner's line is parsed by `ast.parse` (which only reads it) and walked node by node. Only these nodes
are understood: names of the page's tensors, numbers, indexing and slicing (with `None` and `...`),
`.shape` and `.ndim`, the methods in `METHODS` with whole-number arguments, unary minus, and + - * / ** @.
Everything else is refused with a plain reason. `eval` and `exec` are never called. Before any tensor
operation its result is worked out on the "meta" device (shapes only, no numbers), so a line that would
build 10^12 numbers, or a product of 10^10 multiply-adds, is refused before a byte or a cycle is spent on it.
"""

import ast
import math
import operator
from typing import Any

import torch

MAX_CHARS = 200  # a line to type, not a program
MAX_NESTING = 12  # brackets inside brackets
MAX_ELEMENTS = 10_000_000  # the largest tensor a line may make (40 MB of floats)
MAX_WORK = 200_000_000  # multiply-adds one @ may cost
MAX_NUMBER = 1e15  # whole numbers beyond this are no index and no shape
METHODS = {"reshape", "view", "permute", "transpose", "sum", "mean", "max", "min", "argmax", "flatten",
           "squeeze", "unsqueeze"}
ATTRIBUTES = {"shape", "ndim"}
KEYWORDS = {"dim", "keepdim"}
OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
             ast.Pow: operator.pow, ast.MatMult: operator.matmul}
GRAMMAR = ("indexing and slicing, None, .shape, .ndim, the methods " + ", ".join(sorted(METHODS)) +
           ", and + - * / ** @ with numbers")
NODE_WORDS = {ast.Call: "a call of anything but a tensor method", ast.Lambda: "a lambda", ast.Compare: "a comparison",
              ast.BoolOp: "and / or", ast.IfExp: "if ... else", ast.Dict: "a dictionary", ast.Set: "a set",
              ast.ListComp: "a list comprehension", ast.GeneratorExp: "a generator", ast.NamedExpr: ":=",
              ast.JoinedStr: "an f-string", ast.Starred: "*", ast.Await: "await", ast.Yield: "yield"}

Value = torch.Tensor | torch.Size | tuple | int | float | None


class ExpressionError(ValueError):
    """A line this grammar refuses, or one PyTorch cannot compute; the message says why in plain words."""


def evaluate(text: str, names: dict[str, Any]) -> Value:
    """The value of `text` over the tensors in `names`; ExpressionError with a reason when it is refused."""
    if not isinstance(text, str) or not text.strip():
        raise ExpressionError("type a line first, for example x_imgs[0].shape")
    if len(text) > MAX_CHARS:
        raise ExpressionError(f"that is {len(text):,} characters; a line here is at most {MAX_CHARS}")
    depth = deepest = 0
    for ch in text:  # counted before parsing: Python's parser recurses once per bracket
        depth += (ch in "([{") - (ch in ")]}")
        deepest = max(deepest, depth)
    if deepest > MAX_NESTING:
        raise ExpressionError(f"brackets nest {deepest} deep; at most {MAX_NESTING} here")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        raise ExpressionError(f"that is not a Python expression ({e.msg})") from None
    return _Walker(names).value(tree.body)


def describe(value: Value) -> str:
    """A value in a few words: a tensor by its shape, a shape as a tuple, a number as itself."""
    if isinstance(value, torch.Tensor):
        return f"a tensor of shape {tuple(value.shape)}" if value.ndim else f"the number {value.item():.6g}"
    if isinstance(value, torch.Size):
        return str(tuple(value))
    return str(value)


def _name_of(node: ast.AST) -> str:
    """What a node is, for a refusal."""
    return NODE_WORDS.get(type(node), type(node).__name__)


class _Walker:
    """Computes one parsed line, node by node, over the tensors it was given."""

    def __init__(self, names: dict[str, Any]):
        """Keep the names the line may use."""
        self.names = names

    def value(self, node: ast.AST) -> Value:
        """The value of one node of the line."""
        if isinstance(node, ast.Constant):
            return self.constant(node.value)
        if isinstance(node, ast.Name):
            if node.id not in self.names:
                raise ExpressionError(f"{node.id} is not a name on this page; the names here are "
                                      f"{', '.join(sorted(self.names)) or 'none: type a number'}")
            return self.names[node.id]
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
            operand = self.value(node.operand)
            if not isinstance(operand, torch.Tensor) and (isinstance(operand, bool) or not isinstance(operand, int | float)):
                raise ExpressionError(f"a minus sign works on tensors and numbers, not on {describe(operand)}")
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
            return self.binary(node.op, self.value(node.left), self.value(node.right))
        if isinstance(node, ast.Attribute):
            return self.attribute(node)
        if isinstance(node, ast.Subscript):
            return self.index(self.value(node.value), node.slice)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            return self.method(node)
        if isinstance(node, (ast.Tuple, ast.List)):
            return tuple(self.whole(e) for e in node.elts)
        raise ExpressionError(f"{_name_of(node)} is not part of this grammar; it allows {GRAMMAR}")

    @staticmethod
    def constant(v: Any) -> Value:
        """A number, None or ...; never text."""
        if v is None or v is Ellipsis or isinstance(v, bool):
            return v
        if isinstance(v, int):
            if abs(v) > MAX_NUMBER:
                raise ExpressionError(f"{v:.3g} is too large a number for this page")
            return v
        if isinstance(v, float):
            return v
        raise ExpressionError("text in quotes is not part of this grammar; type numbers and the page's names")

    def whole(self, node: ast.AST) -> int:
        """A whole number (an index, an axis, a size), negative allowed."""
        v = self.value(node)
        if isinstance(v, bool) or not isinstance(v, int):
            raise ExpressionError(f"{ast.unparse(node)} should be a whole number here")
        return v

    def attribute(self, node: ast.Attribute) -> Value:
        """.shape or .ndim of a tensor."""
        if node.attr.startswith("_"):
            raise ExpressionError(f"names that start with _ ({node.attr}) are not part of this grammar")
        if node.attr not in ATTRIBUTES:
            raise ExpressionError(f".{node.attr} is not part of this grammar; of a tensor it knows .shape and .ndim, "
                                  f"and the methods {', '.join(sorted(METHODS))}")
        owner = self.value(node.value)
        if not isinstance(owner, torch.Tensor):
            raise ExpressionError(f".{node.attr} belongs to a tensor, and {ast.unparse(node.value)} is not one")
        return getattr(owner, node.attr)

    def index(self, owner: Value, node: ast.AST) -> Value:
        """owner[...] with whole numbers, slices, None and ..., never a tensor index."""
        parts = node.elts if isinstance(node, ast.Tuple) else [node]
        key = tuple(self.index_part(p) for p in parts)
        key = key[0] if len(key) == 1 and not isinstance(node, ast.Tuple) else key
        if isinstance(owner, torch.Size | tuple):
            if not isinstance(key, int | slice):
                raise ExpressionError("a shape is indexed by one whole number or one slice")
        elif not isinstance(owner, torch.Tensor):
            raise ExpressionError(f"only tensors and shapes can be indexed, not {describe(owner)}")
        try:
            return owner[key]
        except (IndexError, RuntimeError, TypeError, ValueError) as e:
            raise ExpressionError(_first_line(e)) from None

    def index_part(self, node: ast.AST) -> int | slice | None:
        """One part of an index: a whole number, a slice, None or ..."""
        if isinstance(node, ast.Slice):
            ends = [None if n is None else self.whole(n) for n in (node.lower, node.upper, node.step)]
            if ends[2] is not None and ends[2] <= 0:
                raise ExpressionError("a slice's step must be positive in PyTorch (x[::-1] works in NumPy, not here)")
            return slice(*ends)
        v = self.value(node)
        if v is None or v is Ellipsis or (isinstance(v, int) and not isinstance(v, bool)):
            return v
        raise ExpressionError(f"{ast.unparse(node)} cannot index here: use whole numbers, slices, None or ...")

    def method(self, node: ast.Call) -> Value:
        """tensor.method(whole numbers..., dim=..., keepdim=...), its result's size checked first."""
        name = node.func.attr
        if name.startswith("_"):
            raise ExpressionError(f"names that start with _ ({name}) are not part of this grammar")
        if name not in METHODS:
            raise ExpressionError(f".{name}() is not part of this grammar; the methods are "
                                  f"{', '.join(sorted(METHODS))}")
        owner = self.value(node.func.value)
        if not isinstance(owner, torch.Tensor):
            raise ExpressionError(f".{name}() belongs to a tensor, and {ast.unparse(node.func.value)} is not one")
        args = [self.value(a) if isinstance(a, (ast.Tuple, ast.List)) else self.whole(a) for a in node.args]
        kwargs = {}
        for k in node.keywords:
            if k.arg not in KEYWORDS:
                raise ExpressionError(f"{k.arg or '**'}= is not part of this grammar; the keywords are dim= and keepdim=")
            kwargs[k.arg] = self.value(k.value) if k.arg == "keepdim" else self.whole(k.value)
        if name in ("reshape", "view"):
            sizes = args[0] if len(args) == 1 and isinstance(args[0], tuple) else tuple(args)
            if math.prod(abs(s) for s in sizes if s) > MAX_ELEMENTS:
                raise ExpressionError(f"that shape holds {math.prod(abs(s) for s in sizes):.3g} numbers; "
                                      f"at most {MAX_ELEMENTS:,} here")
        call = operator.methodcaller(name, *args, **kwargs)
        result = self.checked(call, owner)
        return result.values if name in ("max", "min") and isinstance(result, tuple) else result

    def binary(self, op: ast.operator, left: Value, right: Value) -> Value:
        """left (op) right, for numbers and tensors; sizes and costs are checked before computing."""
        fn = OPERATORS[type(op)]
        for side in (left, right):
            if not isinstance(side, torch.Tensor) and (isinstance(side, bool) or not isinstance(side, int | float)):
                raise ExpressionError(f"arithmetic works on tensors and numbers, not on {describe(side)}")
        if not isinstance(left, torch.Tensor) and not isinstance(right, torch.Tensor):
            try:
                if isinstance(op, ast.Pow) and not (isinstance(left, int) and isinstance(right, int) and 0 <= right <= 64):
                    out = float(left) ** float(right)  # floats: 9 ** 9 ** 9 overflows at once instead of running on
                else:
                    out = fn(left, right)  # whole numbers stay whole: 10 ** 6 is a size (at most 10^15 ** 64: instant)
            except ZeroDivisionError:
                raise ExpressionError("that divides by zero") from None
            except OverflowError:
                raise ExpressionError("that number is too large for this page") from None
            if isinstance(out, complex):
                raise ExpressionError("that power has no real answer ((-8) ** 0.5 is not a real number)")
            if isinstance(out, int) and abs(out) > MAX_NUMBER:
                raise ExpressionError(f"{out:.3g} is too large a number for this page")
            return out
        if isinstance(op, ast.MatMult):
            a, b = (t if isinstance(t, torch.Tensor) else torch.tensor(t) for t in (left, right))
            return self.checked(fn, a, b, work=lambda out: out.numel() * (a.shape[-1] if a.ndim else 1))
        return self.checked(fn, left, right)

    @staticmethod
    def checked(fn, *operands, work=None) -> Any:
        """fn(*operands), after the same call on shapes alone (the "meta" device) said its result is small enough and,
        given `work` (the result's shape -> multiply-adds), cheap enough: nothing is computed before both checks."""
        meta = [torch.empty(t.shape, dtype=t.dtype, device="meta") if isinstance(t, torch.Tensor) else t for t in operands]
        try:
            shape_only = fn(*meta)
            outs = shape_only if isinstance(shape_only, tuple) else (shape_only,)
            size = max((o.numel() for o in outs if isinstance(o, torch.Tensor)), default=0)
            if size > MAX_ELEMENTS:
                raise ExpressionError(f"the result would hold {size:,} numbers; at most {MAX_ELEMENTS:,} here")
            cost = work(shape_only) if work is not None else 0
            if cost > MAX_WORK:
                raise ExpressionError(f"that product costs about {cost:.3g} multiply-adds; at most {MAX_WORK:.0e} here")
            return fn(*operands)
        except ExpressionError:
            raise
        except (RuntimeError, IndexError, TypeError, ValueError, NotImplementedError) as e:
            raise ExpressionError(_first_line(e)) from None


def _first_line(e: Exception) -> str:
    """PyTorch's reason, first line only (its messages can run to a page)."""
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:300]
