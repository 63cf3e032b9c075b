"""Hybrid retrieval: BM25 and dense candidates, fused by a convex combination of scores, with provenance."""

from __future__ import annotations

import re
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from remem.embed.base import Embedder, Span, embed_query
from remem.search.fuse import convex_combination, reciprocal_rank_fusion, relevance
from remem.search.intent import Intent, answers, intent
from remem.search.lexical import memory_tokens, query_phrases
from remem.search.locality import (
    AFTER_WEIGHT,
    BEFORE_WEIGHT,
    QUESTION_WEIGHT,
    SESSION_WEIGHT,
    MemoryReader,
    prefer_local,
)
from remem.search.terms import query_terms
from remem.search.timeparse import TimeWindow, time_windows
from remem.store.base import Store
from remem.timeutil import now
from remem.types import Filters, Hit, MemoryItem

Mode = Literal["hybrid", "lexical", "dense"]
_LEXICAL = ThreadPoolExecutor(max_workers=4, thread_name_prefix="remem-lexical")
MODES = ("hybrid", "lexical", "dense")


@dataclass(frozen=True)
class SearchPlan:
    candidates: int = 100  # per retriever
    lexical_weight: float = 0.5  # equal weights: the split is not tuned to any data set
    dense_weight: float = 0.5
    time_bonus: float = 0.1  # added to the fused score (0..1) of memories dated when the query says
    fusion: Literal["convex", "rrf"] = "convex"


def search(
    store: Store,
    embedder: Embedder,
    query: str,
    space: str,
    filters: Filters,
    k: int,
    *,
    mode: Mode = "hybrid",
    plan: SearchPlan = SearchPlan(),
    expand_links: bool = False,
    min_score: float | None = None,
) -> list[Hit]:
    """The top k memories for `query`, best first. A hit's score is its own relevance (see
    remem.search.fuse.relevance), in [0, 1] and comparable across queries and spaces, not its rank:
    the order is min-max fusion's with the preferences below, and a later hit may score higher.
    Hits under `min_score` are left out. The first hits, and their scores, are the same for every k up to
    `plan.candidates`."""
    pool = max(plan.candidates, k)
    lexical: list[tuple[str, float]] = []
    dense: list[tuple[str, float]] = []
    pending: Future[list[tuple[str, float]]] | None = None
    terms = query_terms(query)
    # Counted before BM25 starts, which then finds the words' counts cached.
    quiet = _spans(query, store.common_words(space, terms)) if mode != "lexical" else []
    if mode in ("hybrid", "lexical"):
        # BM25 runs in SQLite, which releases the GIL: overlap it with embedding the query.
        pending = _LEXICAL.submit(store.lexical_search, space, terms, filters, pool)
    if mode in ("hybrid", "dense"):
        dense = store.dense_search(space, embed_query(embedder, query, quiet, QUIET_WEIGHT), filters, pool)
    if pending is not None:
        lexical = pending.result()
    lexical_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(lexical, start=1)}
    dense_rank = {memory_id: rank for rank, (memory_id, _) in enumerate(dense, start=1)}
    lexical_score, dense_score = dict(lexical), dict(dense)
    # Only the first `plan.candidates` of each retriever are evidence, whatever k: a longer list
    # (k above that) only adds the deeper results after the rest, so the first hits are the same
    # for every k, and so is each hit's score.
    evidence_lexical, evidence_dense = lexical[: plan.candidates], dense[: plan.candidates]
    cosines = dict(evidence_dense)
    if mode == "lexical":
        ranked = evidence_lexical
    elif mode == "dense":
        ranked = evidence_dense
    elif plan.fusion == "rrf":
        fused = reciprocal_rank_fusion(
            [[i for i, _ in evidence_lexical], [i for i, _ in evidence_dense]],
            weights=[plan.lexical_weight, plan.dense_weight],
        )
        top_score = fused[0][1] if fused else 1.0
        ranked = [(i, score / top_score) for i, score in fused]  # 0..1, the scale the time bonus is on
    else:
        # Min-max per query orders well (ranking by the calibrated relevance itself: LoCoMo dev turn
        # R@10 0.657 against 0.686), but its values say nothing across queries: the hit's score is
        # its relevance, below.
        ranked = convex_combination(
            [evidence_lexical, evidence_dense], weights=[plan.lexical_weight, plan.dense_weight]
        )
    read = MemoryReader(store, space)
    moment = filters.as_of or now()
    windows = time_windows(query)
    if windows and mode == "hybrid":
        # Before locality: a turn of the day the question names brings the turns beside it with it.
        ranked = _prefer_dated(read, ranked, windows, plan.time_bonus)
    if mode == "hybrid":
        ranked = prefer_local(store, space, ranked, filters, read, worth=lambda item: worth_now(item, moment))
    pooled = {i for i, _ in ranked}
    deeper = [(i, s) for i, s in [*dense[plan.candidates :], *lexical[plan.candidates :]] if i not in pooled]
    ranked += [(i, 0.0) for i in dict.fromkeys(i for i, _ in deeper)]
    cosines.update((i, s) for i, s in dense[plan.candidates :] if i not in cosines and i not in pooled)
    # The preferences below reorder a fixed window at the top, the same for every k; the rest keeps its order.
    window = ranked[:RERANKED]
    pool_items = read([i for i, _ in ranked[: max(k * 3, RERANKED)]])
    wanted: Intent | None = None
    if mode == "hybrid":
        wanted = intent(query)
        window = successors(store, space, window, read, filters, moment, wanted)
        window = _present_first(window, pool_items, moment)
        window = _says_when_first(window, pool_items, query)
        if wanted.properties or not _ASKS_WHEN.search(query):  # "When are Nadia's 1:1s with her boss?": not who
            window = _answers_first(window, pool_items, wanted)
        window = _latest_first(window, pool_items, query, past=filters.as_of is not None)
    placed = {i for i, _ in window}
    considered = window + [(i, score) for i, score in ranked[RERANKED:] if i not in placed]
    top = _collapse(considered, pool_items, k)
    items = {i: pool_items[i] for i, _ in top}
    relevant = _relevance(query, [items[i] for i, _ in top], cosines, mode)
    scored = [(i, _relevance_now(items[i], relevant[i], wanted, moment)) for i, _ in top]
    hits = [(items[i], score, lexical_rank.get(i), dense_rank.get(i), None) for i, score in scored]
    if min_score is not None:
        hits = [h for h in hits if h[1] >= min_score]
    if expand_links:
        hits.extend(_linked(store, space, [h[0] for h in hits], filters))
    episode_ids = [e for h in hits for e in h[0].source_episode_ids]
    episodes = {e.id: e for e in store.get_episodes(space, episode_ids)}
    return [
        Hit(
            memory=item,
            score=score,
            lexical_rank=lr,
            dense_rank=dr,
            episodes=[episodes[e] for e in item.source_episode_ids if e in episodes],
            via_link=via,
            lexical_score=lexical_score.get(item.id) if lr is not None else None,
            dense_score=dense_score.get(item.id) if dr is not None else None,
        )
        for item, score, lr, dr, via in hits
    ]


RERANKED = 30  # how many of the fused ranking the preferences below may reorder

#: The weight in the mean pooling of the query's vector of a word held by a third of the space's
#: memories or more (a participant's name in a conversation: remem.search.lexical.everywhere),
#: against 1 for every other token. The name still counts in BM25, and in the model's reading of the
#: query around it; at full weight it pulled up every short fact that names the person twice
#: ("Caroline will do Caroline's best") above the turns about what was asked. LoCoMo dev, weight 1
#: then 0.25 (python bench/ablation.py): turn R@10 0.778 -> 0.797, R@1 0.417 -> 0.404. Weighed to
#: nothing, the name found a little more and put the evidence first less often still.
QUIET_WEIGHT = 0.25
_WORDS = re.compile(r"\w+")


def _spans(query: str, words: set[str]) -> list[Span]:
    """Where the query says each of these words (as FTS5 reads them: "José" is "jose")."""
    if not words:
        return []
    return [
        (m.start(), m.end())
        for m in _WORDS.finditer(query)
        if any(word in words for word, _ in query_phrases([m.group(0).lower()]))
    ]


def _relevance(query: str, items: list[MemoryItem], cosines: dict[str, float], mode: Mode) -> dict[str, float]:
    """Each hit's calibrated relevance (remem.search.fuse.relevance) from the evidence the mode reads:
    the share of the query's searched words in the memory (as FTS5 stems them), and its cosine."""
    stems = {stem for _, stem in query_phrases(query_terms(query))} if mode != "dense" else set()
    tokens = _memory_words(items) if stems else [frozenset[str]()] * len(items)
    out = {}
    for item, words_of in zip(items, tokens, strict=True):
        words = len(stems & words_of) / len(stems) if stems else None
        out[item.id] = relevance(words, cosines.get(item.id) if mode != "lexical" else None)
    return out


WORDS_HELD = 16_384  # memories whose words _memory_words keeps (the hits of the latest searches)
_words: dict[tuple[str, tuple[str, ...]], frozenset[str]] = {}


def _memory_words(items: list[MemoryItem]) -> list[frozenset[str]]:
    """The tokens of each memory's text and keywords as FTS5 indexes them, kept by (text, keywords):
    the same memories are hits of many searches, and FTS5 tokenises one in about 0.1 ms."""
    keys = [(m.text, tuple(m.keywords)) for m in items]
    found = {key: words for key in keys if (words := _words.get(key)) is not None}
    missing = [key for key in dict.fromkeys(keys) if key not in found]
    if missing:
        if len(_words) + len(missing) > WORDS_HELD:
            _words.clear()
        for key, (text, keywords) in zip(missing, memory_tokens(missing), strict=True):
            found[key] = _words[key] = frozenset((*text, *keywords))
    return [found[key] for key in keys]


def _relevance_now(item: MemoryItem, score: float, wanted: Intent | None, moment: datetime) -> float:
    """A hit's relevance with the preferences of the ranking folded in, still in [0, 1]: a turn whose
    value was superseded, or the assistant's, counts less; a fact that sets the property asked for
    counts as much more as it answers (weight 1: fully relevant)."""
    if item.kind == "turn":
        score *= worth_now(item, moment)
    elif wanted:
        score += (1.0 - score) * answers(item.text, item.metadata, wanted)
    return score


SUPERSEDED_WEIGHT = 0.3  # a turn whose stated value was replaced, asked about a later moment
#: The assistant's words are what it said, weaker evidence of the user's facts; a reply lent the score of
#: the question it answers (remem.search.locality) outranked the user's own statement of the fact asked
#: about. Memory-truth stories, the sets read while developing, 0.6 -> 0.4: E +1, G -1, M +4; 0.25 gave
#: B +1, E +1, G -1, M +2. LoCoMo has no assistant: unchanged.
ASSISTANT_WEIGHT = 0.4
#: What is left of the turn that asked to forget something ("[forgotten] fresh start"): it asks, it tells
#: nothing, yet it names whom the next question is about ("What does Maria do for work?"). Stories, with the
#: two write-path fixes beside it (remem.write.rules: no fact from the rest of a request, none that says
#: "Pierre is Pierre."): L 209 -> 212, F 86 -> 87, every other set unchanged.
REQUEST_WEIGHT = 0.3


def worth_now(item: MemoryItem, moment: datetime) -> float:
    """How much a memory's score counts at `moment`: a turn that states a value superseded by then, or
    the assistant's turn, counts less (both weights apply to the assistant repeating a replaced value)."""
    weight = 1.0
    if item.kind == "turn":
        if _replaced(item, moment):
            weight *= SUPERSEDED_WEIGHT
        if item.metadata.get("role") == "assistant":
            weight *= ASSISTANT_WEIGHT
        if item.metadata.get("forget_request"):
            weight *= REQUEST_WEIGHT
    return weight


SUCCESSION = 8  # how many replacements of one value a search follows to the one that holds now


def successors(
    store: Store,
    space: str,
    ranked: list[tuple[str, float]],
    read: MemoryReader,
    filters: Filters,
    moment: datetime,
    wanted: Intent,
) -> list[tuple[str, float]]:
    """A turn that states a value replaced by `moment` lends its score to the memory that holds the
    value now (remem.write.pipeline.replaced_by: the fact that superseded it, followed through later
    replacements, or, where the value just ended, the turn that ended it). "When is Chidi's marathon?"
    shares its words with "running the Berlin marathon in September", not with "signed up for Valencia
    in December instead": the current fact takes the place the stale turn would have had. Successors
    must pass the search's filters, and where the question asks for a property, answer it: "Where does
    Lucy live?" matches "my brother Callum lives in Glasgow" by its words, and Callum's new address
    does not take its place. The ranking is otherwise unchanged (the stale turn is weighed down by
    _present_first)."""
    items = read([i for i, _ in ranked])
    lent: dict[str, float] = {}
    ended: dict[str, float] = {}  # episodes that ended a value, for values nothing replaced
    for memory_id, score in ranked:
        item = items.get(memory_id)
        if item is None or item.kind != "turn" or not _replaced(item, moment):
            continue
        heir = _heir(item, read, moment)
        if isinstance(heir, str):
            lent[heir] = max(lent.get(heir, 0.0), score)
        elif heir is not None:
            ended[heir[0]] = max(ended.get(heir[0], 0.0), score)
    if ended:
        for turn in store.memories_from(space, list(ended), Filters(kinds=("turn",))):
            if turn.source_episode_ids and turn.source_episode_ids[0] in ended:
                lent[turn.id] = max(lent.get(turn.id, 0.0), ended[turn.source_episode_ids[0]])
    if not lent:
        return ranked
    found = read(list(lent))
    episodes = {e for i in lent if i in found for e in found[i].source_episode_ids}
    allowed = {m.id for m in store.memories_from(space, list(episodes), filters)} & set(lent)
    if wanted:
        allowed = {i for i in allowed if found[i].kind == "turn" or answers(found[i].text, found[i].metadata, wanted)}
    out = dict(ranked)
    for heir in allowed:
        out[heir] = max(out.get(heir, 0.0), lent[heir])
    return sorted(out.items(), key=lambda pair: (-pair[1], pair[0]))


def _replaced(item: MemoryItem, moment: datetime) -> bool:
    """Whether a turn states a value that was superseded by `moment`."""
    superseded = item.metadata.get("superseded_at")
    return isinstance(superseded, str) and superseded <= moment.isoformat()


def _heir(item: MemoryItem, read: MemoryReader, moment: datetime) -> str | tuple[str] | None:
    """The id of the memory that holds a replaced value at `moment`; (episode id,) of the turn that
    ended it when nothing replaced it; None when neither is known."""
    current = item
    for _ in range(SUCCESSION):
        by = current.metadata.get("superseded_by")
        if not isinstance(by, str):
            ended = current.metadata.get("superseded_in")
            return (ended,) if isinstance(ended, str) else None
        successor = read([by]).get(by)
        if successor is None:
            return None
        if successor.valid_to is None or successor.valid_to > moment:
            return successor.id
        current = successor
    return None


def _present_first(
    ranked: list[tuple[str, float]], items: dict[str, MemoryItem], moment: datetime
) -> list[tuple[str, float]]:
    """The current value ranks above turns that state a superseded one, and the user's words above
    the assistant's: both kinds of turn stay findable, lower down."""
    out = []
    for memory_id, score in ranked:
        item = items.get(memory_id)
        out.append((memory_id, score * worth_now(item, moment) if item is not None else score))
    return sorted(out, key=lambda pair: (-pair[1], pair[0]))


#: Added to the fused score (0..1) of a memory that says when (a date, a weekday, "yesterday", "last
#: month", "two years ago") when the question asks when: its answer is a time, and a memory that
#: states one answers it better than one that only shares its words. The size of SearchPlan's
#: time_bonus. LoCoMo dev (make bench, temporal questions): R@1 0.730 -> 0.746, MRR 0.800 -> 0.826,
#: R@10 the same; twice as much lost temporal R@10.
SAYS_WHEN_BONUS = 0.1
_ASKS_WHEN = re.compile(
    r"^\W*when\b|\bhow long ago\b|\b(?:what|which) (?:year|date|month|day|week|time of year)\b|\bsince when\b", re.I
)
_MONTH = (
    r"jan(?:uary)?|feb(?:ruary)?|march|apr(?:il)?|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?"
)  # May only beside a number ("may" is mostly a verb)
_UNIT = (
    r"week|weekend|month|year|night|summer|spring|fall|autumn|winter|semester|season|(?:mon|tue|wed|thu|fri|sat|sun)\w*"
)
_SAYS_WHEN = re.compile(
    rf"\b(?:yesterday|today|tonight|tomorrow|ago|weekends?|(?:last|next|this|past|coming) (?:{_UNIT})|"
    rf"(?:mon|tues|wednes|thurs|fri|satur|sun)days?|(?:{_MONTH})|may \d|\d may|(?:19|20)\d\d)\b",
    re.I,
)


def _says_when_first(
    ranked: list[tuple[str, float]], items: dict[str, MemoryItem], query: str
) -> list[tuple[str, float]]:
    """For a question that asks when, the memories that say when rank above those that only share its words."""
    if not _ASKS_WHEN.search(query):
        return ranked
    return _with_bonus(ranked, lambda i: SAYS_WHEN_BONUS if i in items and _SAYS_WHEN.search(items[i].text) else 0.0)


def _with_bonus(ranked: list[tuple[str, float]], bonus: Callable[[str], float]) -> list[tuple[str, float]]:
    """The ranking with each memory's bonus added to its score, sorted again."""
    return sorted(((i, score + bonus(i)) for i, score in ranked), key=lambda pair: (-pair[1], pair[0]))


#: Added to the fused score (0..1) of a fact that sets the property the question asks for: more than
#: locality can add to a turn (remem.search.locality), so such a fact ranks above every turn that only
#: shares its words, however small the space (min-max scaling puts the weaker of two candidates at 0).
ANSWER_BONUS = 1.0 + max(BEFORE_WEIGHT, QUESTION_WEIGHT, AFTER_WEIGHT) + SESSION_WEIGHT


#: Added, in proportion to how late it was said among the memories reordered, to the fused score (0..1)
#: of each memory when the question asks how things are now ("where does Zainab live", "what app does
#: Ngozi use"), not how they were: of two memories that answer it about as well, the later ranks first.
#: A change the write path did not read as one ("all my notes live in Obsidian nowadays" after "I rely
#: on a paper Moleskine") then still outranks the value it replaced. Memory-truth stories, the sets
#: read while developing, 0 -> 0.1: A -1, C +1, L -1 (a later noise fact), M +1 (+4 with each memory's
#: rank in time instead of its time, which gave two notes added a millisecond apart the whole bonus);
#: 0.2 lost A, D and dev a check each. LoCoMo dev turn R@10 0.796 -> 0.795, evidence @512 0.803 -> 0.801.
RECENT_BONUS = 0.1
#: Added as well to a memory among the first CHANGE_HEAD of the reordered ranking that says a change
#: ("switched to bachata", "Ben is mango's walker now", "turns out im actually O negative", "no longer")
#: and was said after the earliest of them. Where the write path did not read the change as one, the
#: earlier value and the change both match the question; the change is the one that holds. Only the
#: first few: across the whole window, "finally" and "now" in turns about something else (LoCoMo dev:
#: "finally took the kids to a pottery workshop") rose above the evidence. Memory-truth stories, 0 ->
#: 0.5 over the first 5, every set (remem bench stories): dev +1, B +1, C +3, D +1, G +1, M +6,
#: plain-spoken +2 (read while developing); F +1, H +4, I +2, J +5, K +3 (never read); none lost.
#: LoCoMo dev: turn R@1 0.420 -> 0.429, evidence @256 0.707 -> 0.711, R@10 and @512 unchanged. A bonus
#: of 1.0 lost C 4 checks; over the first 30, LoCoMo evidence @512 lost 0.008.
CHANGE_BONUS = 0.5
CHANGE_HEAD = 5
_SAYS_CHANGE = re.compile(
    r"\b(?:now|nowadays|these days|anymore|any more|no longer|switch(?:ed|ing)|chang(?:ed|ing)|instead|actually|"
    r"renamed|moved|turns out|finally|from now on|not any)\b",
    re.I,
)
_ASKS_FIRST = re.compile(r"\b(?:first|originally|ever|used to|when)\b", re.I)
RECENT_SPAN_MIN = 86_400.0  # seconds: times less than a day apart differ by less than the whole bonus
_ASKS_NOW = re.compile(r"\b(?:is|are|does|do|has|have)\b|\w's\b", re.I)
_ASKS_BEFORE = re.compile(
    r"\b(?:did|was|were|had|used to|before|originally|first|previous(?:ly)?|former(?:ly)?|ago|last|when|ever)\b|"
    r"\b(?:19|20)\d\d\b",
    re.I,
)


def _latest_first(
    ranked: list[tuple[str, float]], items: dict[str, MemoryItem], query: str, past: bool = False
) -> list[tuple[str, float]]:
    """For a question about how things are, each memory gains RECENT_BONUS times how late it was said
    between the earliest and the latest of these (0 for the earliest, 1 for the latest): in proportion to
    the time between them, over a day at least, so what was said in one sitting gains alike. One of the
    first CHANGE_HEAD that says something changed, said after the earliest, gains CHANGE_BONUS more.
    Searched as of a past moment (`past`), a question asks how things were then, whatever its tense
    ("Which city was Aroha living in?"): the same preferences apply, over what was said by then, unless
    it asks for the first or for when (memory-truth stories: F +1, nothing else moved)."""
    if past:
        if _ASKS_FIRST.search(query):
            return ranked
    elif not _ASKS_NOW.search(query) or _ASKS_BEFORE.search(query):
        return ranked
    said = {i: item.valid_from or item.created_at for i, _ in ranked if (item := items.get(i)) is not None}
    if not said:
        return ranked
    first = min(said.values())
    span = max((max(said.values()) - first).total_seconds(), RECENT_SPAN_MIN)
    place = {i: (moment - first).total_seconds() / span for i, moment in said.items()}
    changed = {i for i, _ in ranked[:CHANGE_HEAD] if place.get(i, 0.0) > 0 and _SAYS_CHANGE.search(items[i].text)}
    return _with_bonus(ranked, lambda i: RECENT_BONUS * place.get(i, 0.0) + CHANGE_BONUS * (i in changed))


def _answers_first(
    ranked: list[tuple[str, float]], items: dict[str, MemoryItem], wanted: Intent
) -> list[tuple[str, float]]:
    """Facts whose claim answers the question's property ("where does Tomasz live" -> Tomasz's
    residence) rank above facts and turns that only share its words."""
    if not wanted:
        return ranked
    # Who a name is to someone, as another fact says it ("Rahul's sister Ananya"): a fact said of Ananya
    # answers "Where does Rahul's sister work?". Read only for a question that names a relation.
    known = (
        {str(m.metadata["aka"]): str(m.metadata["subject"]) for m in items.values() if _relative(m)}
        if wanted.via is not None
        else {}
    )
    # An unnamed user who said their name ("heyy im sam"): a question about Sam asks for the user's facts
    named_user = (
        {
            str(m.metadata["aka"])
            for m in items.values()
            if m.metadata.get("subject") == "the user" and m.metadata.get("aka")
        }
        if wanted.names
        else set()
    )
    user = next((n for n in wanted.names if n in named_user), None)
    out = []
    for memory_id, score in ranked:
        item = items.get(memory_id)
        weight = 0.0
        if item is not None and item.kind != "turn":
            meta = item.metadata
            if str(meta.get("subject") or "") in known:
                meta = {**meta, "subject": known[str(meta["subject"])]}
            elif user is not None and meta.get("subject") == "the user":
                meta = {**meta, "subject": user}
            weight = answers(item.text, meta, wanted)
        out.append((memory_id, score + ANSWER_BONUS * weight, weight))
    # On a tie (min-max scaling puts the weakest candidate at 0), the answering fact goes first.
    out.sort(key=lambda row: (-row[1], -row[2], row[0]))
    return [(memory_id, score) for memory_id, score, _ in out]


def _relative(item: MemoryItem) -> bool:
    """Whether a memory names someone by their relation to another ("Rahul's sister Ananya")."""
    return bool(item.metadata.get("aka")) and "'s " in str(item.metadata.get("subject") or "")


def _collapse(ranked: list[tuple[str, float]], items: dict[str, MemoryItem], k: int) -> list[tuple[str, float]]:
    """Drop a hit whose source turns are all behind better hits already (a fact and the turn it
    came from say the same thing); the reader gets k different pieces of evidence instead. Two facts
    of one turn say different things: a fact hides the turn it came from, not the turn's other facts
    ("Ingrid is not ready to talk much" hid "Bamse died on Tuesday", and a search as of then found two
    memories of six). LoCoMo dev and the memory-truth stories: every figure the same."""
    covered: set[str] = set()  # the turns behind the hits kept
    said: set[str] = set()  # the turns kept as hits themselves
    kept: list[tuple[str, float]] = []
    # A fact that keeps only the new value of a change its turn says with the old one ("switched to Molinos
    # del Sur, dropped Harinera Azteca") takes its turn's place: the turn would read the old value as current.
    # Only where the fact matches the question half as well as its turn: a turn that says the change beside
    # something else ("it's in Lausanne, not Vevey. ... contract is actually 3 years") is found for the rest too.
    cleaner = {
        item.source_episode_ids[0]: (memory_id, score)
        for memory_id, score in ranked
        if (item := items.get(memory_id)) is not None
        and item.metadata.get("replaces")
        and len(item.source_episode_ids) == 1
    }
    placed: set[str] = set()
    for memory_id, score in ranked:
        item = items.get(memory_id)
        if item is None or memory_id in placed:
            continue
        if (
            item.kind == "turn"
            and len(item.source_episode_ids) == 1
            and item.source_episode_ids[0] in cleaner
            and cleaner[item.source_episode_ids[0]][1] >= score / 2
        ):
            memory_id = cleaner[item.source_episode_ids[0]][0]
            item = items[memory_id]
            placed.add(memory_id)
        sources = set(item.source_episode_ids)
        if item.kind != "summary" and sources and sources <= (covered if item.kind == "turn" else said):
            continue
        kept.append((memory_id, score))
        if item.kind != "summary" and "carried_from" not in item.metadata:
            covered |= sources  # a part carried out of a closed fact says less than its turn: it hides nothing
        if item.kind == "turn":
            said |= sources
        if len(kept) == k:
            break
    return kept


def _prefer_dated(
    read: MemoryReader, ranked: list[tuple[str, float]], windows: list[TimeWindow], bonus: float
) -> list[tuple[str, float]]:
    dated = {i: m.valid_from or m.created_at for i, m in read([i for i, _ in ranked]).items()}
    return _with_bonus(ranked, lambda i: bonus if i in dated and any(w.near(dated[i]) for w in windows) else 0.0)


def _linked(store: Store, space: str, seeds: list, filters: Filters) -> list:  # type: ignore[type-arg]
    """Memories linked from the hits, not already present, scored just below their seed."""
    seen = {m.id for m in seeds}
    wanted: dict[str, str] = {}
    for seed in seeds:
        for link in seed.links:
            if link not in seen and link not in wanted:
                wanted[link] = seed.id
    linked = store.get_memories(space, list(wanted))
    out = []
    for item in linked:
        if filters.as_of is None and not filters.include_expired and item.valid_to is not None:
            continue
        out.append((item, 0.0, None, None, wanted[item.id]))
    return out
