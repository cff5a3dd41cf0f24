"""The hidden ``_meta`` sheet: its keys, signing them with HMAC-SHA256 (CONTRACT section 2),
and writing it into a workbook the engine makes."""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path

from xlsxwriter.workbook import Workbook

KEY_ENV = "WORKBOOK_ENGINE_KEY"
SIGNED_KEYS = ("office", "fiscal_year", "round", "schema_version", "fingerprint")


def load_key(key_file: Path | None) -> bytes | None:
    """The signing key from ``--key-file`` or ``$WORKBOOK_ENGINE_KEY``; None when neither is set.

    Raises:
        OSError: when the key file cannot be read.
        ValueError: when the key is empty.
    """
    if key_file is not None:
        key = key_file.read_bytes().strip()
    elif os.environ.get(KEY_ENV):
        key = os.environ[KEY_ENV].encode("utf-8").strip()
    else:
        return None
    if not key:
        raise ValueError("the signing key is empty")
    return key


def signature(key: bytes, meta: dict[str, str]) -> str:
    """HMAC-SHA256 (hex) over the signed keys of ``meta``, in a fixed order."""
    message = "\n".join(f"{k}={meta.get(k, '')}" for k in SIGNED_KEYS).encode("utf-8")
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def signature_ok(key: bytes, meta: dict[str, str]) -> bool:
    """True when ``meta['signature']`` is the right signature for ``meta`` under ``key``."""
    given = meta.get("signature", "")
    return hmac.compare_digest(given, signature(key, meta))


def write_meta_sheet(wb: Workbook, name: str, rows: dict[str, str], password: str) -> None:
    """The veryHidden, protected sheet ``name`` of ``rows``: a key and a value a row, under
    the headers ``key`` and ``value``."""
    ws = wb.add_worksheet(name)
    ws.write_string(0, 0, "key")
    ws.write_string(0, 1, "value")
    for i, (key, value) in enumerate(rows.items(), start=1):
        ws.write_string(i, 0, key)
        ws.write_string(i, 1, value)
    ws.very_hidden()
    ws.protect(password, {"format_columns": True, "format_rows": True})
