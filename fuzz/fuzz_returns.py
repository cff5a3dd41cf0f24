"""Fuzz the harvest with mutated real returns for a bounded time (``make fuzz``).

Each input is one of the shipped sample returns, mutated at one of three levels:

* bytes: random bytes of the file flipped, cut or duplicated (corrupt zips, bad CRCs);
* XML: one part of the workbook (a sheet, the shared strings, workbook.xml, the defined names,
  the ``_meta`` sheet) mutated as text (spans deleted, duplicated or replaced, numbers changed,
  entity declarations and huge cell references inserted) and the zip rebuilt;
* structure: a part deleted, renamed or duplicated, a huge ``<dimension>`` claimed.

For every input the per-file checker is run *without* its last-resort ``except Exception``
(so an unanticipated exception counts as a finding, with its traceback), and then
:func:`read_return`, which must give exactly one outcome. Slow inputs (over ``--slow`` seconds)
are findings too. At the end a batch of the mutated files is harvested together and every file
must appear exactly once in the result. Exit 1 when anything was found.
"""

from __future__ import annotations

import argparse
import collections
import io
import random
import re
import sys
import tempfile
import time
import traceback
import zipfile
from collections.abc import Callable
from pathlib import Path

from workbook_engine.devkit.testing import candidate_file
from workbook_engine.harvesting.intake import Archives, Candidate
from workbook_engine.harvesting.returns import _Check, read_return
from workbook_engine.harvesting.run import harvest
from workbook_engine.master.reader import load_master

ROOT = Path(__file__).resolve().parent.parent
NUMBER = re.compile(rb"-?\d+(\.\d+)?")
NASTY = [b"<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;\">]>",
         b"<c r=\"XFD1048576\"><v>1</v></c>", b"<dimension ref=\"A1:XFD1048576\"/>",
         b"&#0;", b"\xff\xfe", b"<v>#DIV/0!</v>", b"t=\"e\"", b"t=\"inlineStr\"", b"<f>1/0</f>",
         b"=HYPERLINK(\"http://x\")", b"\xe0\xb9\x98\xe0\xb9\x95", b"</sheetData>",
         b"<row r=\"0\">",
         b"r=\"A0\"", b"r=\"K-1\"", b"9" * 400]

Mutator = Callable[[random.Random, bytes], bytes]


def mutate_bytes(rng: random.Random, data: bytes) -> bytes:
    """Flip, cut or duplicate raw bytes of the file."""
    buf = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        choice = rng.random()
        at = rng.randrange(len(buf))
        if choice < 0.6:
            buf[at] = rng.randrange(256)
        elif choice < 0.8:
            del buf[at:at + rng.randint(1, 4096)]
        else:
            buf[at:at] = buf[at:at + rng.randint(1, 512)]
        if not buf:
            break
    return bytes(buf)


def mutate_text(rng: random.Random, xml: bytes) -> bytes:
    """Mutate one XML part as text."""
    if not xml:
        return rng.choice(NASTY)
    choice = rng.random()
    a = rng.randrange(len(xml))
    b = min(len(xml), a + rng.randint(1, 200))
    if choice < 0.25:
        return xml[:a] + xml[b:]
    if choice < 0.4:
        return xml[:b] + xml[a:b] * rng.randint(1, 50) + xml[b:]
    if choice < 0.7:
        numbers = list(NUMBER.finditer(xml))
        if numbers:
            m = rng.choice(numbers)
            new = rng.choice([b"-1", b"0", b"1e308", b"99999999", b"3.5", b"NaN", b"1048577",
                              str(rng.randint(-10**6, 10**6)).encode()])
            return xml[:m.start()] + new + xml[m.end():]
    if choice < 0.85 and xml.startswith(b"<?xml"):
        end = xml.index(b"?>") + 2
        return xml[:end] + NASTY[0] + xml[end:]
    return xml[:a] + rng.choice(NASTY) + xml[a:]


def rebuild(parts: list[tuple[zipfile.ZipInfo, bytes]]) -> bytes:
    """A zip of ``parts`` (deflated)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, content in parts:
            archive.writestr(info.filename, content)
    return out.getvalue()


def mutate_part(rng: random.Random, data: bytes) -> bytes:
    """Mutate one XML part of the workbook and re-zip it."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    xml = [i for i, (info, _) in enumerate(parts) if info.filename.endswith((".xml", ".rels"))]
    index = rng.choice(xml)
    info, content = parts[index]
    for _ in range(rng.randint(1, 3)):
        content = mutate_text(rng, content)
    parts[index] = (info, content)
    return rebuild(parts)


def mutate_structure(rng: random.Random, data: bytes) -> bytes:
    """Delete, rename or duplicate a part of the workbook."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        parts = [(info, archive.read(info)) for info in archive.infolist()]
    index = rng.randrange(len(parts))
    info, content = parts[index]
    choice = rng.random()
    if choice < 0.4:
        del parts[index]
    elif choice < 0.7:
        parts[index] = (zipfile.ZipInfo(info.filename.replace("sheet", "sheetX")), content)
    else:
        parts.append((zipfile.ZipInfo(f"xl/worksheets/sheet{rng.randint(1, 9)}.xml"), content))
    with_names = {}
    for part in parts:             # a zip with two entries of one name is a mutation of its own
        with_names.setdefault(part[0].filename, part)
    return rebuild(list(with_names.values()))


MUTATORS: dict[str, Mutator] = {"bytes": mutate_bytes, "xml": mutate_part,
                                "structure": mutate_structure}


def main(argv: list[str] | None = None) -> int:
    """Run the fuzzer; print what it tried and found; 1 when something was found."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="time budget")
    parser.add_argument("--seed", type=int, default=2569)
    parser.add_argument("--slow", type=float, default=2.0, help="seconds that count as too slow")
    parser.add_argument("--batch", type=int, default=60, help="files harvested together at the end")
    args = parser.parse_args(argv)

    master = load_master(ROOT / "templates" / "master.xlsx")
    seeds = sorted((ROOT / "samples").glob("*.xlsx"))
    originals = {p.name: p.read_bytes() for p in seeds}
    rng = random.Random(args.seed)
    tried: collections.Counter[str] = collections.Counter()
    statuses: collections.Counter[str] = collections.Counter()
    codes: collections.Counter[str] = collections.Counter()
    findings: list[str] = []
    kept: list[Candidate] = []
    slowest = 0.0
    deadline = time.monotonic() + args.seconds
    inputs = tempfile.TemporaryDirectory()
    while time.monotonic() < deadline:
        name = rng.choice(sorted(originals))
        how = rng.choice(sorted(MUTATORS))
        data = MUTATORS[how](rng, originals[name])
        candidate = candidate_file(Path(inputs.name),
                                   f"fuzz-{sum(tried.values()):05d}-{how}-{name}", data)
        tried[how] += 1
        started = time.monotonic()
        try:
            with Archives() as archives:
                _Check(candidate, master, 12, None, archives).run()
        except Exception:
            findings.append(f"{candidate.name}: uncaught\n{traceback.format_exc(limit=6)}")
        outcome = read_return(candidate, master, 12)
        elapsed = time.monotonic() - started
        slowest = max(slowest, elapsed)
        if elapsed > args.slow:
            findings.append(f"{candidate.name}: slow ({elapsed:.1f} s)")
        statuses[outcome.status.value] += 1
        codes.update(p.code for p in outcome.problems)
        if len(kept) < args.batch:
            kept.append(candidate)

    findings.extend(batch_findings(kept, master))
    inputs.cleanup()
    total = sum(tried.values())
    print(f"fuzz: {total} inputs in {args.seconds:.0f} s (seed {args.seed}): "
          + ", ".join(f"{k} {v}" for k, v in sorted(tried.items())))
    print("outcomes: " + ", ".join(f"{k} {v}" for k, v in statuses.most_common()))
    print(f"slowest input: {slowest:.3f} s")
    print("problem codes seen: " + ", ".join(f"{k} {v}" for k, v in codes.most_common()))
    print(f"findings: {len(findings)}")
    for finding in findings[:20]:
        print("  " + finding)
    return 1 if findings else 0


def batch_findings(kept: list[Candidate], master: object) -> list[str]:
    """Harvest the kept inputs together: every file must come out exactly once."""
    with tempfile.TemporaryDirectory() as tmp:
        for candidate in kept:
            (Path(tmp) / candidate.path.name).write_bytes(candidate.path.read_bytes())
        report = harvest([tmp], master, 12, jobs=2)  # type: ignore[arg-type]
    named = [Path(f.file).name for f in report.files]
    missing = {c.path.name for c in kept} - set(named)
    twice = [n for n, count in collections.Counter(named).items() if count > 1]
    return ([f"batch: no outcome for {sorted(missing)}"] if missing else []) + \
        ([f"batch: several outcomes for {twice}"] if twice else [])


if __name__ == "__main__":
    sys.exit(main())
