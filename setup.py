"""Builds the optional C accelerator of the reader (workbook_engine/_fastsheet.c).

Everything else is in pyproject.toml. Without a C compiler the build of the extension fails
quietly (``optional=True``) and the pure-Python reader, which gives the same results, is used.
"""

from setuptools import Extension, setup

setup(ext_modules=[Extension("workbook_engine._fastsheet", ["workbook_engine/_fastsheet.c"],
                             optional=True)])
