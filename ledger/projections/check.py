"""Check the projections against the ledger: replay every case from its events, in memory, and
compare the rows it gives with the rows the projection's tables hold, without writing anything.

The replay goes in case order, a batch of whole cases at a time, so memory stays bounded however
large the ledger. A difference means a read model no longer says what the ledger says (a bug, or
a table changed by hand); `ledger projections rebuild` mends it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ledger.projections.base import Notification, Projection, metadata, positions
from ledger.projections.runner import REBUILDING, ProjectionRunner

# Whole cases are read in pages of at least this many events.
PAGE = 20_000


@dataclass
class Difference:
    projection: str
    table: str
    case: str
    problem: str

    def as_dict(self) -> dict[str, str]:
        return {"projection": self.projection, "table": self.table, "case": self.case, "problem": self.problem}


@dataclass
class CheckResult:
    position: int  # the ledger's head when the check began
    events: int = 0
    cases: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    differences: list[Difference] = field(default_factory=list)
    more: int = 0  # differences found beyond those kept
    positions: dict[str, int] = field(default_factory=dict)  # each projection's, as compared
    behind: dict[str, int] = field(default_factory=dict)  # events the projection has not read yet
    ahead: dict[str, int] = field(default_factory=dict)  # how far its position lies past the head

    @property
    def ok(self) -> bool:
        return not self.differences and not self.more

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "position": self.position,
            "head": self.position,
            "positions": self.positions,
            "behind": self.behind,
            "ahead": self.ahead,
            "events": self.events,
            "cases": self.cases,
            "rows": self.rows,
            "differences": [d.as_dict() for d in self.differences],
            "more_differences": self.more,
        }


def whole_cases(runner: ProjectionRunner, head: int, page: int = PAGE) -> Iterator[list[Notification]]:
    """The events up to `head`, in case order, in batches that never split a case."""
    t = runner.events
    decode = runner.app.mapper_.decode
    columns = sa.select(t.c.id, t.c.originator_id, t.c.originator_version, t.c.topic, t.c.state).where(t.c.id <= head)
    order = (t.c.originator_id, t.c.originator_version)
    last: tuple[Any, int] | None = None
    while True:
        query = columns
        if last is not None:
            after = sa.tuple_(sa.literal(last[0], t.c.originator_id.type), sa.literal(last[1], t.c.originator_version.type))
            query = query.where(sa.tuple_(t.c.originator_id, t.c.originator_version) > after)
        with runner.engine.connect() as connection:
            rows = list(connection.execute(query.order_by(*order).limit(page)))
            if not rows:
                return
            if len(rows) == page:  # the last case may go on: read the rest of it
                case_id, version = rows[-1][1], rows[-1][2]
                rest = columns.where(t.c.originator_id == case_id, t.c.originator_version > version)
                rows.extend(connection.execute(rest.order_by(t.c.originator_version)))
        last = (rows[-1][1], rows[-1][2])
        yield [Notification(int(row[0]), decode(row[3], bytes(row[4]))) for row in rows]


def _normalise(row: Any) -> tuple[Any, ...]:
    return tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)


def check(
    runner: ProjectionRunner,
    *,
    keep: int = 20,
    progress: Callable[[int], None] | None = None,
) -> CheckResult:
    """Compare every projection of `runner` with a replay of the ledger up to the projection's own
    position, writing nothing. A projection behind the head is compared as of its position (and
    reported behind); one whose position lies past the head, or whose rebuild stopped halfway,
    is a difference (its rows cannot be compared: `ledger projections rebuild` mends it)."""
    head = runner.head()
    result = CheckResult(position=head)
    stored_positions = runner.positions()
    with runner.engine.connect() as connection:
        inspector = sa.inspect(connection)
        built = {p.name for p in runner.projections if all(inspector.has_table(t.name) for t in p.tables)}

    def differ(projection: str, table: str, case: str, problem: str) -> None:
        if len(result.differences) < keep:
            result.differences.append(Difference(projection, table, case, problem))
        else:
            result.more += 1

    groups: dict[int, list[Projection]] = {}
    for projection in runner.projections:
        position = stored_positions.get(projection.name, 0) if projection.name in built else 0
        result.positions[projection.name] = position
        if position == REBUILDING:
            differ(projection.name, positions.name, "-", "a rebuild stopped halfway: its rows are partial")
        elif position > head:
            result.ahead[projection.name] = position - head
            differ(
                projection.name, positions.name, "-",
                f"its position {position} lies past the ledger's head {head}: it would hide every new event",
            )
        elif projection.name not in built:
            result.behind[projection.name] = head
        else:
            if position < head:
                result.behind[projection.name] = head - position
            groups.setdefault(position, []).append(projection)
    for position, group in sorted(groups.items()):
        _check_group(runner, group, position, result, differ, progress)
    return result


def _check_group(
    runner: ProjectionRunner,
    group: list[Projection],
    upto: int,
    result: CheckResult,
    differ: Callable[[str, str, str, str], None],
    progress: Callable[[int], None] | None,
) -> None:
    fresh: list[Projection] = [type(p)(runner.read_case) for p in group]
    tables = {name for p in fresh for name in (t.name for t in p.tables)}
    seen: set[str] = set()
    rows_seen: dict[str, int] = {}
    for batch in whole_cases(runner, upto) if upto > 0 else iter(()):
        for projection in fresh:
            projection.apply(batch)
        result.events += len(batch)
        cases = sorted({str(n.case_id) for n in batch})
        result.cases += len(cases)
        seen.update(cases)
        with runner.engine.connect() as connection:
            for projection in fresh:
                for name, rows in projection.pending_rows().items():
                    _compare(connection, projection.name, name, cases, rows, differ)
                    rows_seen[name] = rows_seen.get(name, 0) + len(rows)
                projection.reset()  # the batch held whole cases: nothing carries over
        if progress is not None:
            progress(result.events)
    result.rows.update(rows_seen)
    # Rows for cases the ledger does not hold (or rows beyond what the replay gives).
    with runner.engine.connect() as connection:
        for name in sorted(tables):
            table = metadata.tables[name]
            stored = connection.execute(sa.select(sa.func.count()).select_from(table)).scalar() or 0
            expected = rows_seen.get(name, 0)
            if stored > expected:
                strays = connection.execute(sa.select(table.c.offer_id).distinct()).scalars()
                for offer_id in strays:
                    if offer_id not in seen:
                        differ(_owner(fresh, name), name, offer_id, "rows for a case the ledger does not hold")


def _owner(projections: Sequence[Projection], table: str) -> str:
    return next(p.name for p in projections if any(t.name == table for t in p.tables))


def _compare(
    connection: sa.Connection,
    projection: str,
    name: str,
    cases: list[str],
    rows: list[dict[str, Any]],
    differ: Callable[[str, str, str, str], None],
) -> None:
    table = metadata.tables[name]
    columns = [c.name for c in table.columns]
    keys = [c.name for c in table.primary_key.columns]
    expected: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
    keys_of: dict[str, str] = {}  # case id -> the offer's key, to name the case in the report
    for row in rows:
        if row.get("offer_key"):
            keys_of[str(row["offer_id"])] = str(row["offer_key"])
        values = tuple(row.get(c) for c in columns)
        expected.setdefault(str(row["offer_id"]), {})[tuple(row[k] for k in keys)] = values
    stored: dict[str, dict[tuple[Any, ...], tuple[Any, ...]]] = {}
    for start in range(0, len(cases), 500):
        part = cases[start : start + 500]
        for found in connection.execute(sa.select(table).where(table.c.offer_id.in_(part))):
            values = _normalise(found)
            record = dict(zip(columns, values, strict=True))
            if record.get("offer_key"):
                keys_of.setdefault(str(record["offer_id"]), str(record["offer_key"]))
            stored.setdefault(str(record["offer_id"]), {})[tuple(record[k] for k in keys)] = values
    for case in cases:
        want, have = expected.get(case, {}), stored.get(case, {})
        if want == have:
            continue
        missing = [k for k in want if k not in have]
        extra = [k for k in have if k not in want]
        changed = [k for k in want if k in have and want[k] != have[k]]
        parts = []
        if missing:
            parts.append(f"{len(missing)} row(s) missing (first: {missing[0]})")
        if extra:
            parts.append(f"{len(extra)} row(s) the ledger does not give (first: {extra[0]})")
        if changed:
            first = changed[0]
            columns_changed = [c for c, a, b in zip(columns, want[first], have[first], strict=True) if a != b]
            parts.append(f"{len(changed)} row(s) differ (first: {first}, in {', '.join(columns_changed)})")
        differ(projection, name, f"{keys_of[case]} ({case})" if case in keys_of else case, "; ".join(parts))


