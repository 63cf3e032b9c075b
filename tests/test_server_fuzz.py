"""Schemathesis generates requests from the server's own OpenAPI spec: none may produce a 5xx."""

from __future__ import annotations

import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.server_fixture import Server


def test_no_generated_request_gets_a_server_error(server: Server) -> None:
    key = server.key({"*": "write"}, admin=True)  # every space, so requests reach the code behind auth
    server.call("POST", "/v1/spaces/fuzz/add", key, json={"messages": [{"content": "seed memory for the fuzzer"}]})
    schema = schemathesis.openapi.from_url(f"{server.url}/openapi.json")
    failures: list[str] = []
    statuses: list[int] = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1

        @settings(max_examples=50, deadline=None, database=None, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def check(case: schemathesis.Case) -> None:
            # The spec declares bearer auth, so cases come with made-up tokens: use the real one, to
            # reach the code behind the key check (the isolation tests cover the check itself).
            case.headers = {**(case.headers or {}), **key}
            response = case.call(base_url=server.url, timeout=60)
            statuses.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")

        check()
    assert operations >= 14
    assert failures == []
    assert statuses.count(200) > 50 and statuses.count(401) == 0  # most cases got past auth, many succeeded
    assert server.call("GET", "/v1/health").status_code == 200
