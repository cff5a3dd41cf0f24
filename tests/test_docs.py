"""The generated documentation matches the code it is generated from."""

from pathlib import Path

from workbook_engine.problems import catalogue_markdown

ROOT = Path(__file__).resolve().parent.parent


def test_problems_md_is_generated_from_the_catalogue() -> None:
    shipped = (ROOT / "docs" / "problems.md").read_text(encoding="utf-8")
    assert shipped == catalogue_markdown(), (
        "docs/problems.md is stale: run `make docs`"
    )
