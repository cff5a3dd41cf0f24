"""Column letters and numbers, as A1 references write them."""

from __future__ import annotations

import functools


def column_index(letters: str) -> int:
    """``A`` -> 1, ``K`` -> 11, ``AA`` -> 27."""
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number


@functools.lru_cache(maxsize=1024)
def column_letter(number: int) -> str:
    """1 -> ``A``, 11 -> ``K``, 27 -> ``AA``."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters
