"""The supervision ledger."""

from ledger import _native

# Which code judges: the compiled modules, or their sources (see ledger/_native.py).
RUNNING = _native.guard()
