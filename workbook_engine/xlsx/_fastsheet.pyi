"""Types of the C accelerator ``_fastsheet.c`` (see there)."""

from collections.abc import Callable
from typing import Any

def cells(data: bytes, max_row: int, max_col: int, strings: Callable[[], list[str]],
          cell_type: type[tuple[Any, ...]], bare: bool = False,
          ) -> tuple[dict[tuple[int, int], Any], set[int]] | None:
    ...

def rows(data: bytes, max_row: int, max_col: int, strings: Callable[[], list[str]],
         cell_type: type[tuple[Any, ...]], bare: bool = False, unsaved: object = None,
         ) -> list[tuple[int, tuple[object, ...]]] | None:
    ...

def workbook(data: bytes) -> tuple[str, list[tuple[str | None, str | None, str | None]],
                                   list[tuple[str | None, str | None, str]]] | None:
    ...

def strings(data: bytes) -> list[str] | None:
    ...

def elements(data: bytes, names: tuple[str, ...], attributes: tuple[str, ...],
             ) -> list[tuple[int, tuple[str | None, ...]]] | None:
    ...

def events(data: bytes, scanner: bool) -> list[tuple[Any, ...]] | None:
    ...

def scanned(data: bytes) -> bool:
    ...
