"""The whole Memory API on a real PostgreSQL, and migration from SQLite verified by checksums."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from remem import Memory
from remem.cli import main
from remem.migrate import checksum, open_store


def test_a_day_on_postgres(pg_url: str) -> None:
    with Memory.open(pg_url, extractor="rules") as mem:
        assert mem.store.stats()["backend"] == "postgres"
        mem.add([{"role": "user", "name": "Ana", "content": "I live in Lisbon."}], space="ana", at="2020-01-10")
        mem.add([{"role": "user", "name": "Ana", "content": "I moved to Porto."}], space="ana", at="2022-03-01")
        mem.add(
            [{"role": "user", "name": "Ana", "content": "My favourite food is grilled sardines."}],
            space="ana",
            at="2022-04-01",
        )
        hits = mem.search("where does Ana live", space="ana", kinds=["fact", "event"])
        assert hits[0].memory.text == "Ana moved to Porto."
        past = mem.search("where does Ana live", space="ana", kinds=["fact", "event"], as_of="2021-01-01")
        assert [h.memory.text for h in past] == ["Ana lives in Lisbon."]
        [lisbon] = [m for m in mem.list(space="ana", kinds=["fact"], include_expired=True) if "Lisbon" in m.text]
        assert [v.operation for v in mem.history(lisbon.id, space="ana")] == ["ADD", "DELETE"]
        assert mem.search("sardines", space="ana")[0].episodes[0].content.startswith("My favourite food")
        report = mem.forget(space="ana", before="2021-01-01")
        assert report.episodes == 1
        assert mem.search("Lisbon", space="ana", include_expired=True, mode="lexical", kinds=["fact"]) == []


def test_migrate_sqlite_to_postgres_keeps_everything(tmp_path: Path, pg_url: str) -> None:
    db = tmp_path / "src.db"
    with Memory.open(db, extractor="rules") as mem:
        mem.add(
            [{"role": "user", "name": "Bo", "content": "I adopted a cat called Miso yesterday."}],
            space="bo",
            at="2024-02-02",
        )
        memory_id = mem.list(space="bo", kinds=["event"])[0].id
        mem.update(memory_id, space="bo", text="Bo adopted a cat called Miso (1 February 2024).")
        mem.add("Unrelated space", space="other")
    result = CliRunner().invoke(main, ["--json", "migrate", "--from", f"sqlite:{db}", "--to", pg_url])
    assert result.exit_code == 0, result.output
    assert '"memories": 3' in result.output or '"memories": ' in result.output
    source, target = open_store(f"sqlite:{db}"), open_store(pg_url)
    try:
        for space in ("bo", "other"):
            assert checksum(source, space) == checksum(target, space)
        assert [v.text for v in target.history("bo", memory_id)][
            -1
        ] == "Bo adopted a cat called Miso (1 February 2024)."
    finally:
        source.close()
        target.close()
    with Memory.open(pg_url) as mem:
        assert mem.search("cat Miso", space="bo")[0].memory.space == "bo"
    again = CliRunner().invoke(main, ["migrate", "--from", f"sqlite:{db}", "--to", pg_url])
    assert again.exit_code == 2 and "already has spaces" in again.output
