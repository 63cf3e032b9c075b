"""Inputs that once gave 500 (and some that were stored and then broke the space) get a 400 and change
nothing; the log cannot be forged; a damaged or missing database is one clear error."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.server_fixture import Server, free_port

JSON = {"Content-Type": "application/json"}


def _counts(server: Server) -> tuple[int, ...]:
    with sqlite3.connect(server.db) as conn:
        return tuple(
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("episodes", "memories", "memory_versions", "jobs")
        )


def _raw(body: str) -> dict[str, Any]:
    """A JSON body written by hand, so it can carry escapes (a lone surrogate) no encoder would produce."""
    return {"content": body.encode(), "headers": JSON}


def _nested(levels: int) -> str:
    return '{"a": ' * levels + "1" + "}" * levels


def test_inputs_that_gave_500_get_400_and_store_nothing(server: Server) -> None:
    key = server.key({"*": "write"})  # every space, so a bad name reaches the check behind the key
    added = server.call("POST", "/v1/spaces/s/add", key, json={"messages": [{"content": "I live in Lisbon."}]})
    memory_id = added.json()["decisions"][0]["memory_id"]
    before = _counts(server)
    patch = f"/v1/spaces/s/memories/{memory_id}"
    bad_date = "0001-01-01T00:00:00+01:00"
    cases: list[tuple[str, str, dict[str, Any], str]] = [
        ("POST", "/v1/spaces/s/add", _raw(r'{"messages":[{"content":"x","metadata":{"k":"\ud800"}}]}'), "surrogate"),
        ("POST", "/v1/spaces/s/add", _raw(r'{"messages":[{"content":"x\udc00"}]}'), ""),
        ("POST", "/v1/spaces/s/add", _raw(r'{"messages":[{"content":"x"}],"session":"\ud800"}'), "session"),
        ("POST", "/v1/spaces/s/add", _raw(r'{"messages":[{"content":"x","name":"A\u0000"}]}'), "NUL"),
        ("POST", "/v1/spaces/s/add", _raw(r'{"messages":[{"content":"x"}],"session":"s\u0000"}'), "NUL"),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x"}], "at": "0999-12-31"}}, "at must be"),
        ("POST", "/v1/spaces/s/add", {"json": {"messages": [{"content": "x"}], "at": bad_date}}, "at must be"),
        ("POST", "/v1/spaces/s/add", _raw('{"messages":[{"content":"x","metadata":' + _nested(400) + "}]}"), "nested"),
        ("POST", "/v1/spaces/s/add", _raw('{"messages":[{"content":"x","metadata":' + _nested(900) + "}]}"), ""),
        ("POST", "/v1/spaces/s%0A/add", {"json": {"messages": [{"content": "x"}]}}, "not a valid name"),
        ("PATCH", patch, {"json": {"valid_from": "0999-01-01"}}, "valid_from must be between"),
        ("PATCH", patch, {"json": {"valid_to": bad_date}}, "valid_to must be between"),
        ("PATCH", patch, _raw(r'{"tags":["\ud800"]}'), "tags[0] contains a lone surrogate"),
        ("PATCH", patch, _raw(r'{"text":"new \udfff"}'), "text contains a lone surrogate"),
        ("POST", "/v1/spaces/s/search", _raw(r'{"query":"x","session":"\ud800"}'), "session"),
        ("POST", "/v1/spaces/s/search", _raw(r'{"query":"x","tags":["\ud800"]}'), "tags[0]"),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "x", "tags": [str(i) for i in range(60_000)]}}, "limit"),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "x", "as_of": bad_date}}, "as_of must be between"),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "x", "since": bad_date}}, "since must be between"),
        ("POST", "/v1/spaces/s/search", {"json": {"query": "x", "until": bad_date}}, "until must be between"),
        ("POST", "/v1/spaces/s/ask", {"json": {"question": "x", "as_of": bad_date}}, "as_of must be between"),
        ("POST", "/v1/spaces/s/forget", _raw(r'{"session":"\ud800"}'), "session"),
        ("POST", "/v1/spaces/s/forget", _raw(r'{"ids":["\ud800"]}'), "ids[0]"),
        ("POST", "/v1/spaces/s/forget", {"json": {"before": bad_date}}, "before must be between"),
    ]
    for method, path, kw, message in cases:
        response = server.call(method, path, key, **kw)
        assert response.status_code == 400, (method, path, response.status_code, response.text[:300])
        assert message in response.json()["error"]["message"], (path, response.json())
    assert _counts(server) == before
    # The space reads as before, through every door.
    assert server.call("GET", "/v1/spaces/s/memories", key).status_code == 200
    assert server.call("GET", patch, key).json()["text"] == "I live in Lisbon."
    assert server.call("POST", "/v1/spaces/s/search", key, json={"query": "lisbon"}).json()["hits"]
    export = server.call("GET", "/v1/spaces/s/export", key)
    assert export.status_code == 200 and [json.loads(line)["type"] for line in export.text.splitlines()] == [
        "episode",
        "memory",
    ]


def test_import_refuses_bad_records_and_answers_the_same_for_anyone_s_ids(server: Server) -> None:
    owner, me = server.key({"them": "write"}), server.key({"me": "write"})
    server.call("POST", "/v1/spaces/them/add", owner, json={"messages": [{"content": "Their plan."}]})
    theirs = [json.loads(line) for line in server.call("GET", "/v1/spaces/them/export", owner).text.splitlines()]
    episode, item = theirs
    before = _counts(server)
    fresh = {
        **item,
        "id": "mem_nobody_has_this",
        "versions": [{**item["versions"][0], "memory_id": "mem_nobody_has_this"}],
    }
    cases = [
        ('{"type": "memory", "metadata": ' + _nested(100_000) + "}\n").encode(),
        (json.dumps({**fresh, "strength": "nan"}) + "\n").encode(),
        (json.dumps({**fresh, "version": 2**63}) + "\n").encode(),
        (json.dumps({**fresh, "text": "x"}).replace('"text": "x"', r'"text": "x\ud800"') + "\n").encode(),
        (json.dumps({**fresh, "kind": "gossip"}) + "\n").encode(),
        (json.dumps({**fresh, "text": "x" * 40_000}) + "\n").encode(),
        (json.dumps(fresh) + "\n" + json.dumps(fresh) + "\n").encode(),  # the same new id twice
    ]
    for body in cases:
        response = server.call("POST", "/v1/spaces/me/import", me, content=body)
        assert response.status_code == 400, (body[:80], response.status_code, response.text[:300])
    assert _counts(server) == before
    # An id another space holds, and one nobody holds: the same answer.
    unknown = server.call("POST", "/v1/spaces/me/import", me, content=(json.dumps(fresh) + "\n").encode())
    held = server.call(
        "POST", "/v1/spaces/me/import", me, content=f"{json.dumps(episode)}\n{json.dumps(item)}\n".encode()
    )
    assert (unknown.status_code, held.status_code) == (200, 200), (unknown.text, held.text)
    assert server.call("GET", "/v1/spaces/them/memories", owner).json()["items"][0]["text"] == "Their plan."


def test_a_forged_log_line_is_escaped(server: Server) -> None:
    key = server.key({"s": "write"})
    server.call("GET", "/v1/spaces/s/memories/x%0A2024 FORGED GET /v1/admin 200%00", key)
    log = server.log_text(waiting_for="FORGED")
    assert not any(line.startswith("2024 FORGED") for line in log.splitlines())
    assert "x\\n2024 FORGED GET /v1/admin 200\\x00" in log and "\x00" not in log


def test_a_damaged_database_answers_503_not_500(server: Server) -> None:
    key = server.key({"s": "write"})
    for i in range(30):
        server.call("POST", "/v1/spaces/s/add", key, json={"messages": [{"content": f"turn {i} about Lisbon"}]})
    with sqlite3.connect(server.db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = server.db.stat().st_size
    with server.db.open("r+b") as damaged:  # every page but the first overwritten: a bad disk, or a bad copy
        damaged.seek(4096)
        damaged.write(b"\xa5" * (size - 4096))
    response = server.call("GET", "/v1/spaces/s/memories", key)
    assert response.status_code == 503, response.text
    assert "restore it from a backup" in response.json()["error"]["message"]


def test_a_garbage_file_or_a_bad_path_is_one_line_from_the_cli(tmp_path: Path) -> None:
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"not sqlite at all " * 1000)
    remem = str(Path(sys.executable).with_name("remem"))
    for database, command, message in [
        (garbage, ["serve", "--port", "1"], "file is not a database"),
        (garbage, ["stats"], "file is not a database"),
        (tmp_path, ["stats"], "is a folder"),
        (tmp_path / "a" / "b" / "c.db", ["stats"], "does not exist; create it first"),
    ]:
        run = subprocess.run([remem, "--db", str(database), *command], capture_output=True, text=True, timeout=60)
        assert run.returncode == 2, run.stderr
        assert "Traceback" not in run.stderr and message in run.stderr, run.stderr
        assert len(run.stderr.strip().splitlines()) == 1, run.stderr
    assert not (tmp_path / "a").exists()


def test_half_sent_requests_are_closed_at_the_deadline_and_others_are_still_served(tmp_path: Path) -> None:
    """Slow or unfinished requests (half the headers, a body announced and never sent) are closed
    after REMEM_READ_TIMEOUT; meanwhile and afterwards, everyone else is answered."""
    running = Server(tmp_path / "s.db", free_port(), env={"REMEM_READ_TIMEOUT": "2"}).start()
    sockets = []
    try:
        for n in range(60):
            sock = socket.create_connection(("127.0.0.1", running.port), timeout=30)
            if n % 2:
                sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ")  # headers never end
            else:
                sock.sendall(b"POST /v1/spaces/a/add HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{")
            sockets.append(sock)
        assert running.call("GET", "/v1/health").status_code == 200  # served while they hang
        time.sleep(3)
        for n, sock in enumerate(sockets):
            received = b""
            while chunk := sock.recv(4096):  # until the server closes it (the socket's timeout fails the test)
                received += chunk
            # Unfinished headers get nothing; an unsent body may get the answer the app gave
            # without it (here 401: no key), then the close.
            assert received == b"" if n % 2 else received.startswith(b"HTTP/1.1 4")
        assert running.call("GET", "/v1/health").status_code == 200
        # A request that arrives in full, however long its handler then takes, is not cut off.
        key = running.key({"a": "write"})
        text = "word " * 4_000
        assert running.call("POST", "/v1/spaces/a/add", key, json={"messages": [{"content": text}]}).status_code == 200
    finally:
        for sock in sockets:
            sock.close()
        running.kill()


def test_past_the_connection_cap_a_request_is_refused_at_once_not_queued(tmp_path: Path) -> None:
    running = Server(tmp_path / "s.db", free_port(), env={"REMEM_MAX_CONNECTIONS": "8"}).start()
    sockets = [socket.create_connection(("127.0.0.1", running.port), timeout=10) for _ in range(12)]
    try:
        for sock in sockets:
            sock.sendall(b"GET /v1/health HTTP/1.1\r\nHost: x\r\n")  # held open, headers unfinished
        time.sleep(0.5)
        refused = running.call("GET", "/v1/health")
        assert refused.status_code == 503
    finally:
        for sock in sockets:
            sock.close()
    time.sleep(0.5)
    assert running.call("GET", "/v1/health").status_code == 200  # and served again once they are gone
    running.kill()
