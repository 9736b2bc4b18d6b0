"""The supervision ledger."""
