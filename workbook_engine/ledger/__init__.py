"""The ledger: every harvest run, file and score kept in SQLite (CONTRACT section 8)."""
