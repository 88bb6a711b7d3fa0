"""The widget of each training choice (mnistcore/choices.py), the same on the training page and in the teacher's task."""

from typing import Any

from mnistcore import choices


def widget(where, choice: choices.Choice, initial: Any = None, **kwargs) -> Any:
    """Draw `choice`'s widget in `where` (`st`, a column, a form); it starts at `initial` (else the choice's default)
    unless `kwargs` name a kept key, whose value then rules."""
    start = {}
    if "key" not in kwargs:
        value = choice.default if initial is None else initial
        start = {"index": choice.options.index(value)} if _listed(choice) else {"value": value}
    if choice.help:
        kwargs.setdefault("help", choice.help)
    if choice is choices.MODEL:
        return where.selectbox(choice.label, choice.options, format_func=choice.name, **start, **kwargs)
    if _listed(choice):
        return where.radio(choice.label, choice.options, horizontal=True, format_func=choice.name, **start, **kwargs)
    if choice.options:
        return where.select_slider(choice.label, choice.options, format_func=choice.name, **start, **kwargs)
    if choice.cast is int:
        return where.number_input(choice.label, int(choice.lo), int(choice.hi), **start, **kwargs)
    return where.slider(choice.label, choice.lo, choice.hi, **start, **kwargs)


def _listed(choice: choices.Choice) -> bool:
    """True for a choice among a few named options (a radio or a select box), not a scale of numbers."""
    return bool(choice.options) and isinstance(choice.default, str)
