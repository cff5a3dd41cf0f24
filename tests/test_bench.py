"""The benchmark's in-process breakdown of harvest follows the engine's API (the bench itself
runs for minutes, so it is not run here; this part calls the engine directly and broke once
when an API it uses changed)."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_harvest_breakdown_runs_on_the_samples(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("benchmark", ROOT / "bench" / "benchmark.py")
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["benchmark"] = bench        # its dataclasses look their module up there
    try:
        spec.loader.exec_module(bench)
    finally:
        del sys.modules["benchmark"]
    returns = tmp_path / "returns"
    returns.mkdir()
    samples = sorted((ROOT / "samples").glob("2569-R12-*.xlsx"))
    for sample in samples:
        shutil.copyfile(sample, returns / sample.name)
    setup = bench.Setup(len(samples), ROOT / "templates" / "master.xlsx",
                        [s.name for s in samples], returns, tmp_path / "ledger.sqlite", None, None)
    took = bench.harvest_phases(setup, tmp_path)
    assert list(took) == ["read_master", "harvest", "record", "write", "commit"]
    assert all(seconds >= 0 for seconds in took.values())
    assert (tmp_path / "phases.xlsx").is_file() and (tmp_path / "phases.json").is_file()
