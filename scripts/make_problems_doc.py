"""Write docs/problems.md from the problem catalogue (``make docs``)."""

from pathlib import Path

from workbook_engine.problems import catalogue_markdown

TARGET = Path(__file__).resolve().parent.parent / "docs" / "problems.md"

if __name__ == "__main__":
    TARGET.write_text(catalogue_markdown(), encoding="utf-8")
    print(f"wrote {TARGET}")
