"""``propose``: one proposal workbook per office, in parallel, plus ``manifest.csv``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import workbook_engine.workers as workers

from ..forms.generate import GeneratedFile, file_sha256, write_per_office
from ..model import Master
from ..xlsx.outputs import atomic
from . import layout as P
from .workbook import ProposalContext, write_proposal_workbook


def propose_office(master: Master, office: str, out_dir: Path, blank_rows: int
                   ) -> GeneratedFile:
    """Write one office's proposal workbook into ``out_dir`` atomically.

    Returns:
        The manifest row of the written file.
    """
    ctx = ProposalContext.build(master, office, blank_rows)
    name = P.file_name(master.settings.fiscal_year, office)
    target = out_dir / name
    with atomic(target) as temporary:
        write_proposal_workbook(ctx, temporary)
    return GeneratedFile(office, name, ctx.fingerprint, file_sha256(target))


def _propose_chunk(offices: list[str]) -> list[GeneratedFile]:
    master, out_dir, blank_rows = workers.shared()
    return [propose_office(master, o, out_dir, blank_rows) for o in offices]


def propose(master: Master, out_dir: str | Path, offices: Sequence[str] | None = None,
            blank_rows: int = P.DEFAULT_BLANK_ROWS, jobs: int | None = None,
            progress: Callable[[int], None] | None = None) -> list[GeneratedFile]:
    """Write the proposal workbooks of ``offices`` (default: all) and ``manifest.csv``.

    Args:
        master: a valid master.
        out_dir: the output folder (created if missing).
        offices: office codes, in master order when None.
        blank_rows: rows for new group-2 KPIs (0 to 200).
        jobs: worker processes (default: every core).
        progress: called with the number of offices finished so far.

    Raises:
        ValueError: for an unknown office code or a number of rows out of range.
        OutputError: when the folder cannot be written.
    """
    if not 0 <= blank_rows <= P.MAX_BLANK_ROWS:
        raise ValueError(f"rows must be 0-{P.MAX_BLANK_ROWS}, got {blank_rows}")
    return write_per_office(master, offices, Path(out_dir), _propose_chunk,
                            (master, Path(out_dir), blank_rows), jobs, progress)
