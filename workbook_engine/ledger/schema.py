"""The ledger's tables (docs/ledger.md describes them for auditors), and their migrations.

A ledger is an SQLite database whose ``application_id`` says it is ours and whose
``user_version`` is the schema version it was written with. Every number is stored as a REAL
(scores have at most four decimals, which a REAL keeps exactly as far as any client shows);
every moment as ISO text in Bangkok time, as the summary shows it.
"""

from __future__ import annotations

APPLICATION_ID = 0x57424B4C          # "WBKL": a workbook-engine ledger
SCHEMA_VERSION = 2

_V1 = """
CREATE TABLE runs (
    run                INTEGER PRIMARY KEY,
    harvested_at       TEXT NOT NULL,
    organisation       TEXT NOT NULL,
    fiscal_year        INTEGER NOT NULL,
    round              INTEGER NOT NULL,
    master_file        TEXT NOT NULL,
    master_sha256      TEXT NOT NULL,
    signing_key        TEXT NOT NULL,
    engine_version     TEXT NOT NULL,
    summary_file       TEXT,
    review_file        TEXT,
    review_sha256      TEXT,
    files_read         INTEGER NOT NULL,
    files_reused       INTEGER NOT NULL,
    average_score      REAL
);
CREATE TABLE originals (
    sha256 TEXT PRIMARY KEY,
    size   INTEGER NOT NULL,
    bytes  BLOB NOT NULL
);
CREATE TABLE readings (
    reading            INTEGER PRIMARY KEY,
    sha256             TEXT NOT NULL,
    file               TEXT NOT NULL,
    size               INTEGER NOT NULL,
    master_sha256      TEXT NOT NULL,
    round              INTEGER NOT NULL,
    signing_key        TEXT NOT NULL,
    engine_version     TEXT NOT NULL,
    office             TEXT,
    status             TEXT NOT NULL,
    saved              TEXT,
    total_score        REAL,
    outcome            TEXT NOT NULL,
    UNIQUE (sha256, file, master_sha256, round, signing_key, engine_version)
);
CREATE TABLE results (
    reading        INTEGER NOT NULL REFERENCES readings,
    kpi            TEXT NOT NULL,
    name           TEXT NOT NULL,
    kpi_group      INTEGER NOT NULL,
    weight         REAL NOT NULL,
    result         REAL,
    score          REAL,
    weighted_score REAL,
    sheet          TEXT,
    cell           TEXT,
    PRIMARY KEY (reading, kpi)
);
CREATE TABLE files (
    run        INTEGER NOT NULL REFERENCES runs,
    file       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    saved      TEXT,
    office     TEXT,
    outcome    TEXT NOT NULL,
    reading    INTEGER REFERENCES readings,
    read_again INTEGER NOT NULL
);
CREATE INDEX files_by_sha256 ON files (sha256);
CREATE TABLE offices (
    run                  INTEGER NOT NULL REFERENCES runs,
    office               TEXT NOT NULL,
    name                 TEXT NOT NULL,
    status               TEXT NOT NULL,
    reading              INTEGER REFERENCES readings,
    file                 TEXT,
    sha256               TEXT,
    total_score          REAL,
    verified_total_score REAL,
    PRIMARY KEY (run, office)
);
CREATE TABLE verified (
    run            INTEGER NOT NULL REFERENCES runs,
    office         TEXT NOT NULL,
    kpi            TEXT NOT NULL,
    result         REAL,
    given          REAL,
    score          REAL NOT NULL,
    weighted_score REAL NOT NULL,
    reason         TEXT NOT NULL,
    review_row     INTEGER NOT NULL,
    PRIMARY KEY (run, office, kpi)
);
CREATE TABLE problems (
    run      INTEGER NOT NULL REFERENCES runs,
    seq      INTEGER NOT NULL,
    code     TEXT NOT NULL,
    severity TEXT NOT NULL,
    file     TEXT,
    office   TEXT,
    sheet    TEXT,
    cell     TEXT,
    message  TEXT NOT NULL,
    PRIMARY KEY (run, seq)
);
CREATE VIEW kpi_results AS
SELECT r.run, r.harvested_at, r.fiscal_year, r.round, o.office, o.status, k.kpi, k.name,
       k.kpi_group, k.weight, k.result, k.score, k.weighted_score,
       v.result AS verified_result, v.given AS verified_given, v.score AS verified_score,
       v.weighted_score AS verified_weighted_score, v.reason AS review_reason,
       o.file, o.sha256, k.sheet, k.cell
FROM offices AS o
JOIN runs AS r ON r.run = o.run
JOIN results AS k ON k.reading = o.reading
LEFT JOIN verified AS v ON v.run = o.run AND v.office = o.office AND v.kpi = k.kpi;
CREATE VIEW last_runs AS
SELECT * FROM runs WHERE run IN (SELECT max(run) FROM runs GROUP BY fiscal_year, round);
"""

# version 2: the masters harvested, as this engine read them, and each reading's office line of
# the JSON result (a re-harvest need not read the master or render the line again)
_V2 = """
CREATE TABLE masters (
    sha256         TEXT NOT NULL,
    engine_version TEXT NOT NULL,
    master         TEXT NOT NULL,
    PRIMARY KEY (sha256, engine_version)
);
CREATE TABLE office_lines (
    reading INTEGER PRIMARY KEY REFERENCES readings,
    line    TEXT NOT NULL
);
"""

# MIGRATIONS[v] brings a ledger of schema version v to v + 1; version 0 is a new, empty file.
MIGRATIONS: tuple[str, ...] = (_V1, _V2)
assert len(MIGRATIONS) == SCHEMA_VERSION
