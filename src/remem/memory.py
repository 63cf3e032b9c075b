"""Memory: the one object that the Python API, CLI, HTTP server and MCP server all wrap."""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import json
import logging
import os
import re
import socket
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from types import TracebackType
from typing import Any, Literal, overload

from remem import documents, validate
from remem.answer import Answer, answer
from remem.embed import Embedder
from remem.embed import from_settings as embedder_from_settings
from remem.errors import Conflict, InvalidInput, RememError, StorageFull
from remem.ids import new_id
from remem.portable import import_records
from remem.search.hybrid import MODES, Mode, SearchPlan
from remem.search.hybrid import search as hybrid_search
from remem.search.locality import with_adjacent_turns
from remem.settings import Settings
from remem.store import Store
from remem.store import from_settings as store_from_settings
from remem.store.base import Job, PurgeReport
from remem.timeutil import TimeLike, now, parse_time
from remem.types import KINDS, AddResult, Decision, Episode, Filters, Hit, MemoryItem, Version
from remem.write.extract import Extractor, index_text
from remem.write.pipeline import run_job, snapshot, version_record
from remem.write.reconcile import Reconciler
from remem.write.wiring import write_path

log = logging.getLogger("remem")
STALE_JOB = timedelta(minutes=10)  # a "running" job untouched this long was orphaned by a crash
_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9._:-]{1,64}")
EDIT_ATTEMPTS = 20  # an edit is made again on what another writer stored at most this many times
INTERRUPTED = "interrupted (Ctrl-C)"  # how a job Ctrl-C stopped is marked failed, so the next open resumes it


def _worker() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"  # computed per call: a fork has a new pid


def _orphaned(worker: str | None) -> bool:
    """True when the job's worker was a process on this host that no longer exists."""
    host, _, pid = (worker or "").rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


class Memory:
    """Long-term memory for agents: add what happened, search it, ask it, correct it, forget it."""

    def __init__(
        self,
        store: Store,
        embedder: Embedder,
        settings: Settings,
        *,
        extractor: Extractor | None = None,
        reconciler: Reconciler | None = None,
        llm: Any = None,
    ) -> None:
        self.settings = settings
        self.llm = llm
        self.store = store
        self.embedder = embedder
        default_extractor, default_reconciler, self.summarizer = write_path(settings, llm)
        self.extractor = extractor or default_extractor
        self.reconciler = reconciler or default_reconciler
        store.bind_embedder(embedder.name, embedder.dim)
        #: Jobs an interrupted run left behind (its worker gone), queued again when this Memory opened.
        self.resumed: builtins.list[Job] = self._resume_orphans(None)

    @classmethod
    def open(
        cls,
        database: str | Path | None = None,
        *,
        settings: Settings | None = None,
        embedder: Embedder | None = None,
        extractor: Extractor | str | None = None,
        reconciler: Reconciler | None = None,
        **overrides: Any,
    ) -> Memory:
        """Open (creating on demand) the store at `database`: a SQLite path or a postgresql:// URL.

        Keyword overrides are settings (e.g. `extractor="turns"`, `process="queue"`); an Extractor
        or Reconciler object replaces the one the settings would choose.
        """
        if isinstance(extractor, str):
            overrides["extractor"] = extractor
            extractor = None
        if settings is None:
            settings = Settings.load(database=str(database) if database else None, **overrides)
        elif database is not None or overrides:
            settings = settings.model_copy(update={"database": str(database or settings.database), **overrides})
        store = store_from_settings(settings)
        try:
            from remem.llm.openai_compat import from_settings as llm_from_settings

            return cls(
                store,
                embedder or embedder_from_settings(settings, bound=store.embedder_binding()),
                settings,
                extractor=extractor,
                reconciler=reconciler,
                llm=llm_from_settings(settings),
            )
        except BaseException:
            store.close()
            raise

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # -- write ------------------------------------------------------------------------------
    def add(
        self,
        messages: str | Mapping[str, Any] | Sequence[str | Mapping[str, Any]],
        *,
        space: str = "default",
        session: str | None = None,
        at: TimeLike | None = None,
        source: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        idempotency_key: str | None = None,
    ) -> AddResult:
        """Store the messages as episodes (always, first), then turn them into memories.

        Each message is {"role", "content"} with optional "name", "at" (event time, ISO-8601),
        "source" and "metadata". `at` is the default event time for messages without one.

        With an `idempotency_key` (per space), a retry of the same call returns the first call's
        episodes and job, finishing its extraction if that failed, instead of storing the turns
        again; the same key with different messages or options raises Conflict.
        """
        space = validate.space_name(space)
        session = validate.optional_name(session, "session")
        source = validate.optional_name(source, "source")
        default_time = parse_time(at, "at")
        shared_metadata = validate.metadata(metadata, "metadata")
        parsed = validate.messages(messages, max_chars=self.settings.max_text_chars, max_batch=self.settings.max_batch)
        key = _idempotency_key(idempotency_key)
        request = {"messages": parsed, "session": session, "at": default_time, "source": source}
        request_hash = hashlib.sha256(
            json.dumps({**request, "metadata": shared_metadata}, sort_keys=True, default=str).encode()
        ).hexdigest()
        stamp = now()
        episodes = [
            Episode(
                id=new_id("ep"),
                space=space,
                role=m["role"],
                content=m["content"],
                session=session,
                event_time=m["at"] or default_time or stamp,
                ingest_time=stamp,
                source=m["source"] or source,
                name=m["name"],
                metadata={**shared_metadata, **m["metadata"]},
            )
            for m in parsed
        ]
        job = Job(
            id=new_id("job"),
            space=space,
            episode_ids=[e.id for e in episodes],
            state="pending",
            attempts=0,
            error=None,
            created_at=stamp,
            updated_at=stamp,
        )
        with self.store.transaction():
            first = self.store.remember_request(space, key, request_hash, job.id, job.episode_ids) if key else None
            if first is None:
                self.store.insert_episodes(episodes)
                self.store.enqueue(job)
        if first is not None and key is not None:
            return self._replay(space, key, request_hash, first)
        if self.settings.process == "queue":
            return AddResult(episodes=episodes, decisions=[], job_id=job.id, status="queued")
        claimed = self.store.claim_jobs(space, 1, worker=_worker(), job_ids=[job.id])
        # Another worker may have claimed it first; then that worker reports it.
        decisions, error = self._run(claimed[0]) if claimed else ([], None)
        if key is not None and claimed and error is None:
            self.store.remember_decisions(space, key, [d.to_dict() for d in decisions])
        status = "failed" if error else ("done" if claimed else "queued")
        return AddResult(episodes=episodes, decisions=decisions, job_id=job.id, status=status, error=error)

    def _replay(self, space: str, key: str, request_hash: str, first: tuple[str, str, builtins.list[str]]) -> AddResult:
        """The first result of a request sent again with its idempotency key, its extraction finished if it failed."""
        first_hash, job_id, episode_ids = first
        if first_hash != request_hash:
            raise Conflict(
                f"idempotency key {key!r} was used in space {space!r} for a different request; "
                "send a new key with new messages"
            )
        episodes = self.store.get_episodes(space, episode_ids)
        job = next((j for j in self.store.list_jobs(space) if j.id == job_id), None)
        state = job.state if job is not None else "done"  # a job whose turns were all forgotten is gone
        if state == "failed":
            self.store.requeue_jobs(space, ["failed"], job_ids=[job_id])
            state = "pending"
        if state == "pending" and self.settings.process != "queue":
            claimed = self.store.claim_jobs(space, 1, worker=_worker(), job_ids=[job_id])
            if claimed:
                decisions, error = self._run(claimed[0])
                if error is None:
                    self.store.remember_decisions(space, key, [d.to_dict() for d in decisions])
                status = "failed" if error else "done"
                return AddResult(episodes=episodes, decisions=decisions, job_id=job_id, status=status, error=error)
        status = {"done": "done", "failed": "failed"}.get(state, "queued")
        # The first answer's decisions, when its job ran in an add (a queued job's ran elsewhere: none kept).
        kept = self.store.remembered_decisions(space, key) if status == "done" else None
        decisions = [Decision(**d) for d in kept or []]
        return AddResult(episodes=episodes, decisions=decisions, job_id=job_id, status=status)

    def _run(self, job: Job) -> tuple[builtins.list[Decision], str | None]:
        try:
            return run_job(self.store, self.embedder, self.extractor, self.reconciler, job, self.summarizer), None
        except StorageFull as exc:
            # The episodes and the job are committed: mark it failed (if even that fits) so it is retryable,
            # and say so, rather than answering as if the turns were lost or leaving it "running".
            with contextlib.suppress(StorageFull):
                self.store.fail_job(job.id, f"the disk is full: {exc}")
            raise StorageFull(
                f"the disk is full: the {len(job.episode_ids)} turn(s) are stored, but extracting memories from "
                f"them needs more room; job {job.id} waits as failed. Free some space, then run `remem retry` "
                "or send the same add again with its idempotency key"
            ) from exc
        except RememError as exc:
            # The episodes are safe; the job waits in the queue for `process_pending`/`retry`.
            self.store.fail_job(job.id, f"{type(exc).__name__}: {exc}")
            return [], str(exc)
        except KeyboardInterrupt:
            # Ctrl-C: the job's own writes were rolled back; say so in the queue instead of leaving it
            # "running" forever, then let the interrupt go on.
            self.store.fail_job(job.id, f"{INTERRUPTED} before it finished; the next open queues it again")
            raise
        except Exception as exc:
            # A bug in extraction must not leave the job "running" forever behind stored episodes:
            # it is recorded as failed, retryable once the cause is fixed, and logged in full.
            log.exception("extraction job %s failed", job.id)
            self.store.fail_job(job.id, f"internal error: {type(exc).__name__}: {exc}")
            return [], f"internal error in extraction ({type(exc).__name__}); the episodes are stored, retry later"

    def process_pending(self, *, space: str | None = None, limit: int = 100) -> dict[str, int]:
        """Run queued extraction jobs (and ones orphaned by a crash); returns counts by outcome."""
        self._requeue_stale(space)
        done = failed = 0
        while True:
            jobs = self.store.claim_jobs(space, min(limit - done - failed, 50), worker=_worker())
            if not jobs:
                break
            for job in jobs:
                _, error = self._run(job)
                failed += error is not None
                done += error is None
            if done + failed >= limit:
                break
        return {"done": done, "failed": failed, "pending": len(self.store.list_jobs(space, ["pending"]))}

    def retry(self, *, space: str | None = None) -> int:
        """Put failed jobs back in the queue; returns how many."""
        return self.store.requeue_jobs(space, ["failed"])

    def _requeue_stale(self, space: str | None) -> None:
        cutoff = now() - STALE_JOB
        stale = [j.id for j in self.store.list_jobs(space, ["running"]) if j.updated_at < cutoff]
        self.store.requeue_jobs(space, ["running"], job_ids=stale)
        self._resume_orphans(space)

    def _resume_orphans(self, space: str | None) -> builtins.list[Job]:
        """Queue again the jobs whose worker is gone: a process of this host that no longer runs (killed,
        or stopped by a signal Python could not handle) left them running, or Ctrl-C left them failed."""
        orphans = [
            j
            for j in self.store.list_jobs(space, ["running", "failed"])
            if (j.state == "running" and _orphaned(j.worker))
            or (j.state == "failed" and (j.error or "").startswith(INTERRUPTED))
        ]
        for state in ("running", "failed"):
            self.store.requeue_jobs(space, [state], job_ids=[j.id for j in orphans if j.state == state])
        return orphans

    def add_document(
        self,
        document: str | Path,
        *,
        space: str = "default",
        name: str | None = None,
        session: str | None = None,
        at: TimeLike | None = None,
        metadata: Mapping[str, Any] | None = None,
    ) -> documents.DocumentResult:
        """Store a long text (a str) or a UTF-8 text file (a Path), up to 5 MiB, as passages.

        It is split into passages of whole sentences (about 150-220 words, at paragraph ends where
        it can), each an episode and a searchable memory of kind "document" with its provenance in
        metadata["document"] (document id, name, passage index, start and end offsets). Passages skip
        fact extraction: a document's sentences are not the user's facts. All passages, or none.
        """
        return documents.add_document(
            self.store,
            self.embedder,
            document,
            space=space,
            name=name,
            session=session,
            at=at,
            metadata=metadata,
            max_passage_chars=self.settings.max_text_chars,
        )

    def update(
        self,
        memory_id: str,
        *,
        space: str = "default",
        text: str | None = None,
        kind: str | None = None,
        tags: Sequence[str] | None = None,
        valid_from: TimeLike | None = None,
        valid_to: TimeLike | None = None,
        reason: str = "edited",
        actor: str = "user",
    ) -> MemoryItem:
        """Change a memory; the old state stays in its history as the previous version.

        New `text` with a later `valid_from` records a change in the world ("moved to Porto in May"):
        the old state stays as a closed memory, valid until then, so `as_of` the past still finds
        it, as when the write path sees a value change. Without a later `valid_from` it is a
        correction: the memory is rewritten in place, the old text kept only in its history.
        """
        space = validate.space_name(space)
        memory_id = validate.identifier(memory_id, "memory id")
        reason, actor = validate.label(reason, "reason"), validate.label(actor, "actor")
        changes: dict[str, Any] = {}
        if text is not None:
            changes["text"] = validate.text(text, "text", self.settings.max_text_chars)
        if kind is not None:
            changes["kind"] = _kind(kind)
        if tags is not None:
            changes["tags"] = list(validate.string_list(tags, "tags") or ())
        if valid_from is not None:
            changes["valid_from"] = parse_time(valid_from, "valid_from")
        if valid_to is not None:
            changes["valid_to"] = parse_time(valid_to, "valid_to")
        if not changes:
            self.store.get_memory(space, memory_id)  # an unknown id is NotFound before anything else
            raise InvalidInput("nothing to update: give text, kind, tags, valid_from or valid_to")

        def write(current: MemoryItem) -> MemoryItem:
            start, end = changes.get("valid_from", current.valid_from), changes.get("valid_to", current.valid_to)
            if start is not None and end is not None and end <= start:
                raise InvalidInput("valid_to must be after valid_from")
            item = replace(current, **changes, version=current.version + 1, updated_at=now())
            reindex = (item.text, item.valid_from) != (current.text, current.valid_from)
            vector = self.embedder.embed([_index_text(item)])[0] if reindex else None
            changed = (
                "text" in changes
                and item.text != current.text
                and current.valid_from is not None
                and item.valid_from is not None
                and item.valid_from > current.valid_from
                and (current.valid_to is None or current.valid_to > item.valid_from)
            )
            with self.store.transaction():  # a Conflict below takes the snapshot back with it
                if changed and item.valid_from is not None:
                    snapshot(self.store, current, closed_at=item.valid_from, actor=actor, episode_id=None)
                update = version_record(item, "UPDATE", reason, actor)
                self.store.update_memory(item, vector, update, after=current.version)
            return item

        return self._on_latest(space, memory_id, write)

    def _on_latest(self, space: str, memory_id: str, write: Callable[[MemoryItem], MemoryItem]) -> MemoryItem:
        """write(the memory as stored), again on what another writer stored meanwhile (the store refuses a
        change made to a version that is no longer current), so concurrent edits each become a version of
        their own, in turn, and none is lost."""
        for _ in range(EDIT_ATTEMPTS):
            try:
                return write(self.store.get_memory(space, memory_id))
            except Conflict:
                continue
        raise Conflict(f"memory {memory_id} kept changing while this change was made; nothing was changed, try again")

    def delete(
        self, memory_id: str, *, space: str = "default", reason: str = "deleted", actor: str = "user"
    ) -> MemoryItem:
        """Retire a memory: it stops being valid now, stays in history and "as of" the past.

        To remove text for good (from tables, indexes and the file), use `forget`.
        """
        space = validate.space_name(space)
        memory_id = validate.identifier(memory_id, "memory id")
        reason, actor = validate.label(reason, "reason"), validate.label(actor, "actor")

        def write(current: MemoryItem) -> MemoryItem:
            if current.valid_to is not None and current.valid_to <= now():
                return current
            item = replace(current, valid_to=now(), version=current.version + 1, updated_at=now())
            self.store.update_memory(item, None, version_record(item, "DELETE", reason, actor), after=current.version)
            return item

        return self._on_latest(space, memory_id, write)

    def forget(
        self,
        *,
        space: str,
        before: TimeLike | None = None,
        session: str | None = None,
        ids: Sequence[str] | None = None,
        everything: bool = False,
        with_sources: bool = False,
    ) -> PurgeReport:
        """Purge for real: memories, their versions, vectors, index entries, and episodes in scope.

        With `ids` and `with_sources=True`, the episodes those memories came from go too, and with
        them everything derived from those episodes (the raw turns, other facts from the same turns,
        session summaries): nothing that said it is left to find.
        """
        scope = self._forget_scope(space, before, session, ids, everything, with_sources)
        return self.store.purge(scope.pop("space"), **scope)

    def forget_preview(
        self,
        *,
        space: str,
        before: TimeLike | None = None,
        session: str | None = None,
        ids: Sequence[str] | None = None,
        everything: bool = False,
        with_sources: bool = False,
    ) -> tuple[builtins.list[MemoryItem], builtins.list[Episode], int]:
        """What `forget` with the same arguments would purge, purging nothing: the memories (with
        everything derived from purged turns), the episodes, and how many versions go with them."""
        scope = self._forget_scope(space, before, session, ids, everything, with_sources)
        space = scope.pop("space")
        memory_ids, episode_ids, versions = self.store.purge_scope(space, **scope)
        return self.store.get_memories(space, memory_ids), self.store.get_episodes(space, episode_ids), versions

    def _forget_scope(
        self, space: str, before: Any, session: Any, ids: Any, everything: Any, with_sources: Any
    ) -> dict[str, Any]:
        """forget's arguments checked and resolved into the store's purge arguments."""
        space = validate.space_name(space)
        memory_ids = validate.string_list(ids, "ids", max_items=validate.MAX_IDS)
        for flag, value in (("everything", everything), ("with_sources", with_sources)):
            if not isinstance(value, bool):  # a purge is never switched on by a truthy string
                raise InvalidInput(f"{flag} must be true or false, not {value!r}")
        if with_sources and not memory_ids:
            raise InvalidInput("with_sources needs ids: the memories whose sources to purge")
        sources: list[str] = []
        if memory_ids:
            found = self.store.get_memories(space, memory_ids)
            missing = set(memory_ids) - {m.id for m in found}
            if missing:
                from remem.errors import NotFound

                raise NotFound(f"memories {sorted(missing)} not found in space {space!r}; nothing was purged")
            if with_sources:
                sources = list(dict.fromkeys(e for m in found for e in m.source_episode_ids))
        return {
            "space": space,
            "memory_ids": memory_ids,
            "episode_ids": sources or None,
            "before": parse_time(before, "before"),
            "session": validate.optional_name(session, "session"),
            "everything": everything,
        }

    # -- read -------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        *,
        space: str = "default",
        k: int = 10,
        session: str | None = None,
        kinds: Sequence[str] | None = None,
        tags: Sequence[str] | None = None,
        since: TimeLike | None = None,
        until: TimeLike | None = None,
        as_of: TimeLike | None = None,
        include_expired: bool = False,
        mode: Mode = "hybrid",
        expand_links: bool = False,
        neighbours: int = 0,
        min_score: float | None = None,
    ) -> builtins.list[Hit]:
        """Hybrid search in one space; each hit carries its score, ranks and source episodes.

        A score is the hit's relevance, 0 to 1, comparable across queries; `min_score` leaves out
        the hits below it (0.2 drops what is unrelated, 0.5 keeps what shares words and meaning).
        The first hits are the same for every k up to `settings.candidates`.

        With `neighbours=n`, a hit on a document passage carries `context`: the passage with up to
        n passages before and after it, in document order; a hit on a turn, the turn with up to n
        turns said before and after it in its session (the question it answers, the reply it got).
        """
        query = validate.text(query, "query", self.settings.max_text_chars)
        if mode not in MODES:
            raise InvalidInput(f"mode {mode!r} is not one of {', '.join(MODES)}")
        filters = self._filters(session, kinds, tags, since, until, as_of, include_expired)
        plan = SearchPlan(candidates=self.settings.candidates, fusion=self.settings.fusion)
        space = validate.space_name(space)
        hits = hybrid_search(
            self.store,
            self.embedder,
            query,
            space,
            filters,
            validate.positive_int(k, "k", self.settings.max_k),
            mode=mode,
            plan=plan,
            expand_links=expand_links,
            min_score=_min_score(min_score),
        )
        hits = documents.with_neighbours(self.store, space, hits, neighbours)
        return with_adjacent_turns(self.store, space, hits, neighbours, filters)

    @overload
    def get(self, memory_id: str, *, space: str = ..., with_episodes: Literal[False] = False) -> MemoryItem: ...

    @overload
    def get(
        self, memory_id: str, *, space: str = ..., with_episodes: Literal[True]
    ) -> tuple[MemoryItem, builtins.list[Episode]]: ...

    def get(
        self, memory_id: str, *, space: str = "default", with_episodes: bool = False
    ) -> MemoryItem | tuple[MemoryItem, builtins.list[Episode]]:
        """One memory; with `with_episodes=True`, the memory and the episodes it came from."""
        space = validate.space_name(space)
        item = self.store.get_memory(space, validate.identifier(memory_id, "memory id"))
        if not with_episodes:
            return item
        return item, self.store.get_episodes(space, item.source_episode_ids)

    def list(
        self,
        *,
        space: str = "default",
        session: str | None = None,
        kinds: Sequence[str] | None = None,
        tags: Sequence[str] | None = None,
        include_expired: bool = False,
        limit: int = 100,
        offset: int = 0,
        since: TimeLike | None = None,
        until: TimeLike | None = None,
    ) -> builtins.list[MemoryItem]:
        """Memories of a space, newest first; `since`/`until` bound the time each became true (else was recorded)."""
        filters = self._filters(session, kinds, tags, since, until, None, include_expired)
        if isinstance(offset, bool) or not isinstance(offset, int) or offset < 0:
            raise InvalidInput("offset must be a non-negative integer")
        return self.store.list_memories(
            validate.space_name(space), filters, validate.positive_int(limit, "limit", 10_000), offset
        )

    def history(self, memory_id: str, *, space: str = "default") -> builtins.list[Version]:
        """Every version of a memory, oldest first, with the operation, reason, actor and time."""
        return self.store.history(validate.space_name(space), validate.identifier(memory_id, "memory id"))

    def episodes(
        self, *, space: str = "default", session: str | None = None, limit: int = 100, offset: int = 0
    ) -> builtins.list[Episode]:
        return self.store.list_episodes(
            validate.space_name(space),
            validate.optional_name(session, "session"),
            validate.positive_int(limit, "limit", 100_000),
            offset,
        )

    def ask(
        self,
        question: str,
        *,
        space: str = "default",
        k: int = 10,
        as_of: TimeLike | None = None,
        min_score: float | None = None,
    ) -> Answer:
        """Answer from memory with citations (an LLM when configured, else the best evidence); with
        `min_score`, from the hits that reach it only (none: "I have no memory of that.")."""

        def search(query: str, moment: datetime | None) -> builtins.list[Hit]:
            return self.search(query, space=space, k=k, as_of=moment, min_score=min_score, neighbours=1)

        return answer(
            question, space=space, as_of=as_of, store=self.store, search=search, llm=self.llm, settings=self.settings
        )

    def stats(self, space: str | None = None) -> dict[str, Any]:
        return self.store.stats(validate.space_name(space) if space is not None else None)

    def status(self, space: str | None = None) -> dict[str, Any]:
        """The extraction queue (counts by state, the failed jobs with their errors) and the scrubs still
        owed after a forgetting (the file keeps a copy of forgotten words until they finish)."""
        space = validate.space_name(space) if space is not None else None
        jobs = self.store.list_jobs(space)
        counts = {state: sum(j.state == state for j in jobs) for state in ("pending", "running", "done", "failed")}
        failed = [
            {"id": j.id, "space": j.space, "attempts": j.attempts, "error": j.error}
            for j in jobs
            if j.state == "failed"
        ]
        scrubs = [s for s in self.store.pending_scrubs() if space is None or s["space"] == space]
        return {**counts, "failed_jobs": failed, "pending_scrubs": len(scrubs), "scrubs": scrubs}

    def spaces(self) -> builtins.list[str]:
        return self.store.spaces()

    def space_counts(self) -> dict[str, dict[str, int]]:
        """Per space with any record: episodes, memories, current_memories, pending_jobs and failed_jobs."""
        return self.store.space_counts()

    # -- portability ------------------------------------------------------------------------
    def export(self, space: str) -> Iterator[dict[str, Any]]:
        """Every episode and memory (with its history) of a space, as JSON-ready records."""
        return self.store.iter_space(validate.space_name(space))

    def export_to(self, space: str, path: str | Path) -> int:
        count = 0
        with Path(path).open("w", encoding="utf-8") as out:
            for record in self.export(space):
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                count += 1
        return count

    def import_records(self, records: Iterable[Mapping[str, Any]], *, space: str | None = None) -> dict[str, int]:
        """Load records written by `export` (into `space`, or their own); re-embeds with this store's model."""
        return import_records(records, store=self.store, embedder=self.embedder, settings=self.settings, space=space)

    # -- helpers ----------------------------------------------------------------------------
    def _filters(
        self, session: Any, kinds: Any, tags: Any, since: Any, until: Any, as_of: Any, include_expired: Any
    ) -> Filters:
        kind_list = validate.string_list(kinds, "kinds")
        for kind in kind_list or ():
            _kind(kind)
        return Filters(
            session=validate.optional_name(session, "session"),
            kinds=kind_list,
            tags=validate.string_list(tags, "tags"),
            since=parse_time(since, "since"),
            until=parse_time(until, "until"),
            as_of=parse_time(as_of, "as_of"),
            include_expired=bool(include_expired),
        )


def _min_score(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
        raise InvalidInput(f"min_score must be a number from 0 to 1, not {value!r}")
    return float(value)


def _idempotency_key(key: str | None) -> str | None:
    if key is None:
        return None
    if not isinstance(key, str) or not _IDEMPOTENCY_KEY.fullmatch(key):
        raise InvalidInput(f"idempotency_key must be 1-64 letters, digits or . _ : -, not {str(key)[:80]!r}")
    return key


def _index_text(item: MemoryItem) -> str:
    return index_text(item.text, item.kind, item.valid_from, item.metadata)


def _kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput(f"kind {kind!r} is not one of {', '.join(KINDS)}")
    return kind
