"""The SLA domain's windows are the contract's (the other words it uses, statuses,
severities, health, RPO statuses, it takes from `msc_contracts.vocabulary` itself)."""

from __future__ import annotations

from typing import get_args

from msc_contracts import vocabulary
from sla_svc.domain import jobs, view


def test_the_windows_are_the_contracts() -> None:
    assert tuple(view.WINDOWS) == get_args(vocabulary.Window)


def test_successful_statuses_are_terminal_and_terminal_ones_end_the_list() -> None:
    assert jobs.SUCCESSFUL < jobs.TERMINAL < set(get_args(vocabulary.JobStatus))
    assert len(vocabulary.TERMINAL_JOB_STATUSES) == len(jobs.TERMINAL)
