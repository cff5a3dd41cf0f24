"""Builds the optional C accelerator of the reader (workbook_engine/xlsx/_fastsheet.c), and puts
the shipped master and samples into the package, for ``workbook-engine demo`` from an install.

Everything else is in pyproject.toml. Without a C compiler the build of the extension fails
quietly (``optional=True``) and the pure-Python reader, which gives the same results, is used.
"""

import shutil
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_py import build_py

SHIPPED = ["templates/master.xlsx", *sorted(str(p) for p in Path("samples").rglob("*.xlsx"))]


class BuildWithShippedFiles(build_py):
    """build_py, and the shipped master and samples copied to ``workbook_engine/data``."""

    def run(self) -> None:
        super().run()
        for name in SHIPPED:
            target = Path(self.build_lib) / "workbook_engine" / "data" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(name, target)


setup(ext_modules=[Extension("workbook_engine.xlsx._fastsheet",
                             ["workbook_engine/xlsx/_fastsheet.c",
                              "workbook_engine/xlsx/_xmlscan.c"],
                             depends=["workbook_engine/xlsx/_xmlscan.h"], optional=True)],
      cmdclass={"build_py": BuildWithShippedFiles})
