"""Harvest: the files given (intake), one return checked (returns), the run over all of them
(run) and what it found (outcomes)."""
