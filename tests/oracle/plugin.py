"""Session-wide spec oracle (loaded by tests/conftest.py): every request the server sends to the AIOZ sandbox is
checked against the official spec when the run ends; a violation fails the run (exit status 1) with a readable
list in the terminal summary. Done in session hooks, not a fixture teardown, so that no test's xfail mark can
swallow it."""

from __future__ import annotations

import os
import time
from collections.abc import Generator
from typing import Any

import pytest

from tests.oracle.capture import RECORDED, Recorded
from tests.oracle.spec import KNOWN_DEFECTS, check, known_defect, violations

#: Flows of tests/oracle/test_request_oracle.py that ran in this session (a KnownDefect is only judged stale
#: when the flow that exercises it ran).
FLOWS_RUN: set[str] = set()
_REPORT: list[str] = []
_STATS: dict[str, float] = {}


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item: pytest.Item) -> Generator[None, Any, None]:
    RECORDED.current_test = item.nodeid
    yield
    RECORDED.current_test = "(between tests)"


def oracle_report(sink: Recorded = RECORDED) -> list[str]:
    """Violations of every request captured so far (not explained by ALLOWED or KNOWN_DEFECTS), and stale
    KNOWN_DEFECTS entries; empty when all is well."""
    requests = sink.take()
    if not requests:
        return []
    started = time.perf_counter()
    found = violations(requests)
    _STATS.update(requests=len(requests), seconds=time.perf_counter() - started)
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
    return report


@pytest.hookimpl(trylast=True)  # after the session fixtures (the sandbox) are torn down
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _REPORT[:] = oracle_report()
    if _REPORT and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _STATS:
        terminalreporter.write_line(
            f"AIOZ spec oracle: {_STATS['requests']:.0f} sandbox requests checked in {_STATS['seconds']:.1f} s"
        )
    if _REPORT:
        terminalreporter.section("AIOZ spec oracle: FAILED", sep="=", red=True, bold=True)
        for line in _REPORT:
            terminalreporter.line(line)
