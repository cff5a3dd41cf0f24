"""Tools for the tests, the sample scripts and the benchmarks: filling office workbooks as a
coordinator would, and recalculating files in LibreOffice. Not part of the installed package."""
