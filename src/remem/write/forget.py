"""Forgetting by meaning: "please forget my phone number" removes exactly the phone number.

A forget request names a topic. Every part of every turn that is about it (the user's clause that
says it, a line of values right after it, like an address, and the sentences that go on about it:
"he ...", the name it said again, or close in meaning, into the user's next turn) is redacted in
place, and so is any other part, the assistant's included, that repeats one of its identifying
tokens (the number itself). What is left of the request's own turn is marked as a request, and
search weighs it little. Facts and summaries that said it are purged; other facts from the same
turns stay, and so do earlier versions of unrelated facts. A turn whose purged fact said more than
what goes is read again for what it still says (remem.write.pipeline: "i take home 9.200 a month,
rent is 2.800" forgets the pay and keeps the rent). The store then scrubs its file, so the
words are in no table, index, version, history reason or WAL frame.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import NamedTuple

from remem.embed.base import Embedder
from remem.search.terms import STOPWORDS
from remem.store.base import Store, Vector
from remem.types import Decision, Episode, Filters, MemoryItem
from remem.write.candidates import Candidate
from remem.write.dates import WEEKDAYS, resolve
from remem.write.extract import index_text, turn_text

REDACTED = "[forgotten]"
_GENERIC = frozenset(
    [
        "number",
        "numbers",
        "thing",
        "things",
        "stuff",
        "detail",
        "details",
        "info",
        "information",
        "said",
        "told",
        "wrote",
        "shared",
        "health",
        "personal",
        "data",
        "everything",
        "anything",
        "matter",
    ]
)
# Words of a request that say how much to forget, not what: "the whole interview thing", "all of it pls".
_FILLER = frozenset(
    ["said", "told", "wrote", "shared", "what", "about", "whole", "entire", "completely", "totally", "pls"]
    + ["mentioned", "disclosed", "provided", "part", "parts", "bit", "everything", "anything", "matter"]
    + ["earlier", "anywhere", "anymore", "please"]
)
_FORGET_VERB = re.compile(r"\b(?:forget|delete|remove|erase|scratch|wipe)\b", re.I)
# A full stop after a title or an abbreviation ends no sentence: "my therapist Dr. Marchetti" is one part.
_SENTENCE = re.compile(
    r"(?<=[.!?])(?<!\b[DdMm]r\.)(?<!\b[Mm]rs\.)(?<!\b[Mm]s\.)(?<!\b[Ss]t\.)(?<!\b[Pp]rof\.)(?<!\b[Nn]o\.)"
    r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\bvs\.)\s+|\n+"
)


def _stem(word: str) -> str:
    word = _SAME_PERSON.get(word, word)
    return word[:-1] if word.endswith("s") and len(word) > 4 else word


# One person said many ways: "forget my mom's health" is about "my mum has been diagnosed with ...".
_SAME_PERSON = {
    "mum": "mother", "mom": "mother", "mam": "mother", "mummy": "mother", "mommy": "mother", "ma": "mother",
    "dad": "father", "daddy": "father", "papa": "father", "pa": "father",
    "bro": "brother", "sis": "sister", "hubby": "husband", "bf": "boyfriend", "gf": "girlfriend",
    "grandma": "grandmother", "granny": "grandmother", "nan": "grandmother", "nana": "grandmother",
    "grandpa": "grandfather", "grandad": "grandfather", "granddad": "grandfather",
    "kids": "children", "kid": "children", "child": "children",
    # and one thing: "forget the income figure" is "I take home 185,000 shillings a month"
    "income": "salary", "pay": "salary", "wage": "salary", "wages": "salary", "earnings": "salary",
    "paycheck": "salary", "paycheque": "salary",
}  # fmt: skip
# Words a request uses for a kind of thing, and the kind (a topic of _TOPICS) they name: "my debt" is
# "I owe about £12k on credit cards", "my sister's news" the part said "between us".
_KIND_OF = {
    "health": "medical", "medical": "medical", "illness": "medical", "diagnosis": "medical", "condition": "medical",
    "fertility": "medical", "pregnancy": "medical", "mental": "medical", "therapy": "medical",
    "treatment": "medical", "rehab": "medical", "recovery": "medical", "test results": "medical",
    "tax": "money", "taxes": "money", "inheritance": "money",
    "debt": "money", "debts": "money", "finances": "money", "finance": "money", "money": "money", "loans": "money",
    "weight": "body", "body": "body",
    "news": "news", "secret": "secret", "secrets": "secret", "confession": "secret", "affair": "secret",
    "criminal record": "legal", "police record": "legal", "my record": "legal",
    "legal": "legal", "arrest": "legal", "court": "legal", "lawsuit": "legal", "case": "legal",
    "job hunt": "interview", "job search": "interview", "applications": "interview", "interviews": "interview",
    "address": "address", "home address": "address",
    "divorce": "divorce", "separation": "divorce", "custody": "divorce", "school": "school", "schools": "school",
    "insta": "handle", "instagram": "handle", "ig": "handle", "handle": "handle", "username": "handle",
    "location": "whereabouts", "whereabouts": "whereabouts", "where i live": "whereabouts", "where i am": "whereabouts",
}  # fmt: skip
_KINDS_NAMED = frozenset(_KIND_OF.values())
# A part with a subject of its own says another thing: "i take home 9.200 a month, rent is 2.800, i live in ..."
_OWN_CLAUSE = re.compile(r"(?:i|i'm|im|i've|we|we're|my|our)\s|[\w'-]+\s+(?:is|are)\s", re.I)
_TIMES = frozenset(
    [*WEEKDAYS, "morning", "afternoon", "evening", "night", "tonight", "today", "yesterday", "week", "month"]
)
_VALUE_KINDS = frozenset(["address", "handle"])  # kinds said as a value, not as a sentence about something
# Medical abbreviations, as written: "Ed" and "ed" are a name and a syllable, "ED" a condition.
_ABBREVIATED = re.compile(r"\b(?:ED|STIs?|STDs?|OCD|PTSD|IBS|IVF|HIV|ADHD)\b")
_KINDS = re.compile(r"\b(?:" + "|".join(sorted(map(re.escape, _KIND_OF), key=len, reverse=True)) + r")\b", re.I)


def _words(text: str) -> set[str]:
    """The words of substance, as forgetting compares them: "ex" counts (two letters), and a part that says
    what someone makes or earns says "salary" whatever its words ("i make 84k as a civil engineer")."""
    words = {
        _stem(w.lower().removesuffix("'s"))
        for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text)
        if w.lower() not in STOPWORDS and w.lower().split("'")[0] not in STOPWORDS  # "i'm", "don't"
    }
    if _EARNS.search(text):
        words.add("salary")
    if _ABBREVIATED.search(text):
        words.add("medical")  # "forget the ED thing" is "in recovery from bulimia"
    words.update(_KIND_OF[m.group(0).lower()] for m in _KINDS.finditer(text))
    for topic, said in _TOPICS:
        if said.search(text):
            words.add(topic)  # "forget the medical stuff" finds "type 1 diabetic, on an insulin pump"
    return words


_SECRET = (
    r"between us|secret|(?:hasn'?t|haven'?t|has not|have not|not) told (?:anyone|anybody|our|my|his|her)|"
    r"don'?t tell|keep (?:it|this) (?:quiet|to yourself)|nobody knows|no one knows|confess\w*|affair|"
    r"cheat(?:ing|ed)? on|sleeping with|behind (?:my|his|her|their) (?:\w+'s )?back"
)
# What a request names by its kind ("the medical stuff", "that interview") and the words that say it.
_TOPICS = (
    (
        "medical",
        re.compile(
            r"\b(?:diabet\w*|insulin|asthma\w*|epilep\w*|cancer|chemo\w*|adhd|autis\w*|anxiety|depress\w*|"
            r"therap\w*|psychiatr\w*|medication|meds|diagnos\w*|surgery|illness|condition|disorder|migraines?|"
            r"hiv|pregnan\w*|miscarri\w*|ivf|injur\w*|doctor|dr(?=\.? [A-Z])|specialist|clinic|hospital|gp|pills?|"
            r"tablets|prescri\w*|\d+\s?mg|rehab\w*|addict\w*|opioids?|detox|sober\w*|sobriety|relaps\w*|"
            r"eating disorder|bulimi\w*|anorexi\w*|in recovery|(?:got|get|getting|been) tested|"
            r"tested (?:positive|negative)|test results|stis?|stds?|"
            # a medicine by its name's ending: propranolol, lisinopril, methylphenidate, dolutegravir, sertraline
            r"[a-z]{3,}(?:olol|pril|sartan|statin|prazole|phenidate|oxetine|traline|talopram|azepam|zolam|codone|"
            r"mycin|cillin|floxacin|triptan|formin|gravir|glutide|tidine|pramine|tyline|peridone|piprazole|tiapine|"
            r"trigine|profen|etamol))\b",
            re.I,
        ),
    ),
    (
        "interview",
        re.compile(
            r"\b(?:interview\w*|final round|recruiter|job hunt\w*|job search\w*|offer letter|applied to|"
            r"looking for a new job|applying for jobs)\b",
            re.I,
        ),
    ),
    (
        "money",
        re.compile(
            r"\b(?:owe|owes|owed|owing|debts?|credit cards?|overdraft|loans?|arrears|bankrupt\w*|payday|maxed out|"
            r"behind on (?:rent|payments|bills)|tax(?:es)?|hmrc|irs|undeclared|inherit\w*|in (?:her|his|their) will)\b",
            re.I,
        ),
    ),
    ("body", re.compile(r"\b(?:\d+(?:\.\d+)?\s?(?:kg|kilos?|lbs?|stone)|weigh(?:s|ed|ing)?|bmi)\b", re.I)),
    ("secret", re.compile(rf"\b(?:{_SECRET})\b", re.I)),
    # Someone's news: what is told in confidence, and what people announce ("paula just told me she's pregnant")
    (
        "news",
        re.compile(
            rf"\b(?:{_SECRET}|pregnan\w*|expecting (?:a baby|twins)|engaged|getting married|propos\w+|"
            r"(?:baby|she)(?:'s| is)? due|(?:splitting|split|broke|breaking) up|told me (?:that )?(?:she|he|they)|"
            r"just found out)\b",
            re.I,
        ),
    ),
    (
        "school",
        re.compile(
            r"\b(?:schools?|primary|secondary|nursery|kindergarten|daycare|preschool|year \d+|grade \d+|"
            r"class teacher|escola|escuela|[ée]cole|schule|scuola|gymnasium|lyc[ée]e|colegio|instituto|okul|"
            r"szko[lł]a)\b",
            re.I,
        ),
    ),
    (
        "divorce",
        re.compile(r"\b(?:divorc\w*|separat(?:ing|ed|ion)|split(?:ting)? up|custody|lawyers?|solicitors?)\b", re.I),
    ),
    (
        "whereabouts",
        re.compile(
            r"\b(?:live|lives|living|staying|stay|based|moved|moving)\s+(?:at|in|to|near)\b|\baddress\b|\bhotel\b|"
            r"\bpostcode\b",
            re.I,
        ),
    ),
    (
        "legal",
        re.compile(
            r"\b(?:arrest\w*|court|lawsuit|sued|suing|charged|convict\w*|dui|probation|custody|police|hearing|"
            r"tribunal|shoplift\w*|criminal record|investigat\w*)\b",
            re.I,
        ),
    ),
    ("handle", re.compile(r"(?<![\w.])@[A-Za-z0-9_][\w.]{2,}|\b(?:instagram|insta|tiktok|handle|username)\b", re.I)),
    (
        "address",
        re.compile(
            r"\b(?:\d+\s+\w+\s+(?:street|st|road|rd|lane|ln|avenue|ave|drive|close|way)|postcode|zip|"
            r"\d+,?\s+(?:rue|calle|via|viale|rua|avenida|av\.|boulevard|bd)\s+\w+|\w+(?:strasse|straße|str\.|gasse)\s+\d+|"
            r"(?:calle|carrer|rua|via|viale|rue|avenida|ulica|ul\.)\s+(?:[^\W\d]+\s+){1,3}\d+|\d+º\s?[A-Z]?)(?!\w)",
            re.I,
        ),
    ),
)
_EARNS = re.compile(
    r"\bbase(?: salary| pay)?(?: is|:| of)\s+(?:about\s+|around\s+)?[$€£¥₹]?\d[\d,.]*\s*"
    r"(?:k|m|million|thousand|grand|yen|usd|eur|gbp|euros?|dollars?|pounds?)\b|"
    r"\b(?:make|makes|making|made|earn|earns|earning|earned|paid|take home|bring in|on)\s+"
    r"(?:about\s+|around\s+|like\s+|roughly\s+)?"
    r"(?:[A-Z]{0,3}\$\s?|[€£₹¥]\s?|(?:rs\.?|chf|usd|eur|gbp|inr|kes|ksh|zar)\s?)?\d[\d,.]*\s*"
    r"(?:k\b|grand\b|thousand\b|(?:[a-z]+\s+)?(?:a|per)\s+(?:year|month|week)\b|an hour\b|monthly\b)",
    re.I,
)


_FRAGMENT = 3  # words: a comma-separated part this short beside a forgotten one is part of what it says
_RARE = 9  # letters: a lowercase word this long said only in forgotten parts identifies them (a diagnosis)


_BOTH = re.compile(r",?\s+\b(?:and|or|&|plus|as well as)\s+|;\s*", re.I)


def _about(words: set[str], topic: set[str], loose: bool = False) -> bool:
    """Whether a part with these words is about a topic: one of its specific words, and half of all of
    them; where the topic names a kind of thing (the medical, a secret), one that says that kind: "my
    mom's health" is not "my mum lives in Cebu". `loose` (read where nothing matched) lets a word of
    the kind stand for a word of the request that says the kind."""
    specific = topic - _GENERIC or topic
    kinds = topic & _KINDS_NAMED
    if kinds and not kinds & words:
        return False
    # "the medical stuff from this morning" is the medical said that day: with a kind, a time is not a word of it
    needed = max(1, (len(topic - _TIMES if kinds else topic) + 1) // 2)
    if specific & words and len(topic & words) >= needed:
        return True
    if not loose:
        return False
    # A word of the request that says the kind is said by any word of that kind: "my anxiety meds" is
    # "doc gave me propranolol 10mg", but "my mom's cancer" still needs the mother.
    saying = {w for w in topic if _kinds_said(w) & kinds & words}
    return bool(saying) and len((topic & words) | saying) >= needed and not (specific - saying - kinds) - words


def _kinds_said(word: str) -> set[str]:
    """The kinds of thing a request's word says on its own ("meds" and "anxiety": medical)."""
    return {topic for topic, said in _TOPICS if said.fullmatch(word)}


def _asked(part: str) -> set[str]:
    """The words of a part of a request, a kind of thing said by its kind alone: "my job hunt" is
    {"interview"}, "my mom's health" {"mother", "medical"}."""
    kinds = {_KIND_OF[m.group(0).lower()] for m in _KINDS.finditer(part)}
    kinds |= {"medical"} if _ABBREVIATED.search(part) else set()
    return (_words(_ABBREVIATED.sub(" ", _KINDS.sub(" ", part))) | kinds) - _FILLER


_COMMA = re.compile(r",(?!\d{3}(?!\d))")  # not the comma inside "250,000"


def _sentences(text: str) -> list[list[str]]:
    """Sentences (and lines) of a turn, each as its comma-separated parts."""
    return [[p.strip() for p in _COMMA.split(s) if p.strip()] for s in _SENTENCE.split(text) if s.strip()]


# Lowercase words a line of values may hold: particles of names, and words for a street ("12 rue de la Paix").
_PARTICLES = frozenset(
    ["de", "del", "la", "le", "les", "van", "von", "der", "den", "da", "di", "do", "dos", "du", "y", "bis"]
    + ["rue", "rua", "via", "calle", "carrer", "avenida", "av", "avenue", "ave", "street", "st", "road", "rd"]
    + ["lane", "apt", "flat", "no"]
)


def _values_only(sentence: list[str]) -> bool:
    """A line of values ("Calle de Ferraz 42, 3ºB, 28008 Madrid"): no lowercase word but a particle of a
    name; "Rent is 45,000 in Kilimani." is a sentence."""
    line = " ".join(sentence)
    words = re.findall(r"[^\W\d_][\w'-]*", line)  # a single letter is a flat's or a floor's: "3ºB", "Flat 2b"
    return bool(re.search(r"\d", line)) and all(not w.islower() or len(w) == 1 or w in _PARTICLES for w in words)


def _tokens(part: str) -> set[str]:
    return {t.strip(".,:;!?()") for t in part.split() if t.strip(".,:;!?()")}


def _lowered(part: str) -> set[str]:
    return {t.lower() for t in _tokens(part)}


class Forgotten(NamedTuple):
    """What a forget request did: its decisions, the sessions whose summaries need writing again, and the
    turns a purged fact came from, as they read now, to be read again for what they still say."""

    decisions: list[Decision]
    sessions: set[str]
    reread: list[Episode]


def forget_by_meaning(store: Store, embedder: Embedder, space: str, request: Candidate, actor: str) -> Forgotten:
    """Redact what `request` asks to forget."""
    # "the whole interview thing and the medical stuff" names two topics: a part about either goes.
    named = [w for part in _BOTH.split(request.text) if (w := _asked(part))]
    topic = set().union(*named)
    if not topic:
        return Forgotten([Decision("NOOP", None, REDACTED, "a forget request that names nothing")], set(), [])
    episodes = store.list_episodes(space, limit=100_000)
    turns = [(e, _sentences(e.content)) for e in episodes if e.role == "user"]  # each user turn split once
    every = [(e.id, p) for e, sentences in turns for sentence in sentences for p in sentence]
    words: dict[str, set[str]] = {}  # each part's words, read once for both passes
    hits = _said(turns, request, named, words)
    if set(hits) <= set(request.source_episode_ids):  # none by its words: by a word of its kind ("anxiety meds")
        hits = _said(turns, request, named, words, loose=True)
    if set(hits) <= set(request.source_episode_ids):  # no part shares its words: the closest in meaning
        for episode_id, parts in _closest(store, embedder, space, episodes, request).items():
            hits.setdefault(episode_id, []).extend(parts)
    close = _Closeness(embedder)
    _go_on(close, episodes, request, hits)
    # What goes on about a forgotten sentence is forgotten too: its words are not "said elsewhere".
    outside = [p for episode_id, p in every if p not in hits.get(episode_id, [])]
    said_words = {t for parts in hits.values() for p in parts for t in _tokens(p)}
    elsewhere = {t.lower() for p in outside for t in _tokens(p)}
    # A word anyone wrote with a capital inside a sentence is a name, however the user typed it ("its spotify").
    names = {m.group(1).lower() for e in episodes for m in re.finditer(r"(?<=[\w,;:] )([A-Z][\w'-]{3,})", e.content)}
    identifying = {
        t.lower()
        for t in said_words
        if t.lower() not in elsewhere
        and (
            (re.search(r"\d", t) and len(t) >= 3)
            or (len(t) >= 4 and t.lower() not in topic and (t[:1].isupper() or t.lower() in names))
            or (len(t) >= _RARE and t.isalpha() and t.lower() not in topic)  # "endometriosis", said only here
        )
    }
    for episode in episodes:
        for sentence in _sentences(episode.content):
            for part in sentence:
                squeezed = part.replace(" ", "").lower()
                repeats = _lowered(part) & identifying or any(len(t) >= 3 and squeezed in t for t in identifying)
                if repeats and part not in hits.get(episode.id, []):
                    hits.setdefault(episode.id, []).append(part)
    _go_on(close, episodes, request, hits)
    if not hits or set(hits) <= set(request.source_episode_ids):
        return Forgotten([Decision("NOOP", None, REDACTED, "asked to forget something not remembered")], set(), [])
    return _redact(store, embedder, space, episodes, hits, identifying, actor, set(request.source_episode_ids))


def _said(
    turns: Sequence[tuple[Episode, list[list[str]]]],
    request: Candidate,
    named: list[set[str]],
    words: dict[str, set[str]],
    loose: bool = False,
) -> dict[str, list[str]]:
    """The parts of the user's turns (each with its sentences) about a topic `named`: {episode id: parts}.
    `words` keeps each part's words (_words) across calls."""

    def said_in(part: str) -> set[str]:
        if part not in words:
            words[part] = _words(part)
        return words[part]

    topic = set().union(*named)
    hits: dict[str, list[str]] = {}
    for episode, sentences in turns:
        found: list[str] = []
        previous = False
        for sentence in sentences:
            said = [p for p in sentence if (episode.id in request.source_episode_ids and _FORGET_VERB.search(p))
                    or any(_about(said_in(p), asked, loose) for asked in named)]  # fmt: skip
            if said and episode.id in request.source_episode_ids:
                said = list(sentence)  # the request's own sentence names the topic: it goes too
            elif said and any(k in topic and any(k in said_in(p) for p in said) for k in ("secret", "news")):
                said = list(sentence)  # "between us, my sister is pregnant": what the secret is goes with it
            elif said:
                # The rest of the sentence goes on about it ("my brother was arrested for drunk driving, so we
                # need money for a lawyer"), and a short fragment before it says the same thing ("new co, its
                # spotify, final round thursday"); what else came before it stays ("I'm a nurse in Leeds, and ...").
                # An address goes on only with its own parts: "48 Wellesley St E, apt 1207, toronto, starting at
                # RBC downtown next monday" keeps the job.
                first = sentence.index(said[0])
                said += [
                    p
                    for i, p in enumerate(sentence)
                    if p not in said
                    and (
                        (i > first and not topic & _VALUE_KINDS and not _OWN_CLAUSE.match(p))
                        or len(p.split()) <= _FRAGMENT
                    )
                ]
            elif previous and _values_only(sentence):
                said = list(sentence)  # the address on the line after "my address is"
            found.extend(said)
            previous = bool(said)
        if found:
            hits[episode.id] = found
    return hits


# A sentence that goes on about the third person the forgotten sentence before it named, after at most
# a short lead: "Minseok came out to me tonight. he hasn't told his family", "Between us, he lost ...".
# Or one that names again someone it named inside it: "sleeping with her boss, Mark from accounting, for
# months. i don't know whether to invite Mark to the party".
# Or one close to it in meaning: "my dad has a second family in Porto. That family has two kids, ..."
# (cosine 0.48); "I take home 185,000 a month. Rent is 45,000 in Kilimani" are two things (0.33). The
# model reads some continuations lower ("... I have a half-sister, Beatriz, who is 12": 0.25): those stay.
CONTINUES_AT = 0.35
_NEW_SUBJECT = re.compile(
    r"^(?:also|btw|by the way|anyway|oh and|another thing|separately|unrelated|on (?:a|an) (?:\w+ )?note)\b", re.I
)
_NAMED = re.compile(r"(?<=[\w,;:] )[A-Z][a-z'-]{2,}")
# A few words in the same turn that go on about the sentence before: "she's pregnant!! due in may."
_TAIL = re.compile(
    r"(?:due|born|starting|since|until|till|expires?|expected|probably|maybe|hopefully|because|which)\b"
    r"(?:\s+\S+){0,3}[.!]*$",
    re.I,
)
_THIRD_PERSON = re.compile(
    r"^(?:[\w']+(?:\s+[\w']+){0,2},\s*|(?:oh\s+)?(?:and|but|also|plus)\s+)?(?:he|she|they|his|her|their)\b", re.I
)


def _go_on(close: _Closeness, episodes: Sequence[Episode], request: Candidate, hits: dict[str, list[str]]) -> None:
    """Add to `hits` each sentence of the user's that goes on about a forgotten one just before it: in the
    same turn, or first in the user's next turn of the same session ("and he still has my bike lol")."""
    before: set[str] | None = None  # the names the sentence before said, where a part of it is forgotten
    last = ""  # and that sentence
    session: str | None = None
    for episode in episodes:
        if episode.id in request.source_episode_ids or episode.session is None or episode.session != session:
            before, session = None, episode.session  # another session, none, or the request: nothing goes on
        if episode.role != "user" or episode.id in request.source_episode_ids:
            continue  # the assistant's turn between: the user's next one may still go on
        forgotten = hits.get(episode.id, [])
        for index, sentence in enumerate(_sentences(episode.content)):
            said = ", ".join(sentence)
            names = set(_NAMED.findall(said))
            if (
                before is not None
                and not any(p in forgotten for p in sentence)
                and not _NEW_SUBJECT.match(said)  # "also, unrelated, Hana's birthday is ..."
                and (_THIRD_PERSON.match(said) or before & names or (index and _TAIL.match(said)) or close(last, said))
            ):
                forgotten.extend(sentence)
            if any(p in forgotten for p in sentence):
                before, last = names, said
            elif not said.endswith("?") or _NEW_SUBJECT.match(said):
                before = None  # a question asked of it ("how do i set boundaries?") does not change the subject
        if forgotten:
            hits[episode.id] = forgotten


class _Closeness:
    """Whether a sentence is close in meaning to the forgotten one before it (CONTINUES_AT); each sentence
    is embedded once per forget, though _go_on asks again after the repeats of identifying words."""

    def __init__(self, embedder: Embedder) -> None:
        self.embedder = embedder
        self.vectors: dict[str, Vector] = {}

    def __call__(self, before: str, sentence: str) -> bool:
        missing = list(dict.fromkeys(t for t in (before, sentence) if t not in self.vectors))
        if missing:
            self.vectors.update(zip(missing, self.embedder.embed(missing), strict=True))
        return float(self.vectors[before] @ self.vectors[sentence]) >= CONTINUES_AT


#: The cosine between a request's words and a sentence of the user's above which, when no part shares
#: the request's words, the closest sentence is what it asks to forget ("that confession from the other
#: night" is "I've been seeing someone behind my partner's back"); sentences this close to the best one go too.
SIMILAR_AT = 0.25
SIMILAR_WITHIN = 0.05
_NEAREST_TURNS = 20  # turns found by meaning whose sentences are compared, beside the latest ones
_LATEST_TURNS = 50
_WHEN = re.compile(
    r"\b(?:from|on|since|in)?\s*(?:(?:this|yesterday|last|the other)\s+(?:morning|afternoon|evening|night|day|week)|"
    r"(?:mon|tues|wednes|thurs|fri|satur|sun)day|yesterday|today|tonight|earlier(?: today| on)?|before)\b",
    re.I,
)


def _closest(
    store: Store, embedder: Embedder, space: str, episodes: Sequence[Episode], request: Candidate
) -> dict[str, list[str]]:
    """The sentences of the user's turns closest in meaning to a request that shares no words with
    any: {episode id: [its sentences' parts]}, empty when none is close enough. The sentences read are
    those of the latest turns and of the turns a search for the request finds; a request that names
    its day ("the work drama from wednesday") reads that day's turns when it has any."""
    asked = set(request.source_episode_ids)
    said = [e for e in episodes if e.role == "user" and e.id not in asked]
    if not said:
        return {}
    query = _WHEN.sub(" ", request.text).strip() or request.text
    vector = embedder.embed([query])[0]
    found = store.dense_search(space, vector, Filters(kinds=("turn",), include_expired=True), _NEAREST_TURNS)
    near = {e for m in store.get_memories(space, [i for i, _ in found]) for e in m.source_episode_ids}
    pool = [e for e in said if e.id in near] + [e for e in said[-_LATEST_TURNS:] if e.id not in near]
    day = _day_named(request, episodes)
    if day is not None and any(e.event_time.date() == day for e in pool):
        pool = [e for e in pool if e.event_time.date() == day]
    sentences = [(e.id, parts) for e in pool for parts in _sentences(e.content)]
    if not sentences:
        return {}
    scores = embedder.embed([", ".join(parts) for _, parts in sentences]) @ vector
    best = float(scores.max())
    if best < SIMILAR_AT:
        return {}
    out: dict[str, list[str]] = {}
    for (episode_id, parts), score in zip(sentences, scores, strict=True):
        if score >= best - SIMILAR_WITHIN:
            out.setdefault(episode_id, []).extend(parts)
    return out


def _day_named(request: Candidate, episodes: Sequence[Episode]) -> date | None:
    """The day a request names ("the medical stuff from this morning"), read from when it was said."""
    asked = [e for e in episodes if e.id in request.source_episode_ids]
    if not asked:
        return None
    weekday = r"(?=(?:mon|tues|wednes|thurs|fri|satur|sun)day\b)"
    text = re.sub(rf"\b(?:from|since)\s+{weekday}", "on ", request.text, flags=re.I)  # "from tuesday": "on tuesday"
    text = re.sub(rf"(?<!\bon )\b{weekday}", "on ", text, flags=re.I)
    days = [r.when.date() for r in resolve(text, asked[0].event_time, "past") if r.grain == "day"]
    return days[0] if days else None


def _redact(
    store: Store,
    embedder: Embedder,
    space: str,
    episodes: Sequence[Episode],
    hits: dict[str, list[str]],
    identifying: set[str],
    actor: str,
    asked: set[str],
) -> Forgotten:
    """Redact the parts in `hits`; the turn of the request itself (episodes `asked`) is marked as one, so
    search weighs what is left of it ("[forgotten] Just keep the work and dog things.") as a request."""
    from remem.write.pipeline import version_record  # the pipeline imports this module

    by_id = {e.id: e for e in episodes}
    contents: dict[str, str] = {}
    for episode_id, parts in hits.items():
        content = by_id[episode_id].content
        for part in sorted(set(parts), key=len, reverse=True):
            content = content.replace(part, REDACTED)
        contents[episode_id] = content
    derived = _derived(store, space, set(hits))
    gone = [p for parts in hits.values() for p in parts]
    rewritten: dict[str, str] = {}
    purge: list[str] = []
    sessions: set[str] = set()
    for item in derived:
        lowered = item.text.lower()  # "she's on B watch" is said again as "The user: She's on B watch."
        left = (
            re.sub(r"\[forgotten\]|\W", "", contents.get(item.source_episode_ids[0], "x"))
            if item.source_episode_ids
            else "x"
        )
        if item.kind == "turn" and not left:
            purge.append(item.id)  # nothing of the turn is left to find; its episode stays, redacted
        elif item.kind == "turn" and len(item.source_episode_ids) == 1 and item.source_episode_ids[0] in contents:
            episode = replace(by_id[item.source_episode_ids[0]], content=contents[item.source_episode_ids[0]])
            text = turn_text(episode)
            vector = embedder.embed([index_text(text, item.kind, item.valid_from, item.metadata)])[0]
            updated = replace(item, text=text)
            if item.source_episode_ids[0] in asked:
                updated = replace(updated, metadata={**item.metadata, "forget_request": True})
            reason = "redacted: the user asked to forget part of it"
            store.update_memory(updated, vector, version_record(updated, "UPDATE", reason, actor))
            rewritten[item.id] = text
        elif item.kind == "summary" or _lowered(item.text) & identifying or any(p.lower() in lowered for p in gone):
            purge.append(item.id)
            if item.session:
                sessions.add(item.session)
    for item in derived:  # facts that restate a redacted part in other words
        if item.id not in purge and item.kind not in ("turn", "summary") and _overlaps(item.text, gone):
            purge.append(item.id)
    store.redact(space, contents, rewritten)
    if purge:
        store.purge(space, memory_ids=purge)
    # A purged fact may have said more than what goes ("takes home 9.200 a month, rent is 2.800, i live in
    # Curitiba"): the turns it came from are read again, without what was forgotten.
    facts = {
        e
        for item in derived
        if item.id in purge and item.kind not in ("turn", "summary")
        for e in item.source_episode_ids
    }
    reread = [
        replace(by_id[e], content=left)
        for e in sorted(facts - asked)
        if e in contents and (left := unsaid(contents[e]))
    ]
    reason = f"the user asked to forget: {len(contents)} turn(s) redacted, {len(purge)} memories purged"
    return Forgotten([Decision("PURGE", i, REDACTED, reason) for i in [*rewritten, *purge]], sessions, reread)


def unsaid(content: str) -> str:
    """What a redacted turn still says, the forgotten parts left out: "" when nothing of substance is left."""
    left = re.sub(r"\s*(?:\[forgotten\][\s,;:]*)+", " ", content).strip(" ,;:")
    return left if len(re.findall(r"[^\W\d_]{3,}", left)) >= 2 else ""


def _overlaps(text: str, gone: Sequence[str]) -> bool:
    """Whether a fact carries most of the words of a redacted part (a rewrite of it), or a redacted part
    most of the fact's ("Priya's ex rohan keeps texting Priya", of a long part that said more)."""
    words = _words(text)
    return any(
        len(shared := (w := _words(p)) & words) >= 2 and len(shared) >= 0.6 * min(len(w), len(words)) for p in gone
    )


def _derived(store: Store, space: str, episode_ids: set[str]) -> list[MemoryItem]:
    """Every memory, current or closed, that came from one of the episodes."""
    out: list[MemoryItem] = []
    offset = 0
    while True:
        page = store.list_memories(space, Filters(include_expired=True), 1_000, offset)
        out.extend(m for m in page if episode_ids & set(m.source_episode_ids))
        if len(page) < 1_000:
            return out
        offset += len(page)
