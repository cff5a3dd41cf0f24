"""The package's shape: no import cycle between its modules, and only the kinds ask which
kind a KPI is."""

from __future__ import annotations

import ast
from pathlib import Path

import click
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workbook_engine"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported(path: Path, name: str) -> set[str]:
    """The package modules a module imports anywhere: when it is loaded, inside functions and
    for type checking alike."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names
                         if alias.name.startswith(f"{PACKAGE.name}."))
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")
            base = base[:len(base) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            candidates = [f"{target}.{alias.name}" for alias in node.names] + [target]
            found.update(candidates)
    return found


def test_there_is_no_import_cycle() -> None:
    modules = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    # ``from .. import fiscal`` runs the parent package too: an edge to it, which would close a
    # cycle through the package's __init__ (it imports generate, harvest, the summary)
    graph = {name: {m for m in imported(path, name) if m in modules and m != name}
             for name, path in modules.items()}
    seen: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        if seen.get(name) == 2:
            return
        assert seen.get(name) != 1, " -> ".join([*trail, name])
        seen[name] = 1
        for other in sorted(graph[name]):
            visit(other, [*trail, name])
        seen[name] = 2

    for name in sorted(graph):
        visit(name, [])


def test_only_the_kinds_ask_which_kind_a_kpi_is() -> None:
    asking = []
    for path in PACKAGE.rglob("*.py"):
        if path.name == "kinds.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            name = node.id if isinstance(node, ast.Name) else \
                node.attr if isinstance(node, ast.Attribute) else None
            if name in KIND_NAMES:
                asking.append(f"{path.name}:{node.lineno}: {name}")
    assert asking == []


# the kinds' objects and classes (the master's vocabulary, KIND_MILESTONE and the like, is not)
KIND_NAMES = {"QUANTITATIVE", "MILESTONE", "INHERITED", "Quantitative", "Milestone", "Inherited"}


def test_a_script_needs_one_import() -> None:
    import workbook_engine
    import workbook_engine.harvesting.run as run

    assert workbook_engine.harvest is run.harvest
    assert {"generate", "harvest", "write_summary", "SummaryWriter", "HarvestReport",
            "load_master", "Problem", "Code", "OutputError"} <= set(workbook_engine.__all__)


def test_column_letters_and_numbers_are_one_and_the_same() -> None:
    from openpyxl.utils import get_column_letter

    from workbook_engine.xlsx.cells import column_index, column_letter

    for number in (1, 26, 27, 52, 53, 702, 703, 16384):
        assert column_letter(number) == get_column_letter(number)
        assert column_index(column_letter(number)) == number


def test_every_name_a_script_imports_is_there() -> None:
    """The package's names are loaded when first used: each one of ``__all__`` is found."""
    import workbook_engine

    for name in workbook_engine.__all__:
        assert getattr(workbook_engine, name) is not None, name
    with pytest.raises(AttributeError):
        _ = workbook_engine.no_such_name     # type: ignore[attr-defined]


def loaded_when_started(*modules: str) -> list[str]:
    """Which of ``modules`` the command line loads as it starts (in a fresh process)."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import sys, workbook_engine.cli.commands; "
                           f"print(' '.join(m for m in {modules!r} if m in sys.modules))"],
                          capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_the_command_line_starts_without_pandas() -> None:
    """pandas (~0.3 s and ~100 MB) is loaded by the history command only, not by every
    command as it starts."""
    assert loaded_when_started("pandas") == []


def test_the_command_line_starts_without_other_commands_modules() -> None:
    """A command loads its own modules: a harvest does not wait for the forms', the outbox's or
    the proposals' to load; the commands defined elsewhere are still listed and found."""
    from workbook_engine.cli.commands import ELSEWHERE, cli

    assert loaded_when_started("workbook_engine.forms.generate", "workbook_engine.outbox.run",
                               "workbook_engine.proposals.collect",
                               "workbook_engine.cli.outbox") == []
    with click.Context(cli) as ctx:
        listed = cli.list_commands(ctx)
        for name in ELSEWHERE:
            command = cli.get_command(ctx, name)
            assert name in listed and command is not None and command.name == name
