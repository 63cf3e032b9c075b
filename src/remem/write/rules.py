"""The offline extractor: statements worth remembering, rewritten to stand alone, with resolved dates.

No LLM: sentence segmentation, first-person rewriting with the speaker's name, a few
cue lists for preferences, events, plans and changes, and relative-date resolution.
It keeps the raw turn too, so turn-level search never loses anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from remem.search.terms import STOPWORDS
from remem.types import Episode
from remem.write.candidates import Candidate
from remem.write.dates import Tense, resolve
from remem.write.extract import TurnExtractor

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
_INTERJECTION = re.compile(
    r"^(?:hey|hi|hello|wow|oh|ah|aw+|haha\w*|lol|yeah|yes|yep|no|ok(?:ay)?|sure|so|well|totally|"
    r"definitely|absolutely|thanks|thank you)\b[,!.]*\s*",
    re.I,
)
_FILLER = re.compile(
    r"^(?:thanks?|thank you|cool|nice|great|awesome|congrats\w*|same|bye|see you|take care|good luck|"
    r"(?:that|this|it)(?:'s| is| was)\b|(?:that|this|it|what|your)\b[^.!?]{0,40}?\b(?:sounds|looks|seems)\b)",
    re.I,
)


def _words(text: str) -> frozenset[str]:
    """A word list written as prose, one space between words: shorter to read than a literal."""
    return frozenset(text.split())


# "Caroline, since we last chatted, ..." and "... so true, Mel!": the listener addressed by name.
_LEADING_VOCATIVE = re.compile(r"^(?:hey\s+|hi\s+|oh\s+)?[A-Z][a-z]+,\s+(?=[a-zA-Z])")
_TRAILING_VOCATIVE = re.compile(r",\s+[A-Z][a-z]+(?P<end>[.!?]*)$")
_CONJUNCTION = re.compile(r"^(?:and|but|so|also|plus|anyway|btw)\b[,]?\s+", re.I)
# Sentences pointing at a shared photo ("here's ...") or urging ("let's ..."): nothing that stands alone.
_DEICTIC = re.compile(
    r"^(?:here'?s|here is|here are|let'?s|let us|hang in there|check (?:it |this )?out|look at|"
    r"this is a (?:pic|photo))\b",
    re.I,
)
# Words that carry feeling or assent but no fact: a sentence needs two words beyond these.
_EMPTY_WORDS = _words(
    "agree agreed totally really definitely absolutely exactly true right glad happy thanks thank awesome "
    "amazing great cool nice wow sure yeah good hear sounds sound feel think know mean guess bet hope "
    "wish doubts doubt lot lots much things thing stuff kind sort way super pretty so such very well glad "
    "pleased excited proud love lovely wonderful fantastic incredible beautiful cute sweet fun"
)
_FIRST_PERSON = re.compile(r"\b(?:I|I'm|I've|I'll|I'd|my|me|mine|myself|we|we're|we've|our|us)\b", re.I)
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|you've|yours)\b", re.I)
PREFERENCE = re.compile(
    r"\b(?:love|loves|like|likes|enjoy|enjoys|prefer|prefers|hate|hates|favou?rite|"
    r"can't stand|into|fan of|passionate about)\b",
    re.I,
)
PLAN = re.compile(
    r"(?:'ll\b|\b(?:going to|gonna|will|plan(?:ning)? to|hope to|want to|thinking (?:of|about)|"
    r"looking forward to|next (?:week|month|year))\b)",
    re.I,
)
EVENT = re.compile(
    r"\b(?:went|visited|moved|started|finished|joined|bought|adopted|ran|won|lost|got|met|"
    r"took|made|painted|attended|signed up|graduated|married|travel(?:l)?ed|began|quit|left|"
    r"tried|learned|created|wrote|read|saw|had|celebrated|received)\b",
    re.I,
)
# "I no longer eat meat", "I don't eat meat anymore", "I stopped eating meat", "I quit smoking"
NEGATION = re.compile(
    r"\b(?:no longer|not any ?more|don'?t\s+(?P<a>[\w\s']+?)\s+any ?more|stopped|quit|gave up|"
    r"am not\s+(?P<b>[\w\s]+?)\s+any ?more)\b",
    re.I,
)
MOVE = re.compile(
    r"\b(?:moved|relocated|am moving|'m moving)\s+(?:back\s+)?to\s+(?P<place>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)"
)
LIVE = re.compile(r"\b(?:live|living|based)\s+in\s+(?P<place>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)*)")
# Single-valued attributes: a new value closes the old one ("moved to Porto" ends "lives in Lisbon").
JOB = re.compile(
    r"\b(?:work|working|started working|got a (?:new )?job|took a job|was hired|got hired|am employed)\s+"
    r"(?P<prep>at|for|as)\s+(?:an?\s+|the\s+)?(?P<value>[\w-]+(?:\s+[A-Z][\w-]*)*)"
)
RELATIONSHIP = re.compile(
    r"\b(?P<value>single|married|engaged|divorced|separated|widowed|broke up|split up|dating\s+[A-Z]\w+|"
    r"in a relationship)\b",
    re.I,
)
# A new state that rules out an old habit, though it says no "no longer": "I'm vegetarian now".
STATE_NEGATES = {
    "vegetarian": "eat meat",
    "vegan": "eat meat",
    "sober": "drink alcohol",
    "teetotal": "drink alcohol",
}
_STATE = re.compile(
    r"\b(?:I'm|I am|I've become|I became|I went|went)\s+(?:now\s+|fully\s+)?(?P<state>"
    + "|".join(STATE_NEGATES)
    + r")\b",
    re.I,
)
FORGET = re.compile(r"^\s*(?:please\s+)?forget\s+(?:that\s+|about\s+)?(?P<what>.+?)[.!]?\s*$", re.I)

_PRONOUNS = [
    (r"\bI'm\b", "{name} is"),
    (r"\bI am\b", "{name} is"),
    (r"\bI've\b", "{name} has"),
    (r"\bI'll\b", "{name} will"),
    (r"\bI'd\b", "{name} would"),
    (r"\bI was\b", "{name} was"),
    (r"\bI\b", "{name}"),
    (r"\bmyself\b", "{name}"),
    (r"\bmy\b", "{name}'s"),
    (r"\bMy\b", "{name}'s"),
    (r"\bmine\b", "{name}'s"),
    (r"\bme\b(?!-)", "{name}"),  # not the "me" of "me-time"
]


@dataclass(frozen=True)
class Statement:
    text: str  # rewritten to stand alone
    kind: str
    negates: str | None
    attribute: str | None  # a single-valued attribute it sets ("residence"), for temporal updates
    value: str | None


def sentences(text: str) -> list[str]:
    """The sentences of a turn; bracketed annotations ("[shares a photo: ...]") describe, they do not state."""
    text = re.sub(r"\s*\[[^\]]*\]", "", text).strip()
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def content_words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", text)
    return list(dict.fromkeys(w.lower() for w in words if w.lower() not in STOPWORDS and len(w) > 2))


def entities(text: str) -> list[str]:
    """Capitalised words that do not start a sentence: names, places, brands."""
    found = re.findall(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|[A-Z]{2,}\b)", text)
    return list(dict.fromkeys(e for e in found if e.lower() not in STOPWORDS and e not in ("I",)))


_ADVERBS = (
    r"(?:no longer|really|totally|actually|finally|usually|definitely|absolutely|honestly|literally|seriously|"
    r"recently|currently|mostly|truly|probably|certainly|also|never|always|just|still|often|even|sometimes)"
)
_AGREE = re.compile(rf"\bI((?:\s+{_ADVERBS})*)\s+([a-z]+)\b")
_AUX = {"am": "is", "have": "has", "do": "does", "don't": "doesn't", "go": "goes", "haven't": "hasn't"}
_UNCHANGED = _words(
    "can could will would should might must may shall was did had went got made took saw ran met began "
    "left read won lost wrote bought brought thought found gave told felt kept sent spent sat stood heard "
    "paid built taught caught drove rode ate drank swam sang flew grew knew threw drew chose woke came "
    "became forgot won't can't couldn't wouldn't shouldn't didn't wasn't"
)

_PRESENT_ED = _words("need feed bleed breed speed heed proceed succeed exceed embed")  # "-ed" yet present


def _third_person(verb: str) -> str:
    if verb in _AUX:
        return _AUX[verb]
    if verb in _UNCHANGED or (verb.endswith("ed") and verb not in _PRESENT_ED) or not verb.isalpha():
        return verb
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def rewrite(sentence: str, name: str | None) -> str:
    """First person to third: 'I live in Porto' said by Ana -> 'Ana lives in Porto'."""
    if not name:
        return sentence
    out = _AGREE.sub(lambda m: f"I{m.group(1)} {_third_person(m.group(2))}", sentence)
    for pattern, replacement in _PRONOUNS:
        out = re.sub(pattern, replacement.format(name=name), out)
    return out[0].upper() + out[1:] if out else out


def classify(sentence: str, name: str | None) -> Statement | None:
    """A memorable statement, or None for questions, greetings and filler."""
    plain = _INTERJECTION.sub("", sentence.strip()).strip()
    plain = _LEADING_VOCATIVE.sub("", plain)
    plain = _TRAILING_VOCATIVE.sub(lambda m: m.group("end"), plain)
    plain = _CONJUNCTION.sub("", _INTERJECTION.sub("", plain)).strip()
    if not plain or plain.endswith("?") or _FILLER.match(plain) or _DEICTIC.match(plain):
        return None
    if len([w for w in content_words(plain) if w not in _EMPTY_WORDS]) < 2:
        return None
    plain = plain[0].upper() + plain[1:]
    personal = bool(_FIRST_PERSON.search(plain))
    about_listener = bool(_SECOND_PERSON.search(plain))
    if about_listener and not (personal and (EVENT.search(plain) or PLAN.search(plain))):
        return None  # praise and remarks about the listener ("I'm so proud of you!")
    if not personal and not entities(plain):
        return None  # commentary with no subject worth keeping
    text = rewrite(plain, name)
    if name and name not in text:
        text = f"{name}: {text}"  # "Took Oscar to the vet" needs its subject to stand alone
    negated, state = NEGATION.search(plain), _STATE.search(plain)
    negates = None
    if negated:
        negates = " ".join(content_words(plain[negated.end() :])[:4]) or " ".join(content_words(plain)[:4])
    elif state:
        negates = STATE_NEGATES[state.group("state").lower()]
    attribute, value = _attribute(plain)
    if PREFERENCE.search(plain) and not negated:
        kind = "preference"
    elif PLAN.search(plain) or EVENT.search(plain):
        kind = "event"
    else:
        kind = "fact"
    return Statement(text, kind, negates, attribute, value)


def _attribute(plain: str) -> tuple[str | None, str | None]:
    """The single-valued attribute a first-person sentence sets, and its value, if any."""
    if not re.search(r"\b(?:I|I'm|I've|we|we're|we've)\b", plain, re.I):
        return None, None  # "my sister moved to Rome" sets the sister's residence, not the speaker's
    place = MOVE.search(plain) or LIVE.search(plain)
    if place:
        return "residence", place.group("place")
    job = JOB.search(plain)
    if job:
        return "job", f"{job.group('prep')} {job.group('value')}"
    relationship = RELATIONSHIP.search(plain)
    if relationship and re.search(r"\b(?:I|I'm|we)\b", plain[: relationship.start()], re.I):
        return "relationship", relationship.group("value").lower()
    return None, None


class RuleExtractor:
    """Turns plus the standalone statements inside them; no LLM, deterministic."""

    name = "rules"

    def extract(self, episodes: Sequence[Episode], recent: Sequence[Episode]) -> list[Candidate]:
        out = TurnExtractor().extract(episodes, recent)
        for episode in episodes:
            speaker = episode.name or ("the user" if episode.role == "user" else episode.role)
            forget = FORGET.match(episode.content)
            if forget:
                out.append(
                    Candidate(
                        text=forget.group("what"),
                        kind="fact",
                        source_episode_ids=[episode.id],
                        session=episode.session,
                        forget=True,
                        metadata={"speaker": speaker},
                    )
                )
                continue
            parts = sentences(episode.content)
            for sentence in parts:
                statement = classify(sentence, speaker)
                if statement is None:
                    continue
                text, valid_from = statement.text, None
                tense: Tense = "future" if PLAN.search(sentence) else "past" if statement.kind == "event" else None
                dates = resolve(sentence, episode.event_time, tense)
                if len(parts) == 1 and not dates and text == sentence:
                    continue  # the turn itself already says exactly this
                if dates:
                    # Say the date in the fact itself, so it stays true read on any day.
                    text = f"{text.rstrip('.!')} ({dates[0].describe()})."
                    valid_from = dates[0].when
                out.append(
                    Candidate(
                        text=text,
                        kind=statement.kind,
                        source_episode_ids=[episode.id],
                        session=episode.session,
                        valid_from=valid_from or episode.event_time,
                        keywords=content_words(sentence)[:12],
                        tags=[e.lower() for e in entities(sentence)][:8],
                        negates=statement.negates,
                        metadata={
                            "speaker": speaker,
                            **(
                                {"attribute": statement.attribute, "value": statement.value}
                                if statement.attribute
                                else {}
                            ),
                        },
                    )
                )
        return out
