"""Schemathesis over the live spec of a real server: every generated request, one at a time and in
chains that follow the spec's links (list spaces -> add -> search -> PATCH -> history -> export), gets
an answer the spec documents, in the shape it documents, and never a 5xx other than 503 and 507.

Strings are drawn from all of Unicode, lone surrogates and NUL included (codec=None), and about one
request in ten breaks the schema on purpose (negative mode).
"""

from __future__ import annotations

import contextlib
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import FlakyStrategyDefinition
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.server_fixture import ADMIN, Server, free_port

CHECKS = [status_code_conformance, content_type_conformance, response_schema_conformance]
DOCUMENTED_5XX = {503, 507}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    server = Server(tmp_path_factory.mktemp("schemathesis") / "server.db", free_port()).start()
    try:
        key = server.key({"*": "write"})  # every space, so requests reach the code behind auth
        seeded = server.call("POST", "/v1/spaces/fuzz/add", key, json={"messages": [{"content": "I live in Oslo"}]})
        assert seeded.status_code == 200, seeded.text
        yield server, key
    finally:
        server.kill()


def _schema(server: Server, key: dict[str, str]) -> Any:
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    schema.config.update(base_url=server.url, headers=key)
    schema.config.generation.codec = None  # any code point: lone surrogates too
    return schema


def _key_for(case: Any, key: dict[str, str]) -> dict[str, str]:
    """Keys are managed with the bootstrap token, which no generated DELETE /v1/keys/{id} can revoke."""
    return {"Authorization": f"Bearer {ADMIN}"} if case.path.startswith("/v1/keys") else key


class Findings:
    """What went wrong, gathered rather than raised: Hypothesis would spend minutes shrinking each."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.statuses: Counter[tuple[str, int]] = Counter()

    def check(self, case: Any, response: Any, **kwargs: Any) -> None:
        status = response.status_code
        self.statuses[(case.operation.label, status)] += 1
        where = f"{case.method} {case.formatted_path} body={str(case.body)[:150]!r}"
        if status >= 500 and status not in DOCUMENTED_5XX:
            self.problems.append(f"{where} -> {status}: {response.text[:300]}")
            return
        try:
            case.validate_response(response, checks=CHECKS, transport_kwargs=kwargs or None)
        except (Exception, BaseExceptionGroup) as exc:  # a FailureGroup naming each check that failed
            self.problems.append(f"{where} -> {status}: {str(exc)[:600]}")

    def served(self, label: str) -> int:
        return sum(n for (operation, status), n in self.statuses.items() if operation == label and status == 200)


def test_chains_that_follow_the_links_get_documented_answers(live: tuple[Server, dict[str, str]]) -> None:
    server, key = live
    findings = Findings()
    # Key management stays out of the chains: GET /v1/keys -> DELETE /v1/keys/{id} would revoke the key
    # the chains use. The per-operation run below covers it.
    machine = _schema(server, key).exclude(path_regex="^/v1/keys").as_state_machine()

    class Workflow(machine):  # type: ignore[misc, valid-type]
        def before_call(self, case: Any) -> None:
            case.headers = {**(case.headers or {}), **_key_for(case, key)}  # a real key, not a generated token

        def validate_response(self, response: Any, case: Any, additional_checks: Any = None, **kwargs: Any) -> None:
            findings.check(case, response, **kwargs)

    # The server keeps what each chain wrote, so a later chain can find a list longer than an earlier one
    # that made the same choices did, and Hypothesis stops generating (FlakyStrategyDefinition). That is
    # not a finding about the server: everything answered up to then is checked below, and the chains
    # must have got somewhere.
    with contextlib.suppress(FlakyStrategyDefinition):
        Workflow.run(
            settings=settings(
                max_examples=40,
                stateful_step_count=8,
                deadline=None,
                database=None,
                derandomize=True,
                suppress_health_check=list(HealthCheck),
            )
        )
    assert findings.problems == []
    # The chains got somewhere: spaces listed, memories added, then found, changed, traced and exported.
    for label in ("GET /v1/spaces", "POST /v1/spaces/{space}/add", "POST /v1/spaces/{space}/search"):
        assert findings.served(label) > 0, (label, findings.statuses)
    followed = sum(
        findings.served(label)
        for label in (
            "PATCH /v1/spaces/{space}/memories/{memory_id}",
            "GET /v1/spaces/{space}/memories/{memory_id}/history",
            "GET /v1/spaces/{space}/memories/{memory_id}",
        )
    )
    assert followed > 0, findings.statuses
    assert server.call("GET", "/v1/health").status_code == 200


def test_every_operation_gets_documented_answers_to_generated_requests(live: tuple[Server, dict[str, str]]) -> None:
    server, key = live
    findings = Findings()
    operations = 0
    for result in _schema(server, key).get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(
            max_examples=30, deadline=None, database=None, derandomize=True, suppress_health_check=list(HealthCheck)
        )
        @given(case=operation.as_strategy())
        def check(case: Any) -> None:
            case.headers = {**(case.headers or {}), **_key_for(case, key)}
            findings.check(case, case.call(timeout=60))

        check()
    assert operations >= 15
    assert findings.problems == []
    total = sum(findings.statuses.values())
    ok = sum(n for (_, status), n in findings.statuses.items() if status == 200)
    unauthenticated = sum(n for (_, status), n in findings.statuses.items() if status == 401)
    assert ok > total // 10 and unauthenticated == 0, findings.statuses  # most got past auth, many succeeded
    assert server.call("GET", "/v1/health").status_code == 200


def test_a_body_that_is_not_json_is_refused_in_words(live: tuple[Server, dict[str, str]]) -> None:
    """Schemathesis sent b'\\x00' as a body; FastAPI's answer was '0: JSON decode error'."""
    server, key = live
    before = server.call("GET", "/v1/spaces/fuzz/stats", key).json()["episodes"]
    for body in (b"\x00", b'{"messages": [', b"[1, 2"):
        response = server.call(
            "POST", "/v1/spaces/fuzz/add", key, content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        message = response.json()["error"]["message"]
        assert message.startswith("the body is not valid JSON (") and "send UTF-8 JSON" in message, message
    assert server.call("GET", "/v1/spaces/fuzz/stats", key).json()["episodes"] == before
