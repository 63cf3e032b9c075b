"""The durable extraction queue, for both engines: jobs enqueued, claimed once, finished, failed, requeued."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from remem.errors import NotFound
from remem.store.base import Job
from remem.store.rows import JOB_COLUMNS
from remem.store.sql.engine import SQLEngine, marks
from remem.timeutil import now


class SQLQueue(SQLEngine):
    """The Store contract's queue methods over SQL."""

    def enqueue(self, job: Job) -> None:
        with self._write():
            self._x(f"INSERT INTO jobs ({JOB_COLUMNS}) VALUES ({marks(10)})", self.rows.job_row(job))

    def claim_jobs(
        self, space: str | None, limit: int, worker: str | None = None, job_ids: Sequence[str] | None = None
    ) -> list[Job]:
        where, params = self._narrowed("state = 'pending'", [], space, job_ids)
        with self._write():
            rows = self._q(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = %s, worker = %s "
                f"WHERE ({self.job_key}) IN (SELECT {self.job_key} FROM jobs WHERE {where} "
                f"ORDER BY created_at, id LIMIT %s{self.claim_lock}) RETURNING {JOB_COLUMNS}",
                [self.rows.time_out(now()), worker, *params, limit],
            )
        return sorted((self.rows.job(r) for r in rows), key=lambda j: (j.created_at, j.id))

    def _narrowed(
        self, where: str, params: list[Any], space: str | None, job_ids: Sequence[str] | None
    ) -> tuple[str, list[Any]]:
        """`where` further narrowed to one space and to some jobs, when given."""
        params = list(params)
        if space is not None:
            where += " AND space = %s"
            params.append(space)
        if job_ids is not None:
            clause, values = self._in("id", list(job_ids))
            where += f" AND {clause}"
            params.extend(values)
        return where, params

    def finish_job(self, job_id: str) -> None:
        self._set_job(job_id, "done", None)

    def fail_job(self, job_id: str, error: str) -> None:
        self._set_job(job_id, "failed", error)

    def _set_job(self, job_id: str, state: str, error: str | None) -> None:
        with self._write():
            changed = self._x(
                "UPDATE jobs SET state = %s, error = %s, updated_at = %s WHERE id = %s",
                (state, error, self.rows.time_out(now()), job_id),
            )
        if not changed:
            raise NotFound(f"job {job_id!r} not found")

    def requeue_jobs(self, space: str | None, states: Sequence[str], job_ids: Sequence[str] | None = None) -> int:
        if not states or (job_ids is not None and not job_ids):
            return 0
        where, params = self._narrowed(*self._in("state", list(states)), space, job_ids)
        with self._write():
            return self._x(
                f"UPDATE jobs SET state = 'pending', updated_at = %s WHERE {where}",
                [self.rows.time_out(now()), *params],
            )

    def remember_request(
        self, space: str, key: str, request_hash: str, job_id: str, episode_ids: Sequence[str]
    ) -> tuple[str, str, list[str]] | None:
        """Inside the add's transaction: keep the key with the job and episodes it names, or, when the
        space already holds the key, write nothing and return (request_hash, job_id, episode_ids) of the first."""
        stored = self._x(
            "INSERT INTO idempotency_keys (space, key, request_hash, job_id, episode_ids, created_at) "
            f"VALUES ({marks(6)}) ON CONFLICT DO NOTHING",
            (space, key, request_hash, job_id, self.rows.json_out(list(episode_ids)), self.rows.time_out(now())),
        )
        if stored:
            return None
        rows = self._q(
            "SELECT request_hash, job_id, episode_ids FROM idempotency_keys WHERE space = %s AND key = %s", (space, key)
        )
        return rows[0][0], rows[0][1], list(self.rows.json_in(rows[0][2]))

    def remember_decisions(self, space: str, key: str, decisions: Sequence[Mapping[str, Any]]) -> None:
        """The decisions the request under `key` made, once its job ran: what a retry answers with."""
        with self.transaction():
            self._x(
                "UPDATE idempotency_keys SET decisions = %s WHERE space = %s AND key = %s",
                (self.rows.json_out([dict(d) for d in decisions]), space, key),
            )

    def remembered_decisions(self, space: str, key: str) -> list[dict[str, Any]] | None:
        """The decisions kept for `key`; None while its job has not run (or ran before they were kept)."""
        rows = self._q("SELECT decisions FROM idempotency_keys WHERE space = %s AND key = %s", (space, key))
        if not rows or rows[0][0] is None:
            return None
        return list(self.rows.json_in(rows[0][0]))

    def list_jobs(self, space: str | None, states: Sequence[str] | None = None) -> list[Job]:
        where, params = "1 = 1", list[Any]()
        if space is not None:
            where += " AND space = %s"
            params.append(space)
        if states:
            clause, values = self._in("state", list(states))
            where += f" AND {clause}"
            params.extend(values)
        rows = self._q(f"SELECT {JOB_COLUMNS} FROM jobs WHERE {where} ORDER BY created_at, id", params)
        return [self.rows.job(r) for r in rows]
