"""Run one extraction job: its episodes become candidates, decisions, and versioned memories.

The job's episodes were committed before this runs; everything here happens in
one transaction that also marks the job done, so a crash leaves either all of
the job's memories or none of them, and the job still pending.
"""

from __future__ import annotations

import contextlib
import logging
import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

import numpy as np

from remem.embed.base import Embedder
from remem.errors import NotFound, RememError
from remem.ids import new_id
from remem.store.base import Job, Store
from remem.timeutil import now
from remem.types import Decision, Episode, Filters, MemoryItem, Version
from remem.write.candidates import Candidate, Extractor, Neighbour, Operation, Reconciler, Summarizer, Verdict
from remem.write.claims import AMOUNT, amount_value, number
from remem.write.extract import index_text
from remem.write.forget import forget_by_meaning
from remem.write.links import link
from remem.write.rules import RuleExtractor
from remem.write.rules_reconcile import FACT_LABEL, WHEN_SAID, RuleReconciler

log = logging.getLogger(__name__)

NEIGHBOURS = 30  # a space's facts about one subject that a new claim is compared with
FACT_KINDS = ("fact", "preference", "event", "note")
RECENT_TURNS = 20  # the session's latest turns an extractor reads as context


def run_job(
    store: Store,
    embedder: Embedder,
    extractor: Extractor,
    reconciler: Reconciler,
    job: Job,
    summarizer: Summarizer | None = None,
) -> list[Decision]:
    episodes = store.get_episodes(job.space, job.episode_ids)
    sessions = sorted({e.session for e in episodes if e.session is not None})
    recent: list[Episode] = []
    for session in sessions:
        recent.extend(store.last_episodes(job.space, session, RECENT_TURNS))
    candidates = extractor.extract(episodes, recent)  # a model call, if any, holds no lock
    texts = [index_text(c.text, c.kind, c.valid_from, c.metadata) for c in candidates]
    vectors = embedder.embed(texts) if candidates else np.zeros((0, 0))
    early = _decide_early(store, reconciler, job.space, candidates, vectors)
    decisions: list[Decision] = []
    with store.transaction():
        for index, (candidate, vector) in enumerate(zip(candidates, vectors, strict=True)):
            if candidate.forget:
                forgotten = forget_by_meaning(store, embedder, job.space, candidate, extractor.name)
                decisions.extend(forgotten.decisions)
                sessions = sorted({*sessions, *forgotten.sessions})
                if extractor.name == "rules":  # a model's extraction would be a call inside the transaction
                    decisions.extend(_read_again(store, embedder, reconciler, job.space, forgotten.reread))
                continue
            neighbours = _neighbours(store, job.space, candidate, vector)
            if index not in early:
                candidate, vector = _resolve_pronoun(embedder, candidate, vector, neighbours)
            verdict = _decide(reconciler, candidate, neighbours, early.get(index))
            if verdict.operation == "SUPERSEDE" and verdict.metadata:  # what the change inherits from what it ends
                candidate = replace(candidate, metadata={**candidate.metadata, **verdict.metadata})
            if verdict.operation == "PURGE" and verdict.target is not None:  # its sessions lose turns
                target = store.get_memory(job.space, verdict.target)
                said = store.get_episodes(job.space, target.source_episode_ids)
                sessions = sorted({*sessions, *(e.session for e in said if e.session is not None)})
            applied = apply(store, job.space, candidate, vector, verdict, actor=extractor.name, neighbours=neighbours)
            decisions.extend(applied)
            if verdict.operation == "SUPERSEDE":
                closed = [d.memory_id for d in applied if d.operation == "DELETE" and d.memory_id]
                decisions.extend(_carry(store, embedder, job.space, candidate, closed, extractor.name))
        with contextlib.suppress(NotFound):  # a forget request purged its own job's episodes, and the job
            store.finish_job(job.id)
        if any(d.operation == "PURGE" for d in decisions):  # what this job wrote and then forgot is not reported
            kept = {m.id for m in store.get_memories(job.space, [d.memory_id for d in decisions if d.memory_id])}
            decisions = [d for d in decisions if d.operation == "PURGE" or d.memory_id is None or d.memory_id in kept]
    if summarizer is not None:
        for session in sessions:
            decisions.extend(_summarize(store, embedder, summarizer, job.space, session))
    return decisions


def _read_again(
    store: Store, embedder: Embedder, reconciler: Reconciler, space: str, episodes: Sequence[Episode]
) -> list[Decision]:
    """The facts of turns a forget request redacted, read again from what they still say: "rent is R$ 2.800,
    i live in Curitiba" stays known when "i take home R$ 9.200 a month" before it is forgotten."""
    candidates = [c for c in RuleExtractor().extract(episodes, []) if c.kind != "turn" and not c.forget]
    if not candidates:
        return []
    vectors = embedder.embed([index_text(c.text, c.kind, c.valid_from, c.metadata) for c in candidates])
    decisions: list[Decision] = []
    for candidate, vector in zip(candidates, vectors, strict=True):
        neighbours = _neighbours(store, space, candidate, vector)
        verdict = _decide(reconciler, candidate, neighbours, None)
        decisions.extend(apply(store, space, candidate, vector, verdict, actor="rules", neighbours=neighbours))
    return decisions


def _decide_early(
    store: Store, reconciler: Reconciler, space: str, candidates: Sequence[Candidate], vectors: np.ndarray
) -> dict[int, tuple[list[Neighbour], Verdict]]:
    """A model's decisions, made before the write transaction: {candidate index: (neighbours seen, verdict)}."""
    if getattr(reconciler, "inline", True):
        return {}
    early = {}
    for index, (candidate, vector) in enumerate(zip(candidates, vectors, strict=True)):
        if candidate.kind != "turn" and not candidate.forget:
            neighbours = _neighbours(store, space, candidate, vector)
            early[index] = (neighbours, reconciler.reconcile(candidate, neighbours))
    return early


def _decide(
    reconciler: Reconciler,
    candidate: Candidate,
    neighbours: list[Neighbour],
    early: tuple[list[Neighbour], Verdict] | None,
) -> Verdict:
    """The verdict for a candidate, inside the write transaction. A decision made before it stands
    when the candidate's neighbours are as they were then; otherwise (an earlier candidate of the
    same job, or another writer, changed them) the rules decide again, now, without a model call."""
    if early is None:
        if getattr(reconciler, "inline", True) or candidate.kind == "turn":
            return reconciler.reconcile(candidate, neighbours)
        return RuleReconciler().reconcile(candidate, neighbours)  # a forget request: decided by rules
    seen, verdict = early
    if _state(seen) == _state(neighbours):
        return verdict
    again = RuleReconciler().reconcile(candidate, neighbours)
    note = f"decided by rules: its memories changed while {reconciler.name} decided"
    return replace(again, reason=f"{again.reason} ({note})")


def _state(neighbours: Sequence[Neighbour]) -> set[tuple[str, int, datetime | None]]:
    return {(n.memory.id, n.memory.version, n.memory.valid_to) for n in neighbours}


SUMMARY_TURNS = 200  # a summary reads at most a session's latest turns...
SUMMARY_CHARS = 4_000  # ...and at most this much of each: its cost has a bound whatever the session holds


def _summarize(store: Store, embedder: Embedder, summarizer: Summarizer, space: str, session: str) -> list[Decision]:
    """Write a session's summary again, after the job's own transaction: the summary (a model call,
    or the extractive pass over the session) is made with no lock held, over a bounded input, and
    written in a transaction of its own. A summary that cannot be made leaves the last one."""
    episodes = store.last_episodes(space, session, SUMMARY_TURNS)
    bounded = [replace(e, content=e.content[:SUMMARY_CHARS]) for e in episodes]
    try:
        candidate = summarizer.summarize(bounded)
    except RememError as error:  # the turns and facts are written; the summary waits for the next add
        log.warning("summary of session %s in space %s not written: %s", session, space, type(error).__name__)
        return []
    if candidate is None:
        return []
    vector = embedder.embed([index_text(candidate.text, candidate.kind, candidate.valid_from, candidate.metadata)])[0]
    with store.transaction():
        existing = store.list_memories(space, Filters(session=session, kinds=("summary",), include_expired=True), 1)
        if not existing:
            verdict = Verdict("ADD", None, candidate.text, f"summary of session {session}")
        elif existing[0].text == candidate.text:
            return []
        else:
            verdict = Verdict("UPDATE", existing[0].id, candidate.text, f"session {session} grew")
        return apply(store, space, candidate, vector, verdict, actor=summarizer.name, replace_sources=True)


def _neighbours(store: Store, space: str, candidate: Candidate, vector: np.ndarray) -> list[Neighbour]:
    if candidate.kind == "turn":
        return []  # turns are never merged; skipping the lookup keeps bulk ingest fast
    found = store.dense_search(space, vector, Filters(kinds=FACT_KINDS), NEIGHBOURS)
    items = {m.id: m for m in store.get_memories(space, [i for i, _ in found])}
    return [Neighbour(items[i], s) for i, s in found if i in items]


_FEMALE = re.compile(
    r"'s (?:mum|mom|mother|sister|wife|girlfriend|daughter|aunt|grandma|grandmother|niece|fianc[eé]e)$"
)
_MALE = re.compile(
    r"'s (?:dad|father|brother|husband|boyfriend|son|uncle|grandpa|grandad|grandfather|nephew|fianc[eé])$"
)
_PRONOUN_LEAD = re.compile(r"^(?P<label>[^:]{1,60}:\s+)?(?:He|She)(?='s\b|\b)")


def _resolve_pronoun(
    embedder: Embedder, candidate: Candidate, vector: np.ndarray, neighbours: Sequence[Neighbour]
) -> tuple[Candidate, np.ndarray]:
    """ "He landed safe, staying with a friend in Verdun", said in a session that names no one: he is the
    one the speaker last spoke of among the facts close to it ("Youssef got an offer in Montréal")."""
    meta = candidate.metadata
    said = _PRONOUN_LEAD.match(candidate.text)
    if meta.get("subject") not in ("he", "she") or said is None or not meta.get("claims"):
        return candidate, vector  # only a claim needs its subject: what it replaces is theirs
    speaker = str(meta.get("speaker") or "").lower()
    other = _FEMALE if meta["subject"] == "he" else _MALE
    spoken = [
        n.memory
        for n in neighbours
        if n.memory.kind in FACT_KINDS
        and n.memory.valid_to is None
        and str(n.memory.metadata.get("speaker") or "").lower() == speaker
        and (who := str(n.memory.metadata.get("aka") or n.memory.metadata.get("subject") or ""))
        and who not in (speaker, "he", "she")
        and "'s " not in who  # "mum is already crying": no name to write
        and not other.search(str(n.memory.metadata.get("subject")))
    ]
    if not spoken:
        return candidate, vector
    last = max(spoken, key=lambda m: (m.valid_from or m.created_at, m.created_at)).metadata
    who = str(last.get("aka") or last.get("subject"))
    text = f"{said.group('label') or ''}{who.title()}{candidate.text[said.end() :]}"
    resolved = replace(candidate, text=text, metadata={**meta, "subject": who})
    return resolved, embedder.embed([index_text(text, resolved.kind, resolved.valid_from, resolved.metadata)])[0]


def apply(
    store: Store,
    space: str,
    candidate: Candidate,
    vector: np.ndarray,
    verdict: Verdict,
    actor: str,
    neighbours: Sequence[Neighbour] = (),
    replace_sources: bool = False,
) -> list[Decision]:
    """Carry out one verdict as versioned writes; every outcome lands in some memory's history.

    SUPERSEDE is the bi-temporal update: the old fact is closed at the new one's start
    (so "as of" the past still finds it) and the new fact is added, linked to the old.
    """
    stamp = now()
    episode_id = candidate.source_episode_ids[0] if candidate.source_episode_ids else None
    if verdict.target is None:
        if verdict.operation == Operation.NOOP:
            return [Decision("NOOP", None, verdict.text, verdict.reason)]  # nothing to touch
        return _add(store, space, candidate, vector, verdict, actor, neighbours, stamp, episode_id)
    current = store.get_memory(space, verdict.target)
    match verdict.operation:
        case Operation.ADD:
            return _add(store, space, candidate, vector, verdict, actor, neighbours, stamp, episode_id)
        case Operation.NOOP:
            # The state keeps its version number; the new source episode is remembered as evidence.
            sources = _sources(current, candidate, replace_sources)
            noop = version_record(current, "NOOP", verdict.reason, actor, episode_id)
            store.update_memory(replace(current, source_episode_ids=sources), None, noop)
            return [Decision("NOOP", current.id, current.text, verdict.reason)]
        case Operation.UPDATE:
            return _update(store, current, candidate, vector, verdict, actor, stamp, episode_id, replace_sources)
        case Operation.PURGE:
            # Forgetting a fact also forgets the turns that said it and the request that names it:
            # their episodes go, and with them every memory derived from them (raw turns, facts
            # from the same turns, session summaries, which are written again from what is left).
            said = list(dict.fromkeys([*current.source_episode_ids, *candidate.source_episode_ids]))
            report = store.purge(space, memory_ids=[current.id], episode_ids=said)
            reason = f"{verdict.reason} (with {report.episodes} turn(s) and {report.memories - 1} memories from them)"
            return [Decision("PURGE", current.id, current.text, reason)]
        case Operation.DELETE | Operation.SUPERSEDE:
            # A contradicted fact is closed, not erased: it stays true "as of" the past.
            successor = new_id("mem") if verdict.operation == Operation.SUPERSEDE else None
            closed_items, closed = [], []
            for old in [current, *store.get_memories(space, list(verdict.closes))]:
                closed_at = max(candidate.valid_from or stamp, old.valid_from or candidate.valid_from or stamp)
                metadata = {**old.metadata, **replaced_by(successor, episode_id)}
                item = replace(old, valid_to=closed_at, version=old.version + 1, updated_at=stamp, metadata=metadata)
                store.update_memory(item, None, version_record(item, "DELETE", verdict.reason, actor, episode_id))
                _mark_turns(store, item, closed_at, actor, episode_id, successor)
                _mark_echoes(store, item, _replaced_values(old, candidate), closed_at, actor, episode_id, successor)
                closed_items.append(item)
                closed.append(Decision("DELETE", item.id, item.text, verdict.reason))
            if verdict.operation == Operation.DELETE:
                return closed
            near = [*(Neighbour(c, 1.0) for c in closed_items), *neighbours]
            added = _add(store, space, candidate, vector, verdict, actor, near, stamp, episode_id, successor)
            return [*closed, *added]
    raise ValueError(f"unknown operation {verdict.operation!r}")


def _add(
    store: Store,
    space: str,
    candidate: Candidate,
    vector: np.ndarray,
    verdict: Verdict,
    actor: str,
    neighbours: Sequence[Neighbour],
    stamp: datetime,
    episode_id: str | None,
    memory_id: str | None = None,
) -> list[Decision]:
    item = MemoryItem(
        id=memory_id or new_id("mem"),
        space=space,
        text=verdict.text,
        kind=candidate.kind,
        session=candidate.session,
        source_episode_ids=list(candidate.source_episode_ids),
        keywords=list(candidate.keywords),
        tags=list(candidate.tags),
        links=[],
        valid_from=candidate.valid_from,
        valid_to=None,
        strength=1.0,
        version=1,
        created_at=stamp,
        updated_at=stamp,
        metadata=dict(candidate.metadata),
    )
    store.insert_memory(item, vector, version_record(item, "ADD", verdict.reason, actor, episode_id))
    if candidate.kind != "turn":
        link(store, item, neighbours)
    return [Decision("ADD", item.id, item.text, verdict.reason)]


def _sources(current: MemoryItem, candidate: Candidate, replace_sources: bool) -> list[str]:
    if replace_sources:
        return list(candidate.source_episode_ids)
    return _merge(current.source_episode_ids, candidate.source_episode_ids)


def _update(
    store: Store,
    current: MemoryItem,
    candidate: Candidate,
    vector: np.ndarray,
    verdict: Verdict,
    actor: str,
    stamp: datetime,
    episode_id: str | None,
    replace_sources: bool,
) -> list[Decision]:
    start = current.valid_from or candidate.valid_from
    decisions: list[Decision] = []
    if verdict.temporal:
        start = candidate.valid_from or stamp
        decisions.append(snapshot(store, current, closed_at=start, actor=actor, episode_id=episode_id))
    item = replace(
        current,
        text=verdict.text,
        source_episode_ids=_sources(current, candidate, replace_sources),
        version=current.version + 1,
        keywords=_merge(current.keywords, candidate.keywords),
        tags=_merge(current.tags, candidate.tags),
        valid_from=start,
        updated_at=stamp,
        metadata={**current.metadata, **candidate.metadata, **(verdict.metadata or {})},
    )
    new_vector = vector if verdict.text != current.text else None
    store.update_memory(item, new_vector, version_record(item, "UPDATE", verdict.reason, actor, episode_id))
    if verdict.stale_sources:
        _mark_turns(store, current, candidate.valid_from or stamp, actor, episode_id, current.id)
    return [*decisions, Decision("UPDATE", item.id, item.text, verdict.reason)]


def _carry(
    store: Store, embedder: Embedder, space: str, candidate: Candidate, closed_ids: Sequence[str], actor: str
) -> list[Decision]:
    """What a closed fact said besides the number that changed stays true: "Diego, 39, living in
    Valparaíso" closed by "turned 40" goes on as "Diego, living in Valparaíso" beside the new fact
    that says 40. Only numbers (ages, counts, amounts) are carried, and only where each can be found
    in the old words: a new city or employer changes the details said with the old one ("two
    flatmates", "the picking robots"), so those facts just close."""
    new = candidate.metadata.get("claims")
    ends = candidate.metadata.get("ends")
    replaced = str(candidate.metadata.get("replaces") or "").lower()
    # "geico went up so i switched to Progressive" closes "insurance is with Geico, $142/mo": what said the thing
    # it left goes on in no part
    closed = [m for m in store.get_memories(space, list(closed_ids)) if not replaced or replaced not in m.text.lower()]
    if (not isinstance(new, dict) or not new) and isinstance(ends, str):
        # "Biscuit passed away" closes "we live in Valencia and have one dog, a beagle called Biscuit":
        # where they live goes on, on its own.
        out: list[Decision] = []
        for old in closed:
            claims = old.metadata.get("claims")
            if isinstance(claims, dict):
                kept = {k: v for k, v in claims.items() if not _about_ended(k, str(v), ends)}
                gone = [ends, *(str(v) for k, v in claims.items() if k not in kept)]
                out.extend(_carry_apart(store, embedder, space, candidate, old, kept, {}, actor, gone))
        return out
    if not isinstance(new, dict) or not new:
        # A change read by its meaning names no property: "bought an e-bike, doing the 28km most days now"
        # closes "lives in Leuven and commutes by train". The parts written alone that its turn says nothing
        # of go on ("Camille lives in Leuven."); the rest of the old fact is what changed.
        out = []
        said = " ".join([candidate.text, *(e.content for e in store.get_episodes(space, candidate.source_episode_ids))])
        for old in closed:
            claims = old.metadata.get("claims")
            if isinstance(claims, dict):
                kept = {k: v for k, v in claims.items() if k in _ALONE and not _touches(said, k, str(v))}
                out.extend(_carry_apart(store, embedder, space, candidate, old, kept, {}, actor))
        return out
    out = []
    for old in closed:
        claims = old.metadata.get("claims")
        if not isinstance(claims, dict) or not set(claims) - set(new):
            continue  # nothing besides the changed properties
        changed = {k: v for k, v in new.items() if k in claims and claims[k] != v}
        # The new value has its own fact; what is carried is the rest, without the old value.
        olds = [str(claims[k]) for k in changed]
        text = _without(old.text, olds)
        if text is None:
            text = _cut(old.text, olds)
        if not text or not changed or not all(re.fullmatch(r"[\d.]+", str(v)) for v in changed.values()):
            # A new city or job takes its details along, but not what the old fact said of another part
            # of life: "lives in Salford and works at the BBC" closed by a new job still says Salford.
            out.extend(_carry_apart(store, embedder, space, candidate, old, claims, changed, actor))
            continue
        successor = replace(
            candidate,
            text=text,
            kind=old.kind,
            source_episode_ids=_merge(old.source_episode_ids, candidate.source_episode_ids),
            keywords=list(old.keywords),
            tags=list(old.tags),
            metadata={
                **old.metadata,
                "claims": {k: v for k, v in claims.items() if k not in changed and _said_as(text, str(v))},
            },
        )
        vector = embedder.embed([index_text(text, old.kind, successor.valid_from, successor.metadata)])[0]
        reason = f"carried from {old.id} without its old {', '.join(k.split(':')[-1] for k in changed)}"
        out.extend(apply(store, space, successor, vector, Verdict("ADD", None, text, reason), actor))
        unsaid = {k: v for k, v in claims.items() if k not in changed and k not in successor.metadata["claims"]}
        if unsaid:  # a part that went with the old value: "a 1br in philly" goes on as "Carlos lives in Philly."
            out.extend(_carry_apart(store, embedder, space, candidate, old, unsaid, changed, actor))
    return out


#: Words that say a part of life, so a change that says one of them may be about it: a claim of that part
#: is not carried past it.
_PART_WORDS = {
    "home": r"live|living|lives|moved?|moving|relocat\w*|home|house|apartment|rent",  # not "flat tyres"
    "work": r"job|quit|fired|laid off|hired|career|company|boss|retired|resigned|promoted",  # not "cycle to work"
    "love": r"girlfriend|boyfriend|wife|husband|partner|fianc\w*|married|divorc\w*|single|dating|broke up|split",
    "diet": r"eat(?:s|ing)?|meat|vegan|vegetarian|pescatarian|diet|food",
    "pets": r"cat|dog|pet|puppy|kitten",
}


def _touches(text: str, key: str, value: str) -> bool:
    """Whether a change's text may be about a claim: it says the claim's value or a word of its part of life."""
    if _said_as(text, value) is not None:
        return True
    words = _PART_WORDS.get(_part(key))
    return words is not None and re.search(rf"\b(?:{words})\b", text, re.I) is not None


def _about_ended(key: str, value: str, ends: str) -> bool:
    """Whether a claim is about what an ending ends: a break-up's partner, the pet that died, the job left."""
    ended = {"partner": ("partner", "relationship")}.get(ends, (ends,))
    return key in ended or key.split(":")[-1] in ended or ends in value.lower()


#: Parts of a life a fact's properties belong to (a property not named here is a part of its own), and
#: how a property carried alone is written.
_PART = {"residence": "home", "employer": "work", "title": "work", "team": "work", "partner": "love",
         "relationship": "love", "diet": "diet", "cat": "pets", "dog": "pets"}  # fmt: skip
_ALONE = {
    "residence": "{who} lives in {v}.",
    "hometown": "{who} is from {v}.",
    "employer": "{who} works at {v}.",
    "partner": "{who}'s partner is {v}.",
    "diet": "{who} is {v}.",
    "cat": "{who}'s cat is {v}.",
    "dog": "{who}'s dog is {v}.",
}  # not a title: read from the shape of a sentence, it is the property most often misread ("a medium-rare ribeye")


#: Properties kept in the fact's own words when another part of life changes: what a person is, does
#: or likes. Not counts or amounts: those are details of what they were said with ("~1500 on
#: lichess" goes with the chess given up).
_OWN_WORDS = ("title", "answer_style", "drink", "hobby", "instrument", "sport", "car", "birthday", "birth_year",
              "name", "allergy:", "breed:", "favourite:")  # fmt: skip


def _part(key: str) -> str:
    if key.startswith("breed:") or key in ("count:dog", "count:cat"):
        return "pets"  # a new breed is a new pet: the old one's name does not go on
    return _PART.get(key, key)


def _own_words(key: str) -> bool:
    return any(key == p or (p.endswith(":") and key.startswith(p)) for p in _OWN_WORDS)


def _carry_apart(
    store: Store,
    embedder: Embedder,
    space: str,
    candidate: Candidate,
    old: MemoryItem,
    claims: dict[str, object],
    changed: dict[str, object],
    actor: str,
    gone: Sequence[str] = (),
) -> list[Decision]:
    """The properties of a closed fact that belong to another part of life than what changed, kept as
    facts of their own, with the old fact's sources: a home, a workplace, a partner or a diet written
    alone ("Charlotte lives in Salford."); anything else in the old fact's own words, the part of it
    that says the property and nothing of what changed or ended ("Hannah is a pharmacist, and her
    boyfriend Tom ..." engaged: "Hannah is a pharmacist."). `gone` names what ended, besides the
    changed values."""
    new = candidate.metadata.get("claims") or {}
    moved = {_part(k) for k in changed} | {_part(k) for k in new}
    # A new title that names no workplace is a new title at the same place: "they made me tech lead" keeps "at
    # Nubank", and so does "from this month I'm the engineering manager for the payments team" (memory-truth
    # stories: G +1, no set lost; reading it only after "promoted" or "made me" missed the second).
    same_place = "employer" not in new and not gone
    kept = {
        k: str(v)
        for k, v in claims.items()
        if (_part(k) not in moved or (k == "employer" and same_place)) and k not in changed
    }
    if not kept:
        return []
    subject = str(old.metadata.get("subject") or "")
    speaker = str(old.metadata.get("speaker") or "")
    who = speaker if subject == speaker.lower() else subject.title()
    if not who or "'s " in subject:
        return []
    before = old.metadata.get("claims")
    avoid = [*(str(before[k]) for k in changed if isinstance(before, dict) and k in before), *gone]
    carried: dict[str, dict[str, object]] = {}  # text -> the claims it carries
    if not gone:  # an ending is vague about what it ends: only the parts written alone go on
        for key, value in kept.items():
            found = _in_own_words(old.text, value, avoid, who) if _own_words(key) else None
            if found is not None:
                carried.setdefault(found, {})[key] = value
    for key, value in kept.items():
        said = next((text for text in carried if _said_as(text, value)), None)
        if said is not None:
            carried[said][key] = value  # "a PhD student in Ankara" carries the home too
        elif key in _ALONE:
            carried.setdefault(_ALONE[key].format(who=who, v=value), {})[key] = value
    out: list[Decision] = []
    for text, own in carried.items():
        successor = replace(
            candidate,
            text=text,
            kind=old.kind,
            source_episode_ids=list(old.source_episode_ids),
            valid_from=old.valid_from,
            keywords=[w for w in old.keywords if w.lower() in text.lower()],
            tags=[t for t in old.tags if t.lower() in text.lower()],
            metadata={**old.metadata, "claims": own, "carried_from": old.id},
        )
        vector = embedder.embed([index_text(text, old.kind, successor.valid_from, successor.metadata)])[0]
        reason = f"carried from {old.id}: its {', '.join(own)} did not change"
        out.extend(apply(store, space, successor, vector, Verdict("ADD", None, text, reason), actor))
    return out


_CLAUSE_BREAK = re.compile(r"\s*[,;]\s+(?:(?:and|but|so|plus|also)\s+)?|(?<=[.!?])\s+")
_AND_BREAK = re.compile(r"\s+(?:and|but|so|while)\s+")


def _cut(text: str, values: Sequence[str]) -> str:
    """A one-part fact's text with each value cut out ("Diego is 39 and lives in Valparaíso" without
    39); "" when one of them is not said in it."""
    for value in values:
        said = _said_as(text, value)
        if said is None:
            return ""
        text = _cut_value(text, said, comma=True)
    return text


def _cut_value(text: str, said: str, *, comma: bool = False, per: str = "") -> str:
    """The text without `said` (a value as written in it) and the word leading to it ("on €48k", "is 39"),
    or the comma before it (`comma`), and the `per` pattern right after it."""
    lead = r"\s+(?:on|of|at|is|was|for)\s+|\s+"
    if comma:
        lead = rf",\s*|{lead}"
    return re.sub(rf"(?:{lead})?{re.escape(said)}{per}", "", text, count=1)


# "€1,900 a month", "95M won", "40,000 cedis a month" go whole
_PER = (
    r"(?:\s+(?:won|yen|yuan|euros?|dollars?|pounds?|quid|rupees?|naira|cedis?|shillings?|rand|pesos?|reais|lira|"
    r"baht|ringgit|francs?|kronor|krona|kroner|krone|zloty|dirhams?|riyals?))?"
    r"(?:\s*(?:a|an|per|/)\s*(?:month|year|week|hour|mo|yr|wk|hr)\b)?"
)


def _parts(text: str) -> tuple[str | None, str, list[str]]:
    """A fact's text as (its "Name: " label or None, its body without the date its words resolved, the
    body's parts: split at commas and full stops, or at "and"/"but" when it has no comma)."""
    label = FACT_LABEL.match(text)
    body = WHEN_SAID.sub("", text[label.end() :] if label else text).rstrip(" .!")
    pieces = [p for p in _CLAUSE_BREAK.split(body) if p]
    if len(pieces) < 2:
        pieces = [p for p in _AND_BREAK.split(body) if p]
    return (label.group("label") if label else None), body, pieces


def _written(label: str | None, body: str) -> str:
    """A part written as a fact: capitalised, with the label it had."""
    body = body[:1].upper() + body[1:]
    return f"{label}: {body}." if label else f"{body}."


def _without(text: str, values: Sequence[str]) -> str | None:
    """A fact's text without the values it says, part by part: a part that is only the value goes
    ("Diego, 39, living in Valparaíso" without 39: "Diego, living in Valparaíso"), a part that says more
    keeps the rest; "" when nothing is left; None when the text is one part or says none of them."""
    label, _, pieces = _parts(text)

    def says(piece: str) -> bool:
        return any(_said_as(piece, v) is not None for v in values)

    def rest(piece: str) -> str:
        """A part without the value it says ("a UX researcher in Dublin on €48k": "a UX researcher in
        Dublin"; "rent is $1,450/mo for a 1br in philly": "rent/mo for a 1br in philly", where the rest
        still says where); nothing where that leaves a word at most ("Diego, 39, ...": "39")."""
        for value in values:
            said = _said_as(piece, value)
            if said is not None:
                piece = _cut_value(piece, said, per=_PER)
        return "" if len(piece.split()) < 2 else piece.strip()

    if len(pieces) < 2 or not any(says(p) for p in pieces):
        return None
    kept: list[str] = []
    for piece in pieces:
        parts = _AND_BREAK.split(piece) if says(piece) else [piece]
        kept.extend(part if not says(part) else rest(part) for part in parts)
    body = ", ".join(part for part in kept if part)
    return _written(label, body) if body else ""


def _in_own_words(text: str, value: str, avoid: Sequence[str], who: str) -> str | None:
    """The part of a fact's text that says `value` and none of `avoid`, written as a fact of its own
    ("Marcus: Electrician." from "Marcus: Electrician, based in austin tx." when Austin is left
    behind); None when no part says one without the other."""
    label, body, pieces = _parts(text)
    for piece in pieces:
        if _said_as(piece, value) is None:
            continue
        if any(_said_as(piece, v) is not None for v in avoid):
            finer = [p for p in _AND_BREAK.split(piece) if p]
            # "a physiotherapist in Turin", left behind in Turin: the place said after it goes, the job stays
            finer += [_PLACE_AFTER.sub("", p) for p in finer]
            piece = next((p for p in finer if _said_as(p, value) and not any(_said_as(p, v) for v in avoid)), "")
        if not piece.strip() or piece == body:
            return None
        named = label is None and re.search(rf"\b{re.escape(who)}\b", piece, re.I)  # "Hannah is a pharmacist"
        return _written(None if named else label or who, piece)
    return None


# Where something is, said after it: "in Turin", "at Rakuten in Tokyo", "based in Leeds".
_PLACE_AFTER = re.compile(r"\s+(?:based\s+|living\s+)?(?:in|at|near|from)\s+[^,;.!?]*")
_PLAIN_NUMBER = re.compile(r"\d[\d,.]*")


def _said_as(text: str, value: str) -> str | None:
    """How `text` writes a claim's value: "€48k" for 48000, "14.200 €" for 14200, "39" for 39; None when
    it does not."""
    for match in AMOUNT.finditer(text):
        if amount_value(match) == value:
            return match.group(0).rstrip(".,")
    for match in _PLAIN_NUMBER.finditer(text):  # "2,400 rent", "team of 35"
        if number(match.group(0).rstrip(".,")) == value:
            return match.group(0).rstrip(".,")
    found = re.search(rf"(?<!\w){re.escape(value)}(?!\w)", text, re.I)
    return found.group(0) if found else None


def replaced_by(successor: str | None, episode_id: str | None) -> dict[str, str]:
    """What a closed fact, or a turn that states its value, records of what replaced it: the memory
    that holds the value now (none when the value just ended) and the turn that said so. Search gives
    that memory the place the stale one would have had (remem.search.hybrid.successors)."""
    said = {"superseded_by": successor, "superseded_in": episode_id}
    return {key: value for key, value in said.items() if value is not None}


def _mark_turns(
    store: Store, closed: MemoryItem, at: datetime, actor: str, episode_id: str | None, successor: str | None
) -> None:
    """The turns a closed fact came from state a superseded value from `at` on: search ranks them
    below the current value for questions about any later moment (issue: stale evidence first), and
    lends their place to `successor`, the memory that holds the value now."""
    if not closed.source_episode_ids or closed.session is None:
        return
    sources = set(closed.source_episode_ids)
    turns = store.memories_from(closed.space, list(sources), Filters(session=closed.session, kinds=("turn",)))
    for turn in turns:
        if not sources & set(turn.source_episode_ids):
            continue
        earlier = turn.metadata.get("superseded_at")
        if isinstance(earlier, str) and earlier <= at.isoformat():
            continue
        reason = f"states what {closed.id} said, superseded on {at:%Y-%m-%d}"
        _mark_superseded(store, turn, at, successor, episode_id, reason, actor)


def _mark_superseded(
    store: Store,
    turn: MemoryItem,
    at: datetime,
    successor: str | None,
    episode_id: str | None,
    reason: str,
    actor: str,
) -> None:
    """Record on a turn that the value it states was superseded at `at`, and by what (a NOOP version)."""
    metadata = {**turn.metadata, "superseded_at": at.isoformat(), **replaced_by(successor, episode_id)}
    item = replace(turn, metadata=metadata, updated_at=now())
    store.update_memory(item, None, version_record(item, "NOOP", reason, actor, episode_id))


def _replaced_values(old: MemoryItem, candidate: Candidate) -> list[str]:
    """The words of what a closed fact said that the candidate replaced: its changed values ("Leeds"),
    or what an ending ends ("Biscuit"); numbers are left out (an echo writes them too many ways)."""
    claims, new = old.metadata.get("claims"), candidate.metadata.get("claims")
    values: list[str] = []
    if isinstance(claims, dict) and isinstance(new, dict):
        values = [str(v) for k, v in claims.items() if k in new and new[k] != v]
    ends = candidate.metadata.get("ends")
    if isinstance(ends, str):
        values.append(ends)
    return [v for v in values if len(v) >= 3 and not re.fullmatch(r"[\d.,]+", v)]


ECHOES = 50  # the assistant's turns a replaced value is looked for in, best lexical matches first


def _mark_echoes(
    store: Store,
    closed: MemoryItem,
    values: Sequence[str],
    at: datetime,
    actor: str,
    episode_id: str | None,
    successor: str | None,
) -> None:
    """The assistant's turns that repeat a replaced value ("Got it, you're in Leeds!", "rather than your usual
    window seat") state it too: they rank below the current value from `at` on, like the user's turns."""
    for value in values:
        found = store.lexical_search(closed.space, value.split(), Filters(kinds=("turn",)), ECHOES)
        for turn in store.get_memories(closed.space, [i for i, _ in found]):
            if turn.metadata.get("role") != "assistant" or "superseded_at" in turn.metadata:
                continue
            if not re.search(rf"(?<!\w){re.escape(value)}(?!\w)", turn.text, re.I):
                continue
            reason = f"repeats {value!r}, which {closed.id} said, superseded on {at:%Y-%m-%d}"
            _mark_superseded(store, turn, at, successor, episode_id, reason, actor)


def snapshot(store: Store, current: MemoryItem, closed_at: datetime, actor: str, episode_id: str | None) -> Decision:
    """Keep the state that is about to change as a closed memory, so "as of" the past still finds it."""
    stamp = now()
    snapshot = replace(
        current,
        id=new_id("mem"),
        valid_to=closed_at,
        version=1,
        links=[current.id],
        created_at=stamp,
        updated_at=stamp,
        metadata={**current.metadata, "snapshot_of": current.id, "snapshot_version": current.version},
    )
    vector = store.get_vectors(current.space, [current.id])[current.id]
    reason = f"version {current.version} of {current.id}, true until {closed_at:%Y-%m-%d}"
    store.insert_memory(snapshot, vector, version_record(snapshot, "ADD", reason, actor, episode_id))
    return Decision("ADD", snapshot.id, snapshot.text, reason)


def _merge(a: Sequence[str], b: Sequence[str]) -> list[str]:
    return list(dict.fromkeys([*a, *b]))


def version_record(item: MemoryItem, operation: str, reason: str, actor: str, episode_id: str | None = None) -> Version:
    """The history entry for `item` as it stands after `operation`."""
    return Version(
        memory_id=item.id,
        version=item.version,
        operation=operation,
        text=item.text,
        kind=item.kind,
        tags=list(item.tags),
        valid_from=item.valid_from,
        valid_to=item.valid_to,
        reason=reason,
        actor=actor,
        episode_id=episode_id,
        recorded_at=now(),
    )
