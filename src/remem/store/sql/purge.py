"""The rules of a purge, for both engines: what it takes in, and what it leaves behind.

Whatever was derived from a purged episode goes with it (its turn, facts, the session summary);
links to purged memories are dropped, queued jobs forget purged episodes, and the histories of
surviving memories lose reasons that quote what was forgotten.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from remem.errors import InvalidInput
from remem.store.base import PurgeReport
from remem.store.forgotten import FORGOTTEN_REASON, MAX_TEXTS, quotes_forgotten, searchable_texts
from remem.store.sql.engine import SQLEngine


class SQLPurge(SQLEngine):
    """The Store contract's purge over SQL."""

    def purge(
        self,
        space: str,
        *,
        memory_ids: Sequence[str] | None = None,
        episode_ids: Sequence[str] | None = None,
        before: datetime | None = None,
        session: str | None = None,
        everything: bool = False,
    ) -> PurgeReport:
        _require_scope(memory_ids, episode_ids, before, session, everything)
        with self.transaction():
            memories, episodes = self._purge_scope(space, memory_ids, episode_ids, before, session)
            forgotten_texts = searchable_texts(
                self._select_among("SELECT text FROM memories WHERE space = %s", space, "id", memories[:MAX_TEXTS])
            )
            versions = 0
            for chunk in self._chunks(memories):
                clause, params = self._in("memory_id", chunk)
                versions += self._x(f"DELETE FROM memory_versions WHERE space = %s AND {clause}", [space, *params])
                self._x(f"DELETE FROM memory_episodes WHERE space = %s AND {clause}", [space, *params])
            for chunk in self._chunks(episodes):
                clause, params = self._in("episode_id", chunk)
                self._x(f"DELETE FROM memory_episodes WHERE space = %s AND {clause}", [space, *params])
            for chunk in self._chunks(memories):
                self._delete_memory_rows(space, chunk)
            for chunk in self._chunks(episodes):
                clause, params = self._in("id", chunk)
                self._x(f"DELETE FROM episodes WHERE space = %s AND {clause}", [space, *params])
            self._drop_links(space, set(memories))
            if memories or episodes:
                self._scrub_reasons(space, set(memories), set(episodes), forgotten_texts)
            if episodes:
                self._drop_from_jobs(space, set(episodes))
                self._drop_from_keys(space, set(episodes))
            if memories or episodes:
                self._record_scrub(space)
            self._purged(space)
        self._changed(space)
        if memories or episodes:
            self._scrub_soon()
        return PurgeReport(memories=len(memories), episodes=len(episodes), versions=versions)

    def purge_scope(
        self,
        space: str,
        *,
        memory_ids: Sequence[str] | None = None,
        episode_ids: Sequence[str] | None = None,
        before: datetime | None = None,
        session: str | None = None,
        everything: bool = False,
    ) -> tuple[list[str], list[str], int]:
        _require_scope(memory_ids, episode_ids, before, session, everything)
        memories, episodes = self._purge_scope(space, memory_ids, episode_ids, before, session)
        versions = 0
        for chunk in self._chunks(memories):
            clause, params = self._in("memory_id", chunk)
            versions += int(
                self._q(f"SELECT count(*) FROM memory_versions WHERE space = %s AND {clause}", [space, *params])[0][0]
            )
        return memories, episodes, versions

    def _purge_scope(
        self,
        space: str,
        memory_ids: Sequence[str] | None,
        episode_ids: Sequence[str] | None,
        before: datetime | None,
        session: str | None,
    ) -> tuple[list[str], list[str]]:
        """The ids of the memories and episodes a purge removes, each once."""
        if memory_ids or episode_ids:
            memories = self._select_among("SELECT id FROM memories WHERE space = %s", space, "id", memory_ids or ())
            episodes = self._select_among("SELECT id FROM episodes WHERE space = %s", space, "id", episode_ids or ())
        else:
            where, params = "space = %s", list[Any]([space])
            mwhere, mparams = "space = %s", list[Any]([space])
            if before is not None:
                where += " AND event_time < %s"
                params.append(self.rows.time_out(before))
                mwhere += " AND coalesce(valid_from, created_at) < %s"
                mparams.append(self.rows.time_out(before))
            if session is not None:
                where += " AND session = %s"
                params.append(session)
                mwhere += " AND session = %s"
                mparams.append(session)
            episodes = [r[0] for r in self._q(f"SELECT id FROM episodes WHERE {where}", params)]
            memories = [r[0] for r in self._q(f"SELECT id FROM memories WHERE {mwhere}", mparams)]
        # Whatever was derived from a purged episode goes with it.
        memories += self._select_among(
            "SELECT DISTINCT memory_id FROM memory_episodes WHERE space = %s", space, "episode_id", episodes
        )
        return list(dict.fromkeys(memories)), episodes

    def _drop_links(self, space: str, gone: set[str]) -> None:
        """Links to purged memories would point at nothing; drop them."""
        for memory_id, stored in self._q("SELECT id, links FROM memories WHERE space = %s AND links != '[]'", (space,)):
            links = self.rows.json_in(stored)
            kept = [x for x in links if x not in gone]
            if len(kept) != len(links):
                self._x(
                    "UPDATE memories SET links = %s WHERE space = %s AND id = %s",
                    (self.rows.json_out(kept), space, memory_id),
                )

    def _scrub_reasons(self, space: str, memories: set[str], episodes: set[str], texts: list[str]) -> None:
        """Replace the reasons of surviving versions that quote what this purge forgets."""
        self._many(
            "UPDATE memory_versions SET reason = %s, episode_id = %s WHERE space = %s AND memory_id = %s AND seq = %s",
            [
                (FORGOTTEN_REASON, None if episode_id in episodes else episode_id, space, memory_id, seq)
                for memory_id, seq, reason, episode_id in self._q(
                    "SELECT memory_id, seq, reason, episode_id FROM memory_versions WHERE space = %s", (space,)
                )
                if quotes_forgotten(reason, episode_id, memories=memories, episodes=episodes, texts=texts)
            ],
        )

    def _drop_from_keys(self, space: str, gone: set[str]) -> None:
        """An idempotency key that names a purged episode goes: its request's hash is the forgotten words'."""
        for key, stored in self._q("SELECT key, episode_ids FROM idempotency_keys WHERE space = %s", (space,)):
            if any(e in gone for e in self.rows.json_in(stored)):
                self._x("DELETE FROM idempotency_keys WHERE space = %s AND key = %s", (space, key))

    def _drop_from_jobs(self, space: str, gone: set[str]) -> None:
        """Queued jobs forget purged episodes; a job left with none goes."""
        for job_id, stored in self._q("SELECT id, episode_ids FROM jobs WHERE space = %s", (space,)):
            episode_ids = self.rows.json_in(stored)
            remaining = [e for e in episode_ids if e not in gone]
            if not remaining:
                self._x("DELETE FROM jobs WHERE space = %s AND id = %s", (space, job_id))
            elif len(remaining) != len(episode_ids):
                self._x(
                    "UPDATE jobs SET episode_ids = %s WHERE space = %s AND id = %s",
                    (self.rows.json_out(remaining), space, job_id),
                )


def _require_scope(
    memory_ids: Sequence[str] | None,
    episode_ids: Sequence[str] | None,
    before: datetime | None,
    session: str | None,
    everything: bool,
) -> None:
    """A purge (or its preview) names what it removes; checked before any lock is taken."""
    if not (memory_ids or episode_ids or before or session is not None or everything):
        raise InvalidInput("purge needs memory or episode ids, a 'before' time, a session, or everything=True")
