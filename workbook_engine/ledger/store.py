"""The ledger: an SQLite database that keeps every harvest run, every file's original bytes
and what was found in it (CONTRACT section 8; docs/ledger.md).

A run is one transaction, begun when the harvest starts (so a second harvest on the same
ledger waits, then fails clearly) and committed only when the summary is in place, so a
harvest that fails or is killed leaves the ledger as it was. A file that is not a ledger of
ours, a damaged one and one written by a newer engine are refused and never written to.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from ..errors import PROBLEMS_FOUND, WorkbookEngineError
from ..harvesting.intake import Archives, Candidate, Loaded, load
from ..harvesting.outcomes import HarvestReport
from ..harvesting.returns import ReturnOutcome
from ..harvesting.run import engine_version
from ..model import Master
from ..xlsx.outputs import atomic, temporary_beside
from . import codec
from .schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION

DEFAULT_NAME = "ledger.sqlite"
SQLITE_MAGIC = b"SQLite format 3\x00"
LOCK_WAIT = 10.0          # seconds a harvest waits for another one on the same ledger
SHA_PREFIX_MIN = 8        # hex digits of a SHA-256 enough to name an original


class LedgerError(WorkbookEngineError):
    """The ledger cannot be used; nothing in it was changed."""


class NotRecorded(LedgerError):
    """The run's outputs are in place, but the run could not be kept in the ledger: output
    written with a problem (exit code 1, CONTRACT section 3)."""

    exit_code = PROBLEMS_FOUND


def _refused(path: Path, why: str, kind: type[LedgerError] = LedgerError) -> LedgerError:
    return kind(f"ใช้สมุดบันทึกผล (ledger) {path} ไม่ได้: {why} (ไม่ได้แก้ไขไฟล์นี้)")


def default_path(summary: Path) -> Path:
    """Where a harvest keeps its ledger when none is named: beside the summary."""
    return summary.with_name(DEFAULT_NAME)


def _connect(path: Path, mode: str) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions begun explicitly) to the file at ``path``
    after its first bytes are checked: ``mode`` is ``ro`` or ``rwc``."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except FileNotFoundError:
        head = None
    except OSError as exc:
        raise _refused(path, f"อ่านไฟล์ไม่ได้ ({exc.strerror or exc})") from exc
    if head is not None and head and head != SQLITE_MAGIC:
        raise _refused(path, "ไฟล์นี้ไม่ใช่ฐานข้อมูล SQLite")
    uri = f"file:{quote(str(path.absolute()))}?mode={mode}"
    try:
        return sqlite3.connect(uri, uri=True, timeout=LOCK_WAIT, isolation_level=None)
    except sqlite3.Error as exc:
        raise _refused(path, f"เปิดฐานข้อมูลไม่ได้ ({exc})") from exc


def _schema_version(con: sqlite3.Connection, path: Path) -> int:
    """The schema version of the ledger (0 for an empty database).

    Raises:
        LedgerError: for a damaged database, another program's, or a newer engine's.
    """
    try:
        application = con.execute("PRAGMA application_id").fetchone()[0]
        version = con.execute("PRAGMA user_version").fetchone()[0]
        tables = con.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        raise _refused(path, f"ไฟล์เสียหาย ({exc})") from exc
    if application == 0 and version == 0 and tables == 0:
        return 0
    if application != APPLICATION_ID:
        raise _refused(path, "เป็นฐานข้อมูลของโปรแกรมอื่น ไม่ใช่สมุดบันทึกผลของ workbook-engine")
    if version > SCHEMA_VERSION:
        raise _refused(path, f"บันทึกด้วย workbook-engine รุ่นที่ใหม่กว่า (โครงสร้างรุ่น {version} "
                             f"แต่โปรแกรมนี้รู้จักถึงรุ่น {SCHEMA_VERSION}) กรุณาใช้โปรแกรมรุ่นใหม่")
    return int(version)


# the oldest schema that reading a ledger (history, original, a kept master) understands: the
# versions since added only caches (masters, office_lines), which a reader does without
READABLE_FROM = 1


def read_only(path: Path) -> sqlite3.Connection:
    """An existing ledger opened for reading only, after the checks of :class:`Ledger` (a
    ledger of an older schema from :data:`READABLE_FROM` on is read as it is, not upgraded).

    Raises:
        LedgerError: when there is no ledger at ``path`` or it cannot be used.
    """
    if not path.is_file():
        raise _refused(path, "ไม่พบไฟล์")
    try:    # read-write but refusing writes: SQLite then removes its -wal and -shm on closing
        con = _connect(path, "rw")
        con.execute("PRAGMA query_only = ON")
    except (LedgerError, sqlite3.Error):        # a ledger on a read-only disk or copy
        con = _connect(path, "ro")
    try:
        version = _schema_version(con, path)
        if version < READABLE_FROM:
            raise _refused(path, "ยังไม่มีการบันทึกผลในไฟล์นี้" if version == 0 else
                           f"โครงสร้างรุ่น {version} เก่ากว่าโปรแกรมนี้ ให้รวบรวมผล (harvest) "
                           "ด้วยสมุดบันทึกผลนี้หนึ่งครั้งเพื่อปรับรุ่นก่อน")
    except BaseException:
        con.close()
        raise
    return con


def _statements(script: str) -> Iterator[str]:
    """The statements of an SQL script, one by one."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


def _begin(con: sqlite3.Connection, path: Path) -> None:
    """Begin a write transaction, waiting :data:`LOCK_WAIT` for another harvest's to end.

    Raises:
        LedgerError: when the other harvest still holds the ledger.
    """
    try:
        con.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as exc:
        raise _refused(path, f"มีการรวบรวมผลอีกงานหนึ่งใช้ไฟล์นี้อยู่ (รอแล้ว {LOCK_WAIT:g} วินาที) "
                             "ให้รอจนงานนั้นเสร็จแล้วสั่งใหม่") from exc


def _migrate(con: sqlite3.Connection, path: Path) -> None:
    """Bring the ledger to :data:`SCHEMA_VERSION`, all in one transaction."""
    _begin(con, path)
    try:
        for version in range(_schema_version(con, path), SCHEMA_VERSION):
            for statement in _statements(MIGRATIONS[version]):
                con.execute(statement)
        con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        con.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


@dataclass(frozen=True)
class Context:
    """What a file's outcome depends on besides its bytes and name: a recorded outcome is
    used again only when all of these are the same."""

    master_sha256: str
    round_months: int
    signing_key: str          # SHA-256 of the key (never the key), "" without one
    engine_version: str

    @classmethod
    def of(cls, master: Master, round_months: int, key: bytes | None) -> Context:
        """The context of a harvest of ``master``'s round with ``key``, by this engine's code
        (its version and :func:`code_digest`)."""
        return cls(master.source_sha256, round_months,
                   hashlib.sha256(key).hexdigest() if key else "", this_engine())


def this_engine() -> str:
    """The engine a reading or a master is kept for: its version and :func:`code_digest`."""
    return f"{engine_version()}+{code_digest()}"


@functools.cache
def code_digest() -> str:
    """The first 12 hex digits of the SHA-256 of the engine's own source (its ``.py``, ``.c``
    and ``.h`` files, by path): an outcome recorded by other code, even under the same version
    number (a development checkout), is not used again."""
    package = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for path in sorted(p for p in package.rglob("*") if p.suffix in (".py", ".c", ".h")):
        digest.update(path.relative_to(package).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def sidecars(path: Path) -> tuple[Path, ...]:
    """The files SQLite keeps beside a database while it is in use."""
    return tuple(path.with_name(path.name + suffix) for suffix in ("-wal", "-shm", "-journal"))


def ledger_files(path: Path) -> list[Path]:
    """Every file a harvest recording into ``path`` may keep beside it (none is a return)."""
    building = temporary_beside(path)
    return [path, *sidecars(path), building, *sidecars(building)]


class Ledger:
    """One ledger file, opened for harvests (upgraded when older). A ledger that does not exist
    yet is built under a temporary name beside it and put in place by :meth:`publish`, once its
    first run is committed: a harvest that fails leaves no ledger, and never removes one another
    harvest has begun to write."""

    def __init__(self, path: Path) -> None:
        """Open the ledger at ``path``, or begin a new one.

        Raises:
            LedgerError: when it cannot be used.
        """
        self.path = path
        self.building = None if path.exists() else temporary_beside(path)
        where = self.building or path
        self.con = _connect(where, "rwc")
        try:
            if _schema_version(self.con, path) < SCHEMA_VERSION:
                _migrate(self.con, path)
            # a new ledger is written once through a rollback journal (its pages are all new:
            # nothing to journal), and in WAL mode from when it is published; through WAL, its
            # first run's pages were written twice, to the WAL and then to the file
            if self.building is None:
                self.con.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            self.discard()
            raise _refused(path, f"เขียนไฟล์ไม่ได้ ({exc})") from exc
        except BaseException:
            self.discard()
            raise

    def publish(self) -> None:
        """Close the ledger; a new one is put in place (unless another harvest created one at
        ``path`` meanwhile: then this run is not kept, and says so).

        Raises:
            LedgerError: when a new ledger cannot be put in place.
        """
        if self.building is not None:
            self._into_wal()
        self.con.close()
        if self.building is None:
            return
        try:
            os.link(self.building, self.path)       # fails rather than replace a ledger
        except FileExistsError as exc:
            raise _refused(self.path, "มีการรวบรวมผลอีกงานหนึ่งสร้างไฟล์นี้ขึ้นระหว่างนั้น "
                                      "การรวบรวมครั้งนี้จึงไม่ได้บันทึก ให้สั่งใหม่", NotRecorded) from exc
        except OSError as exc:
            raise _refused(self.path, f"สร้างไฟล์ไม่ได้ ({exc.strerror or exc}) "
                                      "การรวบรวมครั้งนี้จึงไม่ได้บันทึก", NotRecorded) from exc
        finally:
            self._remove_building()

    def _into_wal(self) -> None:
        """Put a new ledger in WAL mode before it is published.

        Raises:
            LedgerError: when it cannot be (the run is then not kept).
        """
        try:
            self.con.execute("PRAGMA journal_mode = WAL")
        except sqlite3.Error as exc:
            self.discard()
            raise _refused(self.path, f"เขียนไฟล์ไม่ได้ ({exc}) การรวบรวมครั้งนี้จึงไม่ได้บันทึก",
                           NotRecorded) from exc

    def discard(self) -> None:
        """Close the ledger; a new one is not kept."""
        self.con.close()
        self._remove_building()

    def _remove_building(self) -> None:
        if self.building is not None:
            for name in (self.building, *sidecars(self.building)):
                name.unlink(missing_ok=True)

    def run(self, master: Master, context: Context, keep_master: bool = True) -> Run:
        """Begin recording a harvest run of ``master`` (see :class:`Run`)."""
        return Run(self, master, context, keep_master)

    def written(self) -> list[Path]:
        """The files a run writes: the ledger (or the new one being built), and its WAL."""
        where = self.building or self.path
        return [where, where.with_name(where.name + "-wal")]


SYNC_THREAD = "workbook-engine: ledger written to disk"


class _Sync:
    """Files written to disk in a thread, while the harvest writes its outputs, so that the
    commit, which makes them durable itself, finds little left to write."""

    def __init__(self, paths: Iterable[Path]) -> None:
        self._thread = threading.Thread(target=_sync, args=(list(paths),), daemon=True,
                                        name=SYNC_THREAD)
        self._thread.start()

    def wait(self) -> None:
        """Until it is done."""
        self._thread.join()


def _sync(paths: list[Path]) -> None:
    for path in paths:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:             # no WAL, or no file: nothing to write
            continue
        try:
            os.fsync(fd)
        except OSError:             # the commit writes them, and says what is wrong
            pass
        finally:
            os.close(fd)


class Run:
    """One harvest recorded in one transaction: the files read are kept as they are read,
    files read before are given back without being read (:meth:`reuse`), and the run's
    outcome is written by :meth:`record`; nothing is kept unless :meth:`commit` is called."""

    def __init__(self, ledger: Ledger, master: Master, context: Context,
                 keep_master: bool = True) -> None:
        """``keep_master``: the master was read from its file (not taken from this ledger),
        and is kept for the next harvest of it, in place of what the ledger kept of it."""
        if not context.master_sha256:
            raise ValueError("the ledger needs the master's SHA-256")
        self.ledger, self.con, self.context = ledger, ledger.con, context
        self.master = master
        _begin(self.con, ledger.path)
        self.committed = False
        self._syncing: _Sync | None = None     # started by record()
        self.readings: dict[str, int] = {}      # file name -> its reading, in this run
        # (file name, SHA-256) -> its reading: two files of one name (members of a zip) apart
        self.by_bytes: dict[tuple[str, str], int] = {}
        self.reused: set[str] = set()
        self.files_read = 0                     # read in this run, not taken from the ledger
        if keep_master:
            self.con.execute("INSERT OR REPLACE INTO masters VALUES (?, ?, ?)",
                             (context.master_sha256, context.engine_version,
                              codec.encode_master(master)))
        self.archives = Archives()
        self.known: dict[str, tuple[int, str, int]] = {
            file: (reading, sha, size) for reading, file, sha, size in self.con.execute(
                "SELECT reading, file, sha256, size FROM readings WHERE master_sha256 = ? "
                "AND round = ? AND signing_key = ? AND engine_version = ? ORDER BY reading",
                self._context())}

    def _context(self) -> tuple[str, int, str, str]:
        c = self.context
        return c.master_sha256, c.round_months, c.signing_key, c.engine_version

    def reuse(self, candidate: Candidate) -> ReturnOutcome | None:
        """The recorded outcome of a file with this name and these bytes in this context,
        or None when it must be read."""
        known = self.known.get(candidate.name)
        if known is None or known[2] != candidate.size:
            return None
        try:
            loaded = load(candidate, self.archives)
        except Exception:       # whatever is wrong with it, reading it will say
            return None
        if loaded.sha256 != known[1]:
            return None
        (text,) = self.con.execute("SELECT outcome FROM readings WHERE reading = ?",
                                   (known[0],)).fetchone()
        try:
            outcome = codec.decode(text, candidate.modified, self.master,
                                   self.context.round_months)
        except (ValueError, KeyError, TypeError):   # not as this engine keeps it: read again
            return None
        self._keep(loaded)          # if it could not be kept when it was read
        self.readings[candidate.name] = known[0]
        self.by_bytes[(candidate.name, loaded.sha256)] = known[0]
        self.reused.add(candidate.name)
        return outcome

    def read(self, candidate: Candidate, outcome: ReturnOutcome) -> None:
        """Keep a file just read: its outcome and KPI results, and its original bytes when
        it is a workbook (not seen before)."""
        self.files_read += 1
        if not outcome.sha256 or outcome.unforeseen:    # unread, or may read otherwise again
            return
        self._keep_original(candidate, outcome.sha256)
        cursor = self.con.execute(
            "INSERT INTO readings (sha256, file, size, master_sha256, round, signing_key, "
            "engine_version, office, status, saved, total_score, outcome) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET "
            "office = excluded.office, status = excluded.status, saved = excluded.saved, "
            "total_score = excluded.total_score, outcome = excluded.outcome RETURNING reading",
            (outcome.sha256, outcome.file, outcome.size, *self._context(), outcome.office,
             outcome.status.value, codec.moment_text(outcome.saved), _real(outcome.total),
             codec.encode(outcome, self.master, self.context.round_months)))
        (reading,) = cursor.fetchone()
        self.readings[outcome.file] = reading
        self.by_bytes[(outcome.file, outcome.sha256)] = reading
        self.con.execute("DELETE FROM office_lines WHERE reading = ?", (reading,))
        self.con.execute("DELETE FROM results WHERE reading = ?", (reading,))
        self.con.executemany(
            "INSERT INTO results VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [(reading, k.kpi, k.name, k.group, _real(k.weight), _real(k.result),
              _real(k.score), _real(k.weighted), k.sheet, k.cell) for k in outcome.kpis])

    def line(self, file: str, sha256: str) -> str | None:
        """The JSON's office line kept for the reading of this run's ``file`` of these bytes,
        if any."""
        reading = self.by_bytes.get((file, sha256))
        found = None if reading is None else self.con.execute(
            "SELECT line FROM office_lines WHERE reading = ?", (reading,)).fetchone()
        return None if found is None else str(found[0])

    def keep_line(self, file: str, sha256: str, line: str) -> None:
        """Keep the JSON's office line of the reading of this run's ``file`` of these bytes
        (when its outcome is kept)."""
        reading = self.by_bytes.get((file, sha256))
        if reading is not None:
            self.con.execute("INSERT OR REPLACE INTO office_lines VALUES (?, ?)", (reading, line))

    def _keep_original(self, candidate: Candidate, sha: str) -> None:
        """Keep the candidate's bytes once, when they are a workbook's and still these."""
        if self._kept(sha):
            return
        try:
            loaded = load(candidate, self.archives)
        except Exception:       # gone or changed since it was read: nothing to keep
            return
        if loaded.sha256 == sha:
            self._insert(loaded)

    def _keep(self, loaded: Loaded) -> None:
        """Keep bytes just loaded, when they are not kept yet."""
        if not self._kept(loaded.sha256):
            self._insert(loaded)

    def _kept(self, sha: str) -> bool:
        return self.con.execute("SELECT 1 FROM originals WHERE sha256 = ?",
                                (sha,)).fetchone() is not None

    def _insert(self, loaded: Loaded) -> None:
        if loaded.data is not None:         # a workbook's bytes (not a PDF beside the returns)
            self.con.execute("INSERT INTO originals VALUES (?, ?, ?)",
                             (loaded.sha256, loaded.size, loaded.data))

    def record(self, report: HarvestReport, summary: Path | None) -> int:
        """Write the run's outcome: the run, its files, offices, the committee's entries and
        the problems; returns the run's number."""
        review = report.review
        (run,) = self.con.execute(
            "INSERT INTO runs (harvested_at, organisation, fiscal_year, round, master_file, "
            "master_sha256, signing_key, engine_version, summary_file, review_file, "
            "review_sha256, files_read, files_reused, average_score) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING run",
            (codec.moment_text(report.harvested_at), report.organisation, report.fiscal_year,
             report.round_months, report.master_file, self.context.master_sha256,
             self.context.signing_key, self.context.engine_version,
             None if summary is None else str(summary), review and review.file,
             review and review.sha256, self.files_read,
             len(self.reused), _real(report.average_score))).fetchone()
        self._record_files(run, report)
        self._record_offices(run, report)
        self.con.executemany(
            "INSERT INTO problems VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((run, seq, p.code, p.severity.value, p.file, p.office, p.sheet, p.cell, p.message)
             for seq, p in enumerate(report.problems, 1)))
        self._syncing = _Sync(self.ledger.written())
        return int(run)

    def _record_files(self, run: int, report: HarvestReport) -> None:
        self.con.executemany(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((run, f.file, f.sha256, f.size, codec.moment_text(f.saved), f.office, f.outcome,
              self.readings.get(f.file), int(f.file in self.readings
                                             and f.file not in self.reused))
             for f in report.files))

    def _record_offices(self, run: int, report: HarvestReport) -> None:
        self.con.executemany(
            "INSERT INTO offices VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((run, o.office, o.name, o.status.value,
              None if o.file is None else self.readings.get(o.file), o.file, o.sha256,
              _real(o.total_score), _real(o.verified_total)) for o in report.offices))
        self.con.executemany(
            "INSERT INTO verified VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            ((run, o.office, k.kpi, _real(v.result), _real(v.given), _real(v.score),
              _real(v.weighted), v.reason, v.row)
             for o in report.offices for k in o.kpis if (v := k.review) is not None))

    def commit(self) -> None:
        """Keep everything this run recorded.

        Raises:
            LedgerError: when it cannot be written.
        """
        if self.committed:
            return
        self.archives.__exit__()
        if self._syncing is not None:
            self._syncing.wait()
        try:
            self.con.execute("COMMIT")
        except sqlite3.Error as exc:
            self.rollback()
            raise _refused(self.ledger.path, f"บันทึกผลไม่ได้ ({exc}) ไฟล์สรุปผลเขียนแล้ว แต่การรวบรวม"
                                             "ครั้งนี้ไม่ได้บันทึก (ครั้งที่ในไฟล์สรุปผลจึงไม่มีในสมุดบันทึกผล) "
                                             "ให้รวบรวมใหม่", NotRecorded) from exc
        self.committed = True
        self.ledger.publish()

    def rollback(self) -> None:
        """Keep nothing of this run."""
        self.archives.__exit__()
        if self._syncing is not None:
            self._syncing.wait()
        if self.con.in_transaction:
            self.con.execute("ROLLBACK")


@contextlib.contextmanager
def recording(ledger: Path, master: Master, round_months: int, key: bytes | None,
              keep_master: bool = True) -> Iterator[Run]:
    """The ledger's run of a harvest of ``master``'s round: kept when the block ends (after the
    block has put its outputs in place), nothing of it kept when the block raises.
    ``keep_master``: see :class:`Run`."""
    opened = Ledger(ledger)
    try:
        run = opened.run(master, Context.of(master, round_months, key), keep_master)
    except BaseException:
        opened.discard()
        raise
    try:
        yield run
        run.commit()
    except sqlite3.DatabaseError as exc:     # met while recording, past the pages read on opening
        _abandon(run, opened)
        raise _refused(ledger, f"{_database_trouble(exc)} การรวบรวมครั้งนี้จึงไม่ได้บันทึก") from exc
    except BaseException:
        _abandon(run, opened)
        raise


def _abandon(run: Run, opened: Ledger) -> None:
    """Keep nothing of a run that failed (whatever state the file is in)."""
    if run.committed:
        return
    with contextlib.suppress(sqlite3.Error):
        run.rollback()
    with contextlib.suppress(sqlite3.Error):
        opened.discard()


def _database_trouble(exc: sqlite3.DatabaseError) -> str:
    """Thai words for what SQLite found wrong while a run was recorded."""
    name = getattr(exc, "sqlite_errorname", "")
    if name in ("SQLITE_CORRUPT", "SQLITE_NOTADB"):
        return f"ไฟล์เสียหาย ({exc})"
    if name == "SQLITE_FULL":
        return "พื้นที่ดิสก์เต็ม"
    return f"บันทึกลงไฟล์ไม่ได้ ({exc})"


def kept_master(ledger: Path, path: Path) -> Master | None:
    """The master at ``path`` as a harvest into ``ledger`` kept it, when this engine harvested
    these very bytes before; else None (read it then: whatever is wrong with the ledger, or
    with what it keeps, the harvest's own opening of it says)."""
    if not ledger.is_file():
        return None
    try:
        sha = hashlib.sha256(path.read_bytes()).hexdigest()
        with contextlib.closing(read_only(ledger)) as con:
            found = con.execute("SELECT master FROM masters WHERE sha256 = ? AND "
                                "engine_version = ?", (sha, this_engine())).fetchone()
        master = None if found is None else codec.decode_master(found[0], str(path))
    except (OSError, LedgerError, sqlite3.Error, ValueError, KeyError, TypeError):
        return None
    return master if master is not None and master.source_sha256 == sha else None


def original(path: Path, sha256: str, out: Path) -> tuple[str, int]:
    """Write the original bytes of the harvested file whose SHA-256 is (or begins with)
    ``sha256`` to ``out`` atomically; returns its full SHA-256 and size.

    Raises:
        LedgerError: when the ledger cannot be used or holds no (or more than one) such file.
        OSError: when ``out`` cannot be written.
    """
    digest = sha256.strip().lower().removeprefix("sha256:")
    if len(digest) < SHA_PREFIX_MIN or any(ch not in "0123456789abcdef" for ch in digest):
        raise LedgerError(f"'{sha256}' ไม่ใช่ SHA-256 (เลขฐานสิบหกอย่างน้อย {SHA_PREFIX_MIN} ตัว)")
    with contextlib.closing(read_only(path)) as con:
        found = con.execute("SELECT sha256, bytes FROM originals WHERE sha256 >= ? AND "
                            "sha256 < ? LIMIT 2", (digest, digest + "g")).fetchall()
    if len(found) != 1:
        raise LedgerError(f"สมุดบันทึกผล {path} " + (
            f"ไม่มีไฟล์ที่มี SHA-256 {digest}" if not found else
            f"มีไฟล์มากกว่าหนึ่งไฟล์ที่ SHA-256 ขึ้นต้นด้วย {digest} ให้ใส่ SHA-256 ให้ครบ"))
    full, data = found[0]
    with atomic(out) as temporary:
        temporary.write_bytes(data)
    return full, len(data)


def _real(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


