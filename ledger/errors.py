"""The ledger's errors. The CLI turns any `LedgerError` into `Error: ...` and a non-zero exit code."""

from __future__ import annotations


class LedgerError(Exception):
    """Base class: something the user can act on. Nothing was written."""

    exit_code = 1


class RuleViolation(LedgerError):
    """The law does not allow this decision. Carries the paragraph that refuses it."""

    exit_code = 3

    def __init__(self, paragraph: str, message: str) -> None:
        self.paragraph = paragraph
        self.rule_message = message
        super().__init__(f"{paragraph}: {message}")

    def __reduce__(self) -> tuple[type[RuleViolation], tuple[str, str]]:
        return (type(self), (self.paragraph, self.rule_message))


class NotFound(LedgerError):
    """An offer, a decision, a vilkår or a complaint that the ledger does not hold."""

    exit_code = 4


class ConcurrencyConflict(LedgerError):
    """Someone else recorded on the same case at the same moment; nothing of this command was stored."""

    exit_code = 5


class InvalidInput(LedgerError):
    """Malformed input: bad JSON, a wrong type, an impossible date, an unknown command."""

    exit_code = 2


class StoreUnavailable(LedgerError):
    """The database could not be reached or failed mid-command; nothing was written."""

    exit_code = 6


class TamperDetected(LedgerError):
    """The hash chain is broken: the stored ledger was altered."""

    exit_code = 7


class ProtectionWeakened(LedgerError):
    """`ledger verify --strict`: the chain holds, but the database's append-only protection is
    weakened (a trigger missing or disabled, or a role or session that could turn it off)."""

    exit_code = 8
