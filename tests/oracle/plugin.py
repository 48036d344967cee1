"""Session-wide spec oracle (loaded by tests/conftest.py): every request any test sends to the AIOZ sandbox is
checked against the official spec at the end of the run; a violation fails the run with a readable list."""

from __future__ import annotations

import os
from collections.abc import Generator, Iterator
from typing import Any

import pytest

from tests.oracle.capture import RECORDED
from tests.oracle.spec import KNOWN_DEFECTS, check, known_defect, violations

#: Flows of tests/oracle/test_request_oracle.py that ran in this session (a KnownDefect is only judged stale
#: when the flow that exercises it ran).
FLOWS_RUN: set[str] = set()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, Any, None]:
    RECORDED.current_test = item.nodeid
    yield
    RECORDED.current_test = "(between tests)"


@pytest.fixture(scope="session", autouse=True)
def aioz_spec_oracle() -> Iterator[None]:
    yield
    requests = RECORDED.take()
    if not requests:
        return
    found = violations(requests)
    if dump := os.environ.get("AIOZ_ORACLE_DUMP"):  # every request and its findings, allowed ones included
        with open(dump, "w") as fh:
            for raw in requests:
                problems = [v.problem for v in check(raw)]
                fh.write(f"{raw.method} {raw.path}?{raw.query} {raw.headers.get('content-type', '')} "
                         f"{raw.body[:300]!r} -> {problems}\n")  # fmt: skip
    unexplained = [v for v in found if known_defect(v) is None]
    seen = {known_defect(v) for v in found} - {None}
    stale = [d for d in KNOWN_DEFECTS if d.flow in FLOWS_RUN and d not in seen]
    report: list[str] = []
    if unexplained:
        report.append(f"{len(unexplained)} AIOZ request(s) the official spec refuses (tests/oracle/spec.py):")
        report += [f"  - {v.line()}" for v in unexplained[:60]]
        if len(unexplained) > 60:
            report.append(f"  ... and {len(unexplained) - 60} more")
    if stale:
        report.append("KNOWN_DEFECTS entries no longer seen (fixed? remove them from tests/oracle/spec.py):")
        report += [f"  - {d.method} {d.path}: {d.why}" for d in stale]
    assert not report, "\n".join(report)
