"""Projections: exact, rebuildable, never stale. Incremental in any batch split equals a rebuild."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import Case, ansoegning, approved, besoeg, cmd, dialog, godkendelse, ophoer, paabud, projection_rows, skaerpet

from ledger.application import Ledger
from ledger.commands import parse_command
from ledger.errors import LedgerError
from ledger.projections import runner as runner_module
from ledger.projections.cases import case_states, read_states
from ledger.projections.check import check, whole_cases
from ledger.projections.runner import ProjectionRunner, up_to_date
from ledger.projections.statistics import stat_cases, stat_facts


def record(app: Ledger, *commands: dict[str, Any]) -> None:
    app.execute([parse_command(c) for c in commands])


def test_reading_commands_catch_up_first(app: Ledger) -> None:
    runner = up_to_date(app)
    record(app, *approved(), besoeg())
    assert {s.name: s.behind for s in runner.status()} == {"cases": 3, "statistics": 3}
    runner = up_to_date(app)
    assert {s.name: s.behind for s in runner.status()} == {"cases": 0, "statistics": 0}
    with app.engine.connect() as connection:
        states = read_states(connection)
    assert [s.key for s in states] == ["T-1"]
    assert states[0].last_visit_on("2024-12-31") == "2024-04-15"


def test_status_lapses_by_time_alone_in_the_projection(app: Ledger) -> None:
    record(
        app, *approved(), dialog(), skaerpet(date="2024-10-01", periode_til="2024-12-31"),
        cmd("fravigelse", "2024-10-02", anmodning_modtaget="2024-09-30", periode_til="2024-11-30", begrundelse="Ombygning"),
        dialog(date="2024-10-03"), ophoer(date="2024-12-01", virkning_fra="2025-02-01"),
    )
    runner = up_to_date(app)
    with runner.engine.connect() as connection:
        state = read_states(connection)[0]
    assert set(state.flags_on("2024-11-15")) == {"skaerpet_tilsyn", "paabud", "fravigelse"}
    assert set(state.flags_on("2024-12-15")) == {"skaerpet_tilsyn", "paabud", "ophoer_besluttet"}
    assert state.flags_on("2025-01-15") == ["paabud", "ophoer_besluttet"]
    assert state.status_on("2025-02-01") == "ophoert" and state.flags_on("2025-02-01") == []


def test_a_correction_refolds_the_case_in_the_projection(app: Ledger) -> None:
    record(app, *approved(), besoeg(date="2024-04-15"), besoeg(date="2024-05-20"))
    up_to_date(app)
    record(app, cmd("annullering", "2024-06-01", annulleret=4, correction_reason="Forkert tilbud"))
    runner = up_to_date(app)
    with runner.engine.connect() as connection:
        state = read_states(connection)[0]
        visits = connection.execute(sa.select(sa.func.count()).select_from(stat_facts).where(stat_facts.c.kind == "tilsynsbesoeg")).scalar()
    assert state.last_visit_on("2024-12-31") == "2024-04-15"
    assert visits == 1


def test_rebuild_equals_incremental_on_both_stores(app: Ledger) -> None:
    record(app, *approved(), besoeg())
    up_to_date(app)
    record(app, dialog(), paabud(), *approved(offer="T-2"), cmd("annullering", "2024-09-25", annulleret=3, correction_reason="Fejl"))
    up_to_date(app)
    incremental = projection_rows(app)
    ProjectionRunner(app).rebuild()
    assert projection_rows(app) == incremental


def test_a_second_runner_cannot_apply_the_same_events_twice(app: Ledger) -> None:
    record(app, *approved(), besoeg())
    first, second = ProjectionRunner(app), ProjectionRunner(app)
    first.catch_up()
    # The second runner read its start position before the first moved it.
    with pytest.raises(runner_module.PositionMoved):
        second._run(second.projections, 0, second.head(), None)
    assert [s.position for s in first.status()] == [3, 3]
    with app.engine.connect() as connection:
        assert connection.execute(sa.select(sa.func.count()).select_from(stat_facts)).scalar() == 3


def test_a_projection_whose_version_changed_is_rebuilt(app: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    record(app, *approved())
    up_to_date(app)
    from ledger.projections.statistics import StatisticsProjection

    monkeypatch.setattr(StatisticsProjection, "version", 99)
    runner = ProjectionRunner(app)
    assert {s.name: s.position for s in runner.status()} == {"cases": 2, "statistics": 0}
    runner.catch_up()
    assert {s.name: s.position for s in runner.status()} == {"cases": 2, "statistics": 2}


# -- the property: any history, any batch split, or a rebuild, gives identical tables ------------

OFFERS = ["T-1", "T-2", "T-3"]
BASE = dt.date(2024, 1, 1)


def _action(kind: str, offer: str, day: int, n: int) -> dict[str, Any]:
    date = (BASE + dt.timedelta(days=day)).isoformat()
    later = (BASE + dt.timedelta(days=day + 40)).isoformat()
    if kind == "ansoegning":
        return ansoegning(date=date, offer=offer, region=["Nord", "Syd", "Øst"][n % 3])
    if kind == "godkendelse":
        return godkendelse(date=date, offer=offer, vilkaar=[{"tekst": "Brandsyn", "frist": later}] if n % 2 else [])
    if kind == "afslag":
        return cmd("afslag", date, offer, begrundelse="Utilstrækkelig kvalitet")
    if kind == "besoeg":
        return besoeg(date=date, offer=offer, form=["anmeldt", "uanmeldt"][n % 2])
    if kind == "dialog":
        return dialog(date=date, offer=offer)
    if kind == "paabud":
        return paabud(date=date, offer=offer, frist=later, karakter=["faglig", "oekonomisk"][n % 2])
    if kind == "skaerpet":
        return skaerpet(date=date, offer=offer, periode_til=later, paabud=[{"forhold": "Vagter", "frist": later}])
    if kind == "ophoer":
        return ophoer(date=date, offer=offer, virkning_fra=later)
    if kind == "annul":
        return cmd("annullering", date, offer, annulleret=1 + n % 6, correction_reason="Fejlregistrering")
    if kind == "supersede":
        return besoeg(date=date, offer=offer, supersedes=1 + n % 6, correction_reason="Forkert dato", form="uanmeldt")
    raise AssertionError(kind)


KINDS = ["ansoegning", "godkendelse", "afslag", "besoeg", "dialog", "paabud", "skaerpet", "ophoer", "annul", "supersede"]
actions = st.lists(
    st.tuples(st.sampled_from(KINDS), st.sampled_from(OFFERS), st.integers(0, 500), st.integers(0, 5)), min_size=1, max_size=30
)


def lawful(steps: list[tuple[str, str, int, int]]) -> list[dict[str, Any]]:
    """The commands of a random walk that the law accepts (the rest are refused and dropped)."""
    harness = Case()
    accepted = []
    for kind, offer, day, n in steps:
        data = _action(kind, offer, day, n)
        try:
            harness.run(data)
        except LedgerError:
            continue
        accepted.append(data)
    return accepted


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    steps=actions, cuts=st.lists(st.integers(1, 30), max_size=5), read_batch=st.integers(1, 7), flush_every=st.integers(1, 12)
)
def test_any_history_in_any_batch_split_equals_a_rebuild(
    steps: list[Any], cuts: list[int], read_batch: int, flush_every: int
) -> None:
    commands = lawful(steps)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'l.db'}"
        app = Ledger(url, create=True, user="prop")
        try:
            old = runner_module.READ_BATCH, runner_module.FLUSH_EVERY
            runner_module.READ_BATCH, runner_module.FLUSH_EVERY = read_batch, flush_every
            try:
                start = 0
                for cut in sorted(set(cuts)) + [len(commands)]:
                    batch = commands[start:cut]
                    if batch:
                        app.execute([parse_command(c) for c in batch])
                        up_to_date(app)
                    start = max(start, cut)
                up_to_date(app)
                incremental = projection_rows(app)
                ProjectionRunner(app).rebuild()  # from scratch, flushing every few events as well
                assert projection_rows(app) == incremental
            finally:
                runner_module.READ_BATCH, runner_module.FLUSH_EVERY = old
        finally:
            app.close()
            app.engine.dispose()


def test_a_parallel_rebuild_writes_exactly_what_one_process_writes(app: Ledger, monkeypatch: pytest.MonkeyPatch) -> None:
    record(app, *approved(), besoeg(), dialog(), paabud(), *approved(offer="T-2"), besoeg(offer="T-2"))
    record(app, *approved(offer="T-3"), cmd("annullering", "2024-06-01", offer="T-2", annulleret=3, correction_reason="Fejl"))
    record(app, *approved(offer="T-4"), skaerpet(offer="T-4", date="2024-10-01", dialog=None, straks=True,
                                                straks_begrundelse="Akut risiko for borgerne"))
    ProjectionRunner(app).rebuild(workers=1)
    single = projection_rows(app)
    monkeypatch.setattr(runner_module, "PARALLEL_FROM", 1)
    for workers in (1, 2, 3):
        ProjectionRunner(app).rebuild(workers=workers)
        assert projection_rows(app) == single
    # Workers read in case order and keep only the case in progress after a flush: with reads of
    # 4 events and a flush after each, cases span reads and flushes (the workers are forked, so
    # they see these settings).
    monkeypatch.setattr(runner_module, "READ_BATCH", 1)
    for flush_every in (1, 3):
        monkeypatch.setattr(runner_module, "REBUILD_FLUSH_EVERY", flush_every)
        for workers in (1, 2):
            ProjectionRunner(app).rebuild(workers=workers)
            assert projection_rows(app) == single
    assert {s.position for s in ProjectionRunner(app).status()} == {app.head()[0]}


# -- ledger projections check ---------------------------------------------------------------------
def _checked_ledger(app: Ledger) -> ProjectionRunner:
    record(app, *approved(), besoeg(), dialog(), paabud(), *approved(offer="T-2"), besoeg(offer="T-2"))
    record(app, *approved(offer="T-3"), cmd("annullering", "2024-06-01", offer="T-2", annulleret=3, correction_reason="Fejl"))
    return up_to_date(app)


def test_whole_cases_never_splits_a_case_and_reads_every_event_once(app: Ledger) -> None:
    runner = _checked_ledger(app)
    head = runner.head()
    for page in (1, 2, 3, 50):
        batches = list(whole_cases(runner, head, page=page))
        seen = [(n.case_id, n.event.originator_version) for batch in batches for n in batch]
        assert seen == sorted(seen) and len(seen) == head
        for earlier, later in zip(batches, batches[1:]):
            assert earlier[-1].case_id != later[0].case_id


def test_the_check_finds_nothing_in_projections_that_match_the_ledger(app: Ledger) -> None:
    result = check(_checked_ledger(app))
    assert result.ok and result.events == app.head()[0] and result.cases == 3
    assert result.rows["case_states"] == 3 and result.rows["stat_facts"] > 0


def test_the_check_names_every_kind_of_difference_and_a_rebuild_mends_them(app: Ledger) -> None:
    runner = _checked_ledger(app)
    with app.engine.begin() as connection:
        first = connection.execute(sa.select(stat_facts.c.offer_id, stat_facts.c.version, stat_facts.c.kind, stat_facts.c.category)
                                   .order_by(stat_facts.c.offer_id).limit(1)).one()
        connection.execute(stat_facts.update().where(
            stat_facts.c.offer_id == first[0], stat_facts.c.version == first[1], stat_facts.c.kind == first[2],
            stat_facts.c.category == first[3]).values(region="Forkert"))
        connection.execute(case_states.delete().where(case_states.c.offer_key == "T-3"))
        connection.execute(stat_cases.insert().values(offer_id="00000000-0000-0000-0000-000000000000", offer_key="X",
                                                      region="Nord", types="SEL107", pending_since=None))
    result = check(runner)
    found = {(d.table, d.problem.split(" (")[0].split(";")[0]) for d in result.differences}
    assert ("stat_facts", "1 row(s) differ") in found
    assert ("case_states", "1 row(s) missing") in found
    assert ("stat_cases", "rows for a case the ledger does not hold") in found
    assert any(d.case.startswith("T-3 (") for d in result.differences)
    assert any("in region" in d.problem for d in result.differences)
    ProjectionRunner(app).rebuild()
    assert check(up_to_date(app)).ok


def test_the_check_reports_a_projection_behind_the_ledger_and_compares_it_as_far_as_it_has_read(app: Ledger) -> None:
    runner = _checked_ledger(app)
    position = runner.positions()["cases"]
    record(app, besoeg(offer="T-3", date="2024-05-01"))
    result = check(ProjectionRunner(app, ensure=False))
    assert result.ok and result.behind == {"cases": 1, "statistics": 1}
    assert result.positions == {"cases": position, "statistics": position} and result.events == position
    assert runner.positions()["cases"] == position  # the check caught nothing up


def test_a_stored_case_state_holds_every_fact_the_state_keeps() -> None:
    """The cases projection stores a CaseState by its field list (compiled, the state has no
    __dict__): every public attribute its __init__ sets is in the list, and a state read back
    from what is stored is the same."""
    import ast

    from ledger.aggregates.state import _STATE_FIELDS, CaseState

    source = (Path(__file__).parent.parent / "ledger" / "aggregates" / "state.py").read_text(encoding="utf-8")
    cls = next(node for node in ast.parse(source).body if isinstance(node, ast.ClassDef) and node.name == "CaseState")
    init = next(node for node in cls.body if isinstance(node, ast.FunctionDef) and node.name == "__init__")
    assigned = []
    for node in init.body:
        target = node.target if isinstance(node, ast.AnnAssign) else node.targets[0] if isinstance(node, ast.Assign) else None
        if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
            assigned.append(target.attr)
    assert [name for name in assigned if not name.startswith("_")] == list(_STATE_FIELDS)

    state = CaseState()
    state.key, state.visit_count, state.magt_open = "T-1", 3, {"M1": "2024-01-02"}
    again = CaseState.from_json(state.to_json())
    assert again.to_json() == state.to_json()
    assert again.key == "T-1" and again.visit_count == 3 and again.magt_open == {"M1": "2024-01-02"}
