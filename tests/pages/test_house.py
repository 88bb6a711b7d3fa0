"""The house drawn from the imports: the core never reaches up, app_pages holds only pages, every kept key is declared
once in the registry and kept by one page."""

import ast
import re
from collections import defaultdict
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def imports(folder: str) -> dict[str, set[str]]:
    """Each module under `folder` -> the project modules and packages it imports from."""
    found = defaultdict(set)
    for f in (ROOT / folder).rglob("*.py"):
        mod = ".".join(f.relative_to(ROOT).with_suffix("").parts)
        for node in ast.walk(ast.parse(f.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found[mod] |= {node.module} | {f"{node.module}.{a.name}" for a in node.names}
            elif isinstance(node, ast.Import):
                found[mod] |= {a.name for a in node.names}
    return found


def unit(name: str) -> str | None:
    """The room a module belongs to: ui.<package>, or mnistcore.<module or package>; None outside the project."""
    parts = name.split(".")
    if parts[0] not in ("ui", "mnistcore") or len(parts) < 2:
        return None
    if not (ROOT / parts[0] / parts[1]).is_dir() and not (ROOT / parts[0] / f"{parts[1]}.py").exists():
        return None
    return ".".join(parts[:2])


def test_the_core_never_imports_the_interface():
    for mod, names in imports("mnistcore").items():
        assert not any(n.split(".")[0] in ("streamlit", "ui", "app_pages") for n in names), mod


def test_the_parts_never_import_a_page():
    for mod, names in imports("ui").items():
        assert not any(n.split(".")[0] == "app_pages" for n in names), mod


@pytest.mark.parametrize("folder", ["ui", "mnistcore"])
def test_no_circle_between_rooms(folder):
    graph = defaultdict(set)
    for mod, names in imports(folder).items():
        here = unit(mod)
        graph[here] |= {u for n in names if (u := unit(n)) and u != here}
    try:
        list(TopologicalSorter(graph).static_order())
    except CycleError as e:
        pytest.fail(f"these rooms import each other in a circle: {e.args[1]}")


def test_app_pages_holds_only_pages():
    for f in (ROOT / "app_pages").glob("*.py"):
        if f.name != "__init__.py":
            assert "st.title(" in f.read_text(), f"{f.name} is not a page: its part belongs in ui/"


KEEP = re.compile(r'settings\.(?:keep|value|put|drop)\(f?"([A-Za-z_]+)')


def test_every_kept_key_is_declared_once_and_kept_by_one_page():
    from ui.state import registry

    pages = defaultdict(set)
    for f in [ROOT / "app.py", *(ROOT / "app_pages").glob("*.py"), *(ROOT / "ui").rglob("*.py")]:
        for key in KEEP.findall(f.read_text()):
            key = "z0" if key == "z" else key  # the softmax page's ten scores, z0 to z9
            assert key in registry.REGISTRY, f"{f.name} keeps {key!r}, which ui/state/registry.py does not declare"
            if f.parent.name == "app_pages":
                pages[key].add(f.name)
    shared = {k for k, v in pages.items() if len(v) > 1}
    assert not shared, f"one key, one page: {({k: sorted(pages[k]) for k in shared})}"


def test_a_second_declaration_of_a_key_is_refused():
    from ui.state import registry

    with pytest.raises(ValueError, match="declared twice"):
        registry.declare([registry.Kept("img", "x", "tensors"), registry.Kept("img", "y", "reshape")])
