"""The domain's vocabularies are the contract's: statuses, severities, windows, health."""

from __future__ import annotations

from typing import get_args

from msc_contracts import events, vocabulary
from sla_svc.domain import jobs, view


def test_terminal_statuses_are_the_contracts() -> None:
    assert set(jobs.TERMINAL_STATUSES) == events.TERMINAL_JOB_STATUSES == jobs.TERMINAL
    assert jobs.SUCCESSFUL < jobs.TERMINAL
    assert set(get_args(events.JobStatus)) > jobs.TERMINAL


def test_severities_windows_and_health_are_the_contracts() -> None:
    assert get_args(events.AlertSeverity) == view.SEVERITIES
    assert tuple(view.WINDOWS) == get_args(vocabulary.Window)
    assert get_args(view.Health) == get_args(vocabulary.Health)
