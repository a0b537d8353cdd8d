"""The package's layout is the pipeline: stages import only from earlier stages, never back up,
and no module imports itself through others (imports inside functions count too)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dossier"

# Shared vocabulary every stage may use, then the stages in the order data flows.
FOUNDATION = {"dossier", "dossier.errors", "dossier.models", "dossier.vietnamese",
              "dossier.charset", "dossier.yamlio", "dossier.resources",
              "dossier.schema_messages"}
STAGES = ["law", "campaign", "rules", "documents", "checks", "convert", "output", "sign", "review",
          "reports", "build", "cli"]


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(p): p for p in PACKAGE.rglob("*.py")}


def imports_of(path: Path, known: set[str]) -> set[str]:
    """Every dossier module `path` imports, at module level or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("dossier"))
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if not node.module.startswith("dossier"):
                continue
            for alias in node.names:  # `from dossier.output import cache` imports a module
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in known else node.module)
        elif isinstance(node, ast.ImportFrom) and node.level:
            raise AssertionError(f"{path}: relative import; write dossier.… in full")
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(path, set(known)) - {name} for name, path in known.items()}


def stage(module: str) -> int:
    """-1 for the foundation, else the index of the module's stage package."""
    if module in FOUNDATION:
        return -1
    return STAGES.index(module.split(".")[1])


def test_every_module_belongs_to_a_stage():
    for name in modules():
        assert name in FOUNDATION or name.split(".")[1] in STAGES, (
            f"{name}: not in a stage package; add it to one (or to FOUNDATION with a reason)")


def test_imports_go_down_the_stages():
    backwards = [f"{importer} → {imported}"
                 for importer, targets in graph().items() for imported in targets
                 if stage(imported) > stage(importer)]
    assert not backwards, "imports from a later stage:\n" + "\n".join(sorted(backwards))


def test_foundation_imports_only_foundation():
    for importer, targets in graph().items():
        if importer in FOUNDATION:
            assert targets <= FOUNDATION, f"{importer} imports {targets - FOUNDATION}"


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}  # 1 on the current path, 2 done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path[path.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        path.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle():
    cycle = find_cycle(graph())
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_the_cycle_finder_finds_cycles():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_package_inits_say_what_the_stage_takes_and_gives():
    for name in STAGES:
        init = PACKAGE / name / "__init__.py"
        if name == "build":
            init = PACKAGE / "build.py"
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc, f"{init}: no docstring"


def test_readme_map_matches_the_tree():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    mapped = set(re.findall(r"^\s+(\w+)/ ", readme, flags=re.M))
    packages = {p.parent.name for p in PACKAGE.glob("*/__init__.py")}
    assert packages <= mapped, f"README's map lacks {sorted(packages - mapped)}"
    data = {p.name for p in PACKAGE.iterdir() if p.is_dir() and not (p / "__init__.py").exists()
            and p.name != "__pycache__"}
    assert data <= mapped, f"README's map lacks the data folders {sorted(data - mapped)}"
