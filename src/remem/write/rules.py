"""The offline extractor: statements worth remembering, rewritten to stand alone, with resolved dates.

No LLM: sentence segmentation, first-person rewriting with the speaker's name, a few
cue lists for preferences, events, plans and changes, and relative-date resolution.
It keeps the raw turn too, so turn-level search never loses anything.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from remem.search.terms import STOPWORDS
from remem.timeutil import storable
from remem.types import Episode
from remem.write.candidates import Candidate
from remem.write.claims import (
    CORRECTION,
    HEDGE,
    JOB_NOUN,
    NOW,
    PET_SPECIES,
    RELATIONS,
    THEIR_OWN,
    Claim,
    added_pet,
    claim,
    correction_in,
    introduced,
    kin,
    named_now,
    pet_named,
    properties,
    subject_of,
    turn_amount,
    turn_money,
    turn_pet,
)
from remem.write.dates import MONTH_WORD, MONTHS, NUMBERS, WEEKDAYS, Tense, resolve
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
# "Mel, I went ..." addresses the listener; "Raj, my husband, is a chef" names who it is about.
# "Ana, can you ...": the listener's name, not what is said. A state said first is no name: "Married, husband Olav".
_LEADING_VOCATIVE = re.compile(
    r"^(?:hey\s+|hi\s+|oh\s+)?"
    r"(?!(?:Married|Engaged|Divorced|Separated|Widowed|Single|Retired|Pregnant|Sober|Smoker|Vegan|Vegetarian)\b)"
    r"[A-Z][a-z]+,\s+(?=[a-zA-Z])(?!(?:my|our)\s+[\w-]+\s*,)"
)
_TRAILING_VOCATIVE = re.compile(r"(?P<before>\b[\w']+),\s+[A-Z][a-z]+(?P<end>[.!?]*)$")
# "..., Mel!" addresses the listener; "with my ex, Lucia." names the ex, and the name stays.
_NAMED_BEFORE = _words(
    "ex son mum mom dad boss wife aunt niece uncle cousin sister friend nephew father mother partner brother "
    "husband manager daughter girlfriend boyfriend fiance fiancé fiancee dog cat puppy kitten "
    "someone somebody"  # "I've been seeing someone — Valentina —": whom, not the listener
)


def _drop_vocative(text: str) -> str:
    return _TRAILING_VOCATIVE.sub(
        lambda m: m.group(0) if m.group("before").lower() in _NAMED_BEFORE else m.group("before") + m.group("end"),
        text,
    )


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
    (r"\bmyself\b", "themself"),  # "be true to myself": not "be true to Caroline"
    (r"\bmy\b", "{name}'s"),
    (r"\bMy\b", "{name}'s"),
    (r"\bmine\b", "{name}'s"),
    (r"\bme\b(?!-)", "{name}"),  # not the "me" of "me-time"
]
_PRONOUN_PATTERNS = [(re.compile(pattern), replacement) for pattern, replacement in _PRONOUNS]  # compiled once


@dataclass(frozen=True)
class Statement:
    text: str  # rewritten to stand alone
    kind: str
    negates: str | None
    attribute: str | None  # a single-valued attribute it sets ("residence"), for temporal updates
    value: str | None
    replaces: str | None = None  # the value a change says it leaves ("dropped Harinera Azteca")


# "[shares a photo: ...]" with the spaces before it; only from a run's start, so a run of spaces is
# read once, not once per space (what made this quadratic).
_ANNOTATION = re.compile(r"(?:(?<=\S)|^)\s*\[[^\]]*\]")


def sentences(text: str) -> list[str]:
    """The sentences of a turn; bracketed annotations ("[shares a photo: ...]") describe, they do not state."""
    text = re.sub(r"[ \t\r\f\v]+", " ", text)
    text = _ANNOTATION.sub("", text).strip()
    return [s.strip() for s in _SENTENCE.split(text) if s.strip()]


def content_words(text: str) -> list[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", text)
    return list(dict.fromkeys(w.lower() for w in words if w.lower() not in STOPWORDS and len(w) > 2))


_NOT_NAMES = frozenset({"i", "gonna", "wanna", "gotta", "lemme", "let", "lol", "omg", "ok", "okay", "yay", "yeah"})


def entities(text: str) -> list[str]:
    """Capitalised words that do not start a sentence: names, places, brands."""
    found = re.findall(r"(?<![.!?]\s)(?<!^)\b([A-Z][a-z]+(?:\s+[A-Z][a-z]+)*|[A-Z]{2,}\b)", text)
    return list(dict.fromkeys(e for e in found if e.lower() not in STOPWORDS and e.lower() not in _NOT_NAMES))


_ADVERBS = (
    r"(?:no longer|really|totally|actually|finally|usually|definitely|absolutely|honestly|literally|seriously|"
    r"recently|currently|mostly|truly|probably|certainly|also|never|always|just|still|often|even|sometimes)"
)
_AGREE = re.compile(rf"\bI((?:\s+{_ADVERBS})*)\s+([a-z]+(?:-[a-z]+)?(?:n't)?)(?![\w'])")
_AUX = {
    "am": "is",
    "have": "has",
    "do": "does",
    "don't": "doesn't",
    "go": "goes",
    "haven't": "hasn't",
    "wanna": "wants to",
    "gotta": "has to",
    "gonna": "is going to",
}
_UNCHANGED = _words(
    "can could will would should might must may shall was did had went got made took saw ran met began "
    "left read won lost wrote bought brought thought found gave told felt kept sent spent sat stood heard "
    "paid built taught caught drove rode ate drank swam sang flew grew knew threw drew chose woke came "
    "became forgot won't can't couldn't wouldn't shouldn't didn't wasn't has is does"
)  # "has", "is", "does" as typed after "I" ("i has two dogs") stay as they are

_PRESENT_ED = _words("need feed bleed breed speed heed proceed succeed exceed embed")  # "-ed" yet present


def _third_person(verb: str) -> str:
    if "-" in verb:  # "co-parent" -> "co-parents"
        head, _, tail = verb.rpartition("-")
        return f"{head}-{_third_person(tail)}"
    if verb in _AUX:
        return _AUX[verb]
    if verb in _UNCHANGED or (verb.endswith("ed") and verb not in _PRESENT_ED) or not verb.isalpha():
        return verb
    if verb.endswith(("s", "sh", "ch", "x", "z", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2:-1] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


# "Hana and I are", "my wife and I have", "My fiancé Tane Parata and I are": a pair that leads its clause
_PAIR_BEFORE = re.compile(r"(?:^|[.!?,;:]\s*)(?:[A-Z][\w-]*|[Mm]y \w+)(?:\s+[A-Z][\w-]*){0,3}\s+(?:and|&)\s+$")


def rewrite(sentence: str, name: str | None) -> str:
    """First person to third: 'I live in Porto' said by Ana -> 'Ana lives in Porto'."""
    if not name:
        return sentence
    out = _AGREE.sub(
        lambda m: (
            m.group(0)
            # "Hana and I are", "my wife and I have" (not "in Lisbon and I work": the pair leads its clause)
            if _PAIR_BEFORE.search(sentence[: m.start()])
            else f"I{m.group(1)} {_third_person(m.group(2))}"
        ),
        sentence,
    )
    for pattern, replacement in _PRONOUN_PATTERNS:
        out = pattern.sub(replacement.format(name=name), out)
    return out[0].upper() + out[1:] if out else out


# A change that also names the value it leaves: "switched flour supplier to Molinos del Sur, dropped Harinera
# Azteca bc of the price hike", "reminders via telegram from now on, not sms", "doc switched me off the
# tramadol, now just paracetamol". The fact keeps the new value; the old one is what it negates.
_OLD_AFTER = re.compile(
    r",\s*(?:and\s+)?(?:dropped|ditched|dumped|not|no more|no longer|instead of|rather than)\s+(?:the\s+)?"
    r"(?P<old>[^,.;!?]+?)(?:\s+(?:bc|because|since|as|cause|cuz)\b[^,.;!?]*)?[.!]*$",
    re.I,
)
_OLD_GONE = re.compile(  # "switched vets, now going to Casa Forte, dr paulo retired"
    r",\s*(?:(?:dr|mr|mrs|ms)\.?\s+)?(?P<old>[\w'-]+(?:\s+[\w'-]+)?)\s+(?:retired|left|quit|moved away|closed)[.!]*$",
    re.I,
)
_OLD_PRICED_OUT = re.compile(  # "geico went up so i switched to Progressive": the one left, priced out
    r"^(?P<old>[\w'&-]+(?:\s+[\w'&-]+)?)\s+(?:went up|got (?:too )?expensive|raised (?:the|my|its|their) prices?|"
    r"put (?:the|my) price up)\s*,?\s+so\s+(?:i|we)\s+(?=switched|changed|moved)",
    re.I,
)
_OLD_LEFT = re.compile(  # "patel sold the building, new landlord is a company called Grainger"
    r"^(?:(?:mr|mrs|ms|dr)\.?\s+)?(?P<old>[\w'-]+(?:\s+[\w'-]+)?)\s+(?:sold|left|retired|quit|closed)\b[^,.;]*[,.;]\s*"
    r"(?=(?:so\s+)?(?:the\s+|our\s+|my\s+)?new\s)",
    re.I,
)
_OLD_BEFORE = re.compile(
    r"^[^,]*?\b(?:switched|taken|taking|came|got|went|moved)\s+(?:\w+\s+)?off\s+(?:the\s+|my\s+|her\s+|his\s+)?"
    r"(?P<old>[\w'-]+(?:\s+[\w'-]+)?),\s*(?=now\b)",
    re.I,
)
_OLD_SWAPPED = re.compile(
    r"\b(?:the|my|her|his|their)\s+(?P<old>[\w'-]{3,})\b[^,.;]*?\b(?:so|and)\s+(?:they|he|she|doc|the doctor|we|i)\s+"
    r"(?:swapped|switched|changed|replaced)\s+(?:it|that|them)\s+(?:for|to|with)\s+(?P<new>[^,.;!?]+)",
    re.I,
)
_NOT_AFTER = re.compile(
    r",\s*not\s+(?!(?:that|sure|really|much|too|only|just|bad|yet|even|so|at|a|an|the|me|my|for|in|on|to|if|as|"
    r"because|bc|now|anymore|always|everyone|everything|all)\b)(?P<old>[\w'-]+(?:\s+[\w'-]+){0,2})[.!]*$",
    re.I,
)
_CHANGED = re.compile(r"\b(?:switched|changed|swapped|moved|now|new|from now on|instead)\b", re.I)


_CALL_ME = re.compile(
    r"^(?:[\w']+,?\s+){0,3}?(?:could|can|would|will)\s+(?:you|u)\s+(?:please\s+|pls\s+)?(?=call me\b)", re.I
)
_OLD_DROPPED = re.compile(
    r"^(?:you can |u can |pls |please |just )?(?:drop|skip|ditch|lose) the (?P<old>[^,]+),\s*(?:it\b[^,]*,\s*)?|"
    # "moving out of the connewitz WG end of month, got a studio in plagwitz": the new home is what it says
    # "Moving news: I'm leaving Soweto, got a place in Midrand", "we sold the Sapporo apartment and bought a house"
    r"^(?:[\w ]{1,24}:\s*)?(?:(?:i'm|im|we're|were|i am|we are|we|i|we've|i've)\s+)?"
    r"(?:(?:moving|moved)\s+out\s+of|leaving|left|sold|selling)\s+(?:the\s+|my\s+|our\s+)?"
    r"(?P<left>[^,]+?)(?:,\s*|\s+and\s+)(?=(?:and\s+)?(?:got|found|signed|moving|moved|taking|took|bought|buying)\b)",
    re.I,
)


# What a home was ("the Sapporo apartment"): the place is the value it leaves, not every apartment.
_HOME_NOUN = re.compile(r"\s+(?:apartment|flat|house|place|condo|studio|room|unit)$", re.I)


def _without_old(plain: str) -> tuple[str, str | None]:
    """(the clause without the part that names the value a change leaves, that value), or (clause, None)."""
    dropped = _OLD_DROPPED.match(plain)  # "you can drop the Mrs. Hollis, it feels very stiff. Everyone calls me Peggy"
    if dropped and len(content_words(plain[dropped.end() :])) >= 2:
        rest = plain[dropped.end() :]
        old = (dropped.group("old") or _HOME_NOUN.sub("", dropped.group("left"))).strip()
        return rest[:1].upper() + rest[1:], old or dropped.group("left").strip()
    if not _CHANGED.search(plain):
        said_not = _NOT_AFTER.search(plain)  # "and it's in Lausanne, not Vevey": what it corrects
        if said_not and len(content_words(plain[: said_not.start()])) >= 2:
            return plain[: said_not.start()].rstrip(" ,"), said_not.group("old").strip()
        return plain, None
    after = _OLD_AFTER.search(plain) or _OLD_GONE.search(plain)
    if after and len(content_words(plain[: after.start()])) >= 2:
        return plain[: after.start()].rstrip(" ,"), after.group("old").strip()
    swapped = _OLD_SWAPPED.search(plain)  # "had a dry cough from the lisinopril so they swapped it for losartan"
    if swapped:
        return f"Switched to {swapped.group('new')}", swapped.group("old")
    before = _OLD_BEFORE.search(plain) or _OLD_PRICED_OUT.search(plain) or _OLD_LEFT.search(plain)
    if before:
        rest = plain[before.end() :]
        return rest[:1].upper() + rest[1:], before.group("old").strip()
    return plain, None


def classify(sentence: str, name: str | None) -> Statement | None:
    """A memorable statement, or None for questions, greetings and filler."""
    plain = _INTERJECTION.sub("", sentence.strip()).strip()
    plain = _LEADING_VOCATIVE.sub("", plain)
    plain = _drop_vocative(plain)
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
    said, replaced = _without_old(plain)  # "telegram from now on, not sms": the fact says the new value
    text = rewrite(said, name)
    if name and name.lower() not in text.lower():
        text = f"{name}: {text}"  # "Took Oscar to the vet" needs its subject to stand alone
    negated, state = NEGATION.search(plain), _STATE.search(plain)
    negates = replaced
    if negated and not replaced:
        negates = " ".join(content_words(plain[negated.end() :])[:4]) or " ".join(content_words(plain)[:4])
    elif state and not replaced:
        negates = STATE_NEGATES[state.group("state").lower()]
    attribute, value = _attribute(plain)
    if PREFERENCE.search(plain) and not negated:
        kind = "preference"
    elif PLAN.search(plain) or EVENT.search(plain):
        kind = "event"
    else:
        kind = "fact"
    return Statement(text, kind, negates, attribute, value, replaced)


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


# Someone else doing something, "Mateo (7) does football", "he's at paystack": a clause's own subject.
_SOMEONE_DOES = (
    r"[A-Z][a-z]+(?:-[a-z]+)?(?:'s)?(?:\s+\([^)]{1,12}\))?\s+(?:is|does|plays|started|takes|goes|works|lives|studies|teaches|"
    r"joined|has|had|moved|got|left)\b"
)
_HE_OR_SHE = r"(?:he's|she's|he is|she is)"
# Clause boundaries in chat: sentence ends in any case, runs of "!!"/"?!", emoji, new lines, dashes,
# and a comma or "but"/"so" before a new first-person or pronoun subject ("..., and I do sound").
# "my wife", "our son", "my younger sister"
_MY_RELATION = rf"(?i:my|our)\s+(?:(?i:younger|older|little|big|baby|twin|elder|new|best)\s+)?(?i:{RELATIONS})"
# The one person a clause names by relation ("my mom's meds"): whom "she" after it is, not a pet
_KIN = re.compile(r"\b(?:my|our)\s+(mum|mom|mother|dad|father|sister|brother|wife|husband|son|daughter|grandma|"
                  r"grandmother|grandpa|grandfather|aunt|uncle)\b", re.I)  # fmt: skip
_CLAUSE = re.compile(
    r"(?<!\b[Ss]t\.)(?<!\b[DdMm]r\.)(?<!\b[Mm]rs\.)(?<!\b[Mm]s\.)(?<!\b[Jj]r\.)(?<!\be\.g\.)(?<!\bi\.e\.)"
    r"(?<=[.!?])\s+"
    r"|[!?]{2,}\s*|\s*[\n;]+\s*|\s+[-\u2013\u2014]\s+"
    r"|\s*[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2764\uFE0F\u200D]+\s*"
    r"|,\s+(?=(?:and\s+)?(?:I|I'm|I've|i|i'm|im|i've|we|we're|he's|she's)\s)"
    r"|,\s+(?=(?:and\s+)?(?:he|she)\s+(?:earns|makes|takes home|gets paid)\b)"  # "I earn 52M, she earns 61M"
    r"|,\s+(?=[A-Z][a-z]+(?:'s)?\s+(?:still\s+|now\s+|also\s+)?(?:is|eats|has|had|works|lives|loves|hates|moved|got|"
    r"left|found|said|was|does|plays|switched|started)\b)"
    r"|\s+(?:but|so)\s+(?=(?:I|I'm|I've|we|we're|my|our|new)\s)"
    # Two people in one breath: "Sofia (10) started violin and Mateo (7) does football", "im at deloitte and
    # he's at paystack": each gets a clause, so a change to one closes only their half.
    rf"|,?\s+and\s+(?={_HE_OR_SHE}\s)"
    rf"|,?\s+and\s+(?={_SOMEONE_DOES})"
    # "I'm a pharmacist and my wife tamsin is a vet tech": the wife's job is her own clause, and so is mine in
    # "my wife is a vet and I'm a nurse" (_SELF_AFTER marks that one)
    r"|(?=\x02)"
    rf"|,?\s+(?:and|but)\s+(?={_MY_RELATION}\s+(?:[\w'-]+\s+)?(?i:is|'s|was|works|has|got|just|lives|does|"
    r"started|left|moved|teaches|studies)\b)"
)
# A clause that starts with someone else doing something: "Mateo (7) does football on Saturdays".
_OTHER_SUBJECT = re.compile(
    rf"(?:(?!(?:We|It|They|You|This|That|There|Here|What|Everything|Nothing|Life|Work|Today)\b){_SOMEONE_DOES}"
    rf"|{_HE_OR_SHE})\s"
)
# Chat openers that carry no fact: "ok", "lol", "update:", "quick q,", "big news,".
_OPENER = re.compile(
    r"^(?:(?:hey|hi|hello|hiya|howzit|servus|hola|morning|ok(?:ay)?|so+|lol|haha\w*|ugh|omg|wow|yeah|yep|yes|nah|"
    r"oh|ah|well|anyway|btw|fyi|also|and|but|plus|meanwhile|honestly|wait|sorry|oops|update|news|random|"
    r"sounds? (?:great|good|amazing|awesome|fun|lovely|perfect|cool|like a plan)|by the way|"
    r"(?:quick|small|big|huge|fun|good|bad|sad|great)\s+(?:update|news|change|thing|one|q|question|fact)"
    r"(?:\s+for\s+(?:me|us))?|"  # "Big change for me: I transferred to ..."
    r"update from \w+|long time no (?:chat|see)|bit of background|some context(?: for future chats)?|"
    r"\w+ update)\b(?!-\w)[\s,:!.\-]*)+",  # not "Soo-ah": a name with a hyphen
    re.I,
)
_TRAILER = re.compile(
    r"(?:[\s,]+(?:lol|haha\w*|lmao|tbh|btw|tho|though|honestly|right|you know|remember)\b[\s.!?]*)+$", re.I
)
# Questions that still tell something: a request for help names what the user is dealing with.
_REQUEST = re.compile(
    r"^(?:can|could|would) you (?:help|remind|format|suggest|give|recommend)|^(?:what'?s|what is) (?:good|best) for\b|"
    r"^any (?:good )?\w+(?: \w+)? (?:recs|recommendations|tips|ideas|suggestions)\b|"
    r"^(?:best way|how (?:do|can|should) I)\b|"
    r"\bremind me\b",
    re.I,
)
_EMBEDDED = re.compile(r"\bremind me (?:that\s+)?(?P<fact>(?:I|I'm|we|my)\b.+?)\??$", re.I)
# Pieces the forget patterns below share: what says it is about memory, a part of what was said,
# and "(that) I gave you".
_KEPT = r"memory|memories|remember|on file|stored|records?"
_SAID_PART = r"(?:part|bit|thing|stuff|info|information|details?|notes?|conversation|convo|chat|talk|mention)s?"
_GAVE_YOU = r"I\s+(?:gave|told|shared with|sent|mentioned to)\s+you"
# A forget request is an imperative addressed to the assistant: "please forget my phone number",
# "can you delete what I said about my diabetes?", "scratch my passport number from your memory".
# "I'll never forget the day...", "don't forget to take breaks" and "remove the stain" are not.
_HUMAN_FORGET = re.compile(
    r"(?:^|[.!?;]\s*|,\s*(?:and\s+)?|\s[-\u2013\u2014]\s*|\b(?:please|pls|plz|kindly|"
    r"(?:can|could|would|will) (?:you|u|ya)(?: please| pls)?|"
    r"I (?:want|need) you to|I'd like you to|you can|go ahead and|just|ok|okay|also|actually(?: yeah)?|so|^and|"
    r"I'?d (?:rather|prefer|feel (?:better|safer|more comfortable)|be (?:happier|more comfortable)) (?:if )?you|"
    r"(?:can|could) you|(?:disregard|ignore) and|let'?s|(?:on )?second thoughts?|"
    r"yeah)[,\s]+|\bI\s+(?=take back))(?:please\s+|pls\s+|just\s+)?(?P<verb>forget|delete|remove|erase|scratch|wipe|"
    r"drop|clear|purge|discard|scrap|strike|scrub|expunge|get rid of|lose|un-?remember|unlearn|unsave|"
    r"pretend (?:that )?I never (?:said|mentioned|told you)(?: about)?|"
    r"take back (?:what|everything|all) I (?:said|told you|wrote)(?: about)?|"
    r"(?:don'?t|dont|do not|stop)\s+(?:keep(?:ing)? track of|(?:keep|stor|sav|remember|record)(?:e|ing)?)|"
    r"(?:don'?t|dont|do not|stop)\s+(?:hold|hang)(?:ing)? on ?to|"
    r"(?:not|didn'?t|did not)\s+(?:keep|store|save|remember|record|hold on ?to)|"
    r"(?:you\s+)?(?:don'?t|dont|do not|no)\s+need\s+to\s+(?:keep|store|save|remember|record)|"
    r"I (?:don'?t|dont|do not) want you (?:to )?(?:keep|stor|sav|remember|record)(?:e|ing)?)\b"
    r"(?:\s+(?:out|away))?(?P<what>.{0,160})",
    re.I | re.S,
)
_MEMORY_WORDS = re.compile(
    rf"\b(?:{_KEPT}|what I|that I|I (?:said|told|gave|shared|mentioned)|"
    r"you(?:'ve| have| know| got)|about|regarding|related to|details|info|information|number|address|data)\b",
    re.I,
)


def _asked_of_memory(text: str, m: re.Match[str]) -> bool:
    """Whether "delete"/"clear"/"drop" + "my ..." asks the assistant to forget: said as a request of its own,
    or naming what was said or stored. "a great way to destress and clear my mind" and "then drop my
    kids at school" go on from a clause before them and name nothing remembered."""
    before = text[: m.start("verb")]
    # "and" as a turn's first word starts a request of its own
    goes_on = re.search(r"(?:,|\band)\s*$", before) and not re.fullmatch(r"\s*and\s*", before, re.I)
    return not goes_on or bool(_MEMORY_WORDS.search(m.group("what")))


# A request not to keep something is a request to forget it: "please don't store my card details",
# "stop remembering my kid's school", "I don't want you to remember that", "I'd rather you didn't keep it".
_KEEP_NOT = re.compile(r"^(?:don'?t|dont|do not|stop|not|didn'?t|did not|I)\s", re.I)
# Verbs other than "forget" act on memory only when the request says what they act on is the user's
# ("my passport number", "what I said about ...") or names the memory.
_PERSONAL = re.compile(
    r"^\s*(?:that\s+|about\s+|everything\s+|all\s+|anything\s+)?"
    r"(?:my|our|what I|that I|I|everything about|everything related to|"
    rf"(?:all (?:of )?)?(?:the|that|this) {_SAID_PART} (?:about|where|on|regarding|related to|with|of)|"
    r"any(?:thing)? about|"
    rf"(?:all|any) {_SAID_PART} (?:of|about)|"
    rf"(?:the|that|this|those|these) (?:[\w/'-]+ ){{0,3}}?(?:{_SAID_PART}|numbers?|figures?|confession|news)\b|"
    r"(?:the|that|those) (?:[\w/'-]+ ){1,3}?I (?:mentioned|said|told you|gave you|shared|provided|disclosed)\b|"
    r"(?:anything|everything|all|what) you(?:'ve| have| know| got)[\w ]{0,12}? "
    rf"(?:about|on))\b|\b(?:{_KEPT})\b|\b{_GAVE_YOU}\b",
    re.I,
)
# "don't keep the receipts", "stop saving money": not about the assistant's memory unless it is the
# user's own ("my card details") or a pronoun for what was said.
_MINE = re.compile(r"\s*(?:my|our|that|it|this|them|anything|everything|what|all|any of)\b", re.I)
_NOT_A_REQUEST = re.compile(r"\b(?:never|not|don'?t|dont|won'?t|can'?t|cannot|didn'?t|I'll|I will|gonna)\s+$", re.I)
_FORGET_TAIL = re.compile(
    r"^\s*(?:that\s+|about\s+|(?:what|everything|anything|all|the (?:stuff|things?))\s+I(?:'ve)?\s+"
    r"(?:said|told you|wrote|shared|mentioned|disclosed|provided)\s+(?:(?:earlier|before|yesterday|the other day)\s+)?"
    r"(?:about|regarding|re)\s+|everything\s+about\s+|"
    rf"(?:the\s+)?{_SAID_PART}\s+(?:that\s+)?I\s+(?:provided|gave you|shared|disclosed|told you|mentioned|said)\s+"
    r"(?:about|regarding|on|re)\s+|"
    r"(?:anything|everything|all|what)\s+you(?:'ve|\s+have|\s+know|\s+got)[\w ]{0,12}?\s+(?:about|on)\s+|"
    rf"(?:(?:all|any)\s+(?:of\s+)?)?(?:the\s+|that\s+|this\s+)?{_SAID_PART}\s+"
    r"(?:about|on|regarding|related to|with|of)\s+|"
    r"(?:the\s+)?(?:part|bit)\s+where\s+I\s+(?:talked|spoke|told you|said|went on)"
    r"\s+(?:about\s+)?|(?:everything|anything|all)\s+(?:related to|relating to|to do with|concerning)\s+|"
    r"anything\s+(?:about|on|regarding)\s+|"
    r"(?:that\s+)?I\s+(?:ever\s+)?(?:said|mentioned|brought up|told you about)\s+)?"
    r"(?:I\s+told\s+you\s+)?(?P<what>[^,.!?]{2,80}?)(?:\s+(?:from|in)\s+(?:your\s+|the\s+)?memory)?"
    rf"(?:\s+(?:that\s+)?{_GAVE_YOU})?"
    r"(?:\s+(?:out of|from)\s+(?:your|the)\s+(?:notes|records?|files?|system))?"
    r"(?:\s+(?:please|pls|plz|thx|thanks|lol|too|as well|either|also|again|anymore|any more|now))*\s*(?:[,.!?]|$)",
    re.I,
)


# A clause that ends in a subordinate one leads into the next: "since we last chatted, I've had...".
_SUBORDINATE = re.compile(r"(?:^|,\s*)(?:since|when|after|before|because|once|while|as soon as)\s[^,]{0,40}$", re.I)
# A closing line: it ends the talk and says nothing ("Talk to you soon!", "Catch you later").
_SIGN_OFF = re.compile(
    r"^(?:talk (?:to you )?(?:soon|later)|catch you (?:later|soon)|see (?:you|ya)(?: soon| later)?|bye\b|ttyl|"
    r"take care|speak soon|later\b)",
    re.I,
)
_SENTENCE_START = re.compile(r"(?:she|he|they|we|I)(?:'s|'re|'m|\s+(?:is|are|was|were|am|has|have|had))\s", re.I)


# A short "but not" after a statement qualifies it: "no meat though.", "not on weekends tho"
_QUALIFIER = re.compile(r"^(?:no|not|but not|except|minus)\s+[\w' -]{1,30}?\s+(?:though|tho)\W*$", re.I)


def _sentence_of_its_own(before: str, piece: str) -> bool:
    """ "She's a vet in Kraków." after a full stop: a sentence with a subject of its own, never the
    last one's tail ("we've been hiring, I'm at 48 people now" is one clause)."""
    return (before.endswith((".", "!")) and bool(_SENTENCE_START.match(piece))) or bool(_OTHER_SUBJECT.match(piece))


_LIST_START = re.compile(r":\s*\n(?:\d{1,2}[.)]|[-*\u2022])\s+")
_LIST_ITEM = re.compile(r"\n(?:\d{1,2}[.)]|[-*\u2022])\s+")
MAX_CLAUSE = 600  # characters: bounds what every pattern below reads, whatever a turn holds


_AND = "\x00"  # stands for " and " between two names that are one subject while a turn is split
_JOINT = re.compile(r"(?:^|(?<=[.!?]\s))([A-Z][a-z]+)\s+and\s+(?=[A-Z][a-z]+\s+(?:got|are|were|have|had|just)\b)")


_SELF = r"(?:I'm|I am|I work|I live|I've been|I teach|I study)\b"  # the speaker saying what they are or do
_SELF_STATED = re.compile(_SELF)
# The "and" before "... and I'm a welder in Lund", marked \x02 so that _CLAUSE splits there and clauses() puts
# "and" back where the clause joins the one before again ("I live in Lisbon and I work as a nurse"); not "and
# I'm planning her bridal shower", whose "her" is the other's.
_SELF_AFTER = re.compile(rf"(?<=\w)\s+(?:and|but)\s+(?={_SELF}(?![^.!?]*\b(?:her|his|him|their|them)\b))")


def _someone_else(piece: str) -> bool:
    """Whether a clause opens with someone other than the speaker doing something ("my sister Frida works ...")."""
    return bool(_OTHER_SUBJECT.match(piece) or re.match(rf"{_MY_RELATION}\b", piece))


def clauses(text: str) -> list[str]:
    """A turn's clauses; a fragment without two words of its own ("12 to 26 April, Tokyo") joins the one before."""
    text = re.sub(r"[ \t\r\f\v]+", " ", text)  # runs of spaces read as one, so no pattern sees 31,000 of them
    text = re.sub(r"\n[\s]*", "\n", text)
    # A list is one statement: "need for the new flat:\n1. rice cooker\n2. curtains" -> "...: rice cooker, curtains"
    text = _LIST_START.sub(": ", text)
    text = _LIST_ITEM.sub(", ", text)
    text = _SELF_AFTER.sub("\x02", _ANNOTATION.sub("", text).strip())
    # "Amani and Tom got married": two names as one subject, not two people in one breath.
    text = _JOINT.sub(lambda m: f"{m.group(1)}{_AND}", text)
    out: list[str] = []
    leading: str | None = None
    for piece in _CLAUSE.split(text):
        piece = (piece or "").strip(" ,").replace(_AND, " and ")
        joint = " and " if piece.startswith("\x02") else ", "  # how it joins the clause before, if it does
        piece = piece.lstrip("\x02 ")
        if not piece:
            continue
        own = [w for w in re.findall(r"\b[a-z][a-z'-]+\b", piece) if w not in STOPWORDS and len(w) > 2]
        if out and re.match(r"(?:which|who|whose)\b", piece):
            out[-1] = f"{out[-1].rstrip('.!')}, {piece}"  # "- which refreshes me": it says more of the last one
        elif piece.endswith("?") or _SIGN_OFF.match(piece):
            out.append(piece)  # "What's up with you?", "Talk to you soon!": its own clause, never a statement's tail
        elif out and not out[-1].endswith("?") and _QUALIFIER.match(piece):
            out[-1] = f"{out[-1].rstrip('.!')}, {piece}"  # "started eating fish again. no meat though."
        elif (
            out
            and len(own) < 2
            and not out[-1].endswith("?")
            and not _sentence_of_its_own(out[-1], piece)
            # "Frida works at IKEA, I'm a welder", "Jae-won got a raise. mine is the same": the speaker's own
            and not ((_SELF_STATED.match(piece) or re.match(r"(?i:mine|my)\b", piece)) and _someone_else(out[-1]))
        ):
            out[-1] = f"{out[-1].rstrip('.!')}{joint}{piece}"
        elif (
            leading is None
            and not piece.endswith(("?", ".", "!"))
            and ((not out and len(own) < 2) or _SUBORDINATE.search(piece))
        ):
            leading = piece  # "Seven years now, and I've finally found my muses": it leads the next clause
        elif leading is not None:
            if (_SELF_STATED.match(piece) and _someone_else(leading)) or (
                _SELF_STATED.match(leading) and _someone_else(piece)
            ):
                # "Frida works at IKEA in Malmö and I'm a welder", "I'm an architect here and my younger sister Lin
                # is a vet": two people
                out.extend([leading, piece])
            else:
                out.append(f"{leading}{joint}{piece}")
            leading = None
        else:
            out.append(piece)
    if leading is not None:
        out.append(leading)
    return out


def forget_request(text: str) -> str | None:
    """What a "forget ..." turn asks to forget ("my phone number"), or None; linear in the text's length."""
    if len(text) > 2_000:
        return None
    found = next(
        (
            m
            for m in _HUMAN_FORGET.finditer(text)
            if not _NOT_A_REQUEST.search(text[max(0, m.start("verb") - 20) : m.start("verb")])
            and not re.match(r"\s+(?:to|about it|it)\b", m.group("what"), re.I)
            and _asks_to_forget(text, m)
        ),
        None,
    )
    if found is None:
        # "take my phone number out of your notes", "I don't want my street address saved"
        moved = _OUT_OF_MEMORY.search(text) or _NOT_SAVED.search(text)
        return moved.group("what") if moved and _content(moved.group("what")) else None
    tail = _FORGET_TAIL.match(found.group("what"))
    if tail is None:
        return None
    what = re.sub(r"^(?:it|that|this)\s+", "", tail.group("what").strip(), flags=re.I)
    if re.fullmatch(r"(?:from|in|out of)\s+(?:your|the)\s+memory", what, re.I):
        return None  # "scratch that from your memory": what was just said (forget_referent)
    # "my ex" names something; "it", "anything", "that part" and "that please" do not (forget_referent reads
    # those), unless the turn said what before: "I don't want my street address saved. could you forget that part?"
    named = [w for w in re.findall(r"[A-Za-z][A-Za-z'-]*", what) if w.lower() not in STOPWORDS | _NAMES_NOTHING]
    if named and not re.fullmatch(rf"{_SAID_PART}", " ".join(named), re.I):
        return what
    said = _NOT_SAVED.search(text)
    return said.group("what") if said else None


# Verbs that are about memory whatever they act on: "pretend I never mentioned the lawsuit".
_MEMORY_VERB = re.compile(r"(?:forget|un-?remember|unlearn|pretend|take back|.*\bneed to|I\b)", re.I)
# Verbs that act on memory only when what they act on says it was said: "lose the info about my passport".
_WEAK_VERB = re.compile(r"(?:lose|get rid of)\b", re.I)
# "the wifi password", "the meds thing": something said, not a thing one keeps ("the receipts").
_THE_SAID = re.compile(
    rf"\s*the\s+(?:[\w/'-]+\s+){{0,3}}?(?:{_SAID_PART}|password|passcode|pin|code|numbers?|address|name|results?)\b",
    re.I,
)
_NAMES_NOTHING = frozenset(
    ["please", "pls", "plz", "anything", "everything", "earlier", "thanks", "thx", "lol", "anywhere", "anymore"]
)
_OUT_OF_MEMORY = re.compile(
    r"\b(?:take|get|leave|keep)\s+(?P<what>(?:my|our|the|that|all)\b[^,.!?]{1,80}?)\s+(?:out of|off)\s+"
    r"(?:your|the)\s+"
    r"(?:memory|memories|notes|records?|files?|system|head)\b",
    re.I,
)


_NOT_SAVED = re.compile(
    r"\bI\s+(?:don'?t|dont|do not|would not|wouldn'?t)\s+(?:want|like)\s+(?P<what>(?:my|our)\b[^,.!?]{1,60}?)\s+"
    r"(?:to be\s+)?(?:saved|stored|kept|remembered|recorded|on file|in (?:your|the) memory)\b",
    re.I,
)


def _asks_to_forget(text: str, m: re.Match[str]) -> bool:
    """Whether a match of _HUMAN_FORGET asks the assistant to forget what it names."""
    verb, what = m.group("verb"), m.group("what")
    if _MEMORY_VERB.match(verb):
        return True
    if _KEEP_NOT.match(verb) and (_MINE.match(what) or (_THE_SAID.match(what) and _asked_of_memory(text, m))):
        return True  # "don't keep my number"; "actually don't keep the wifi password", not "don't keep the receipts"
    if _WEAK_VERB.match(verb):
        return bool(_MEMORY_WORDS.search(what))
    return bool(_PERSONAL.search(what)) and _asked_of_memory(text, m)


# "Please forget it completely", "delete that": a request whose object is what was just said. "forget it"
# alone is as often "never mind", so with that verb the request must say it is about memory.
_FORGET_PRONOUN = re.compile(
    r"(?:^|[.!?;,]\s*|\s[-\u2013\u2014]\s*|"
    r"\b(?:please|pls|plz|kindly|just|(?:can|could|would) (?:you|u)(?: please| pls)?|you can|actually|and)\s+)"
    r"(?P<verb>forget|delete|remove|erase|scratch|wipe|clear|(?:(?:don'?t|dont|do not|stop|not|didn'?t|did not)\s+)"
    r"(?:keep|store|save|remember|record)(?:ing)?|"
    r"pretend (?:that )?I (?:never|didn'?t|didnt|did not) (?:say|said|mention|mentioned|tell you|told you))\s+"
    r"(?:it|that|this|them|anything|(?:any|all) of (?:it|that|this)|everything(?: about (?:it|that|this))?|"
    r"(?:that\s+)?I\s+(?:ever\s+)?(?:said|mentioned|told you)(?:\s+(?:it|that|this|anything))?|"
    r"(?:what|everything|all)\s+I\s+(?:just\s+)?(?:said|told you|wrote|shared|mentioned))\b"
    r"(?=\s*(?:[,.!?;)]|$|please|pls|completely|entirely|from|in (?:your |the )?memory|too|as well|for good|forever|"
    r"lol|thx|thanks|now)"
    r"|\s+all\b)",
    re.I,
)
_ABOUT_MEMORY = re.compile(
    r"\b(?:completely|entirely|forever|for good|memory|records?|all of it|you(?:'re)? (?:keeping|storing|having)|"
    r"(?:keep|keeping|store|storing|stored|save|saving|saved|remember|remembering)\b|"
    r"\b(?:told you|telling you|tell you|shared|sharing|mentioned|brought (?:it|that) up|said|overshared|"
    r"take back|took back)\b)",
    re.I,
)
# What leads into a request in its own sentence and says nothing of what to forget: "..., so please", "hey,".
_REQUEST_LEAD = re.compile(
    r"(?:^\s*(?:hey|hi|ok|okay|so|oh|um|actually|also|and|btw)\b[,\s]*)|"
    r"(?:[\s,;:\u2013\u2014-]|\b(?:please|pls|plz|kindly|just|so|and|can|could|would|you|u|can you|could you))*$",
    re.I,
)
# What may stay, said after a forget request: "city is fine, just not the specifics", "the birthday can stay".
_STAYS = re.compile(
    r"\b(?:(?:is|are|'s|'re)\s+(?:fine|ok|okay|good|alright)|can (?:stay|remain)|keep|the rest)\b", re.I
)
_INTERJECTIONS = frozenset(
    ["hmm", "hm", "umm", "um", "uh", "ugh", "oh", "ok", "okay", "actually", "well", "wait", "sorry", "hey", "hi"]
    + ["so", "also", "btw", "lol", "yeah", "second", "thought"]
)
_MY_THING = re.compile(r"\b(?:my|our)\s+(?P<what>[a-z][\w'-]*(?:\s+(?!is\b|was\b|are\b)[a-z][\w'-]*){0,2})", re.I)


def forget_referent(text: str, previous: str | None) -> str | None:
    """What "please forget it" asks to forget: what the turn said before it ("my home address" in "I am not
    comfortable with you keeping my home address. Please forget it"), else the user's turn before (`previous`).
    None when the turn asks no such thing."""
    if len(text) > 2_000:
        return None
    found = next(
        (
            m
            for m in _FORGET_PRONOUN.finditer(text)
            if not _NOT_A_REQUEST.search(text[max(0, m.start("verb") - 20) : m.start("verb")])
            and (
                m.group("verb").lower() != "forget"
                or _ABOUT_MEMORY.search(text)
                or re.search(rf"\b{_SAID_PART}\b", text[: m.start("verb")], re.I)  # "the inheritance thing - forget it"
            )
        ),
        None,
    )
    if found is None:
        return None
    head = text[: found.start("verb")]
    end = max(head.rfind("."), head.rfind("!"), head.rfind("?")) + 1
    # The request's own sentence first ("I overshared about my marriage, please erase that"), then the
    # whole sentences before it, then the turn before.
    lead = _REQUEST_LEAD.sub("", head[end:])
    before = [s for s in re.split(r"(?<=[.!?])\s+", head[:end]) if _content(s)]
    about = re.search(r"\babout\s+(?P<what>[^,.!?;]{2,60})", lead, re.I)  # "nvm about Dave, pretend i didnt say it"
    named = [w for w in _content(lead) if w.lower() not in _INTERJECTIONS]
    if about and _content(about.group("what")):
        return about.group("what").strip()
    said = lead if len(named) > 1 else before[-1] if before else previous
    if not said or not _content(said):
        return None
    thing = [m for m in _MY_THING.finditer(said) if _content(m.group("what"))]
    if thing:
        return f"my {thing[-1].group('what')}"
    named_thing = _THAT_THING.search(said)  # "never mind that business idea, it was silly", "the trip is off"
    if named_thing and _content(named_thing.group("what")):
        return named_thing.group("what")
    told = _TOLD_ABOUT.search(said)  # "I regret telling you about the Wednesday sessions": the sessions
    return told.group("what") if told and _content(told.group("what")) else said.strip()


_THAT_THING = re.compile(
    r"^(?:(?:ok|okay|so|oh|um|well|hey|also|and|btw|never mind|nvm|about)[,\s]+)*(?:that|this|the)\s+"
    r"(?P<what>(?:[a-z][\w'-]*\s+){0,2}[a-z][\w'-]*)(?=\s*(?:[,.!?\u2013\u2014-]|$|\s(?:is|was|'s|it|from)\b))",
    re.I,
)
_TOLD_ABOUT = re.compile(
    r"\b(?:telling you|told you|tell you|said|mentioned|shared|brought up)\s+(?:about|regarding)\s+"
    r"(?P<what>[^,.!?;]{3,80})",
    re.I,
)


def _content(text: str) -> list[str]:
    return [w for w in re.findall(r"[A-Za-z][A-Za-z'-]+", text) if w.lower() not in STOPWORDS]


# "I'm Tomasz", "Rahul here", "Leah and Dev here": who is talking, already known from the turn.
_INTRO = re.compile(
    r"^(?:(?:I'm|I am|im|it's|this is|my name's|my name is)\s+[A-Z][\w-]*|[A-Z][\w-]*(?:\s+(?:and|&)\s+[A-Z][\w-]*)?"
    r"\s+here)\b(?:\s+btw)?[\s,.!:]*"
)


# What an introduction goes on with: what the speaker is ("a nurse in Porto", "44, from Porto",
# "data analyst at Grab"), not a sentence of its own ("my wife and I ...", "just moved ...").
_APPOSITIVE = re.compile(r"(?:an?\s|\d|from\s|(?-i:[a-z][\w-]*\s+(?:at|in|for)\s))", re.I)


# Where the speaker says they live, in so many words: "I live in Leuven", "we're based in Hove".
_HOME_SAID = re.compile(
    r"\b(?:I|we)(?:'m|'re| am| are)?\s+(?:now\s+|still\s+)?(?:live|living|based|staying)\s+(?:in|out in)\b", re.I
)


def _home_where_said(said: Claim, typed: str, turn: str) -> Claim:
    """A home read from where a job is ("UX researcher at a bank in Brussels") is not the speaker's
    home when the same turn says where that is ("I live in Leuven and commute"): the claim goes."""
    home = said.properties.get("residence")
    if (
        home is None
        or _HOME_SAID.search(typed)
        or not re.search(rf"\bat\b[^.;]*\bin\s+{re.escape(home)}", typed)
        or not _HOME_SAID.search(turn)
    ):
        return said
    return replace(said, properties={k: v for k, v in said.properties.items() if k != "residence"})


# A terse introduction, list by list: "Arjun. Leicester. One dog: Biscuit", "jo. dublin.", "Sam, 29, Leeds.",
# "sam here. 29, leeds, nurse." After the speaker's own name, the one short item that is no age, job or
# state is where they live.
_NAME_ALONE = re.compile(r"(?:(?:hi|hey|hello|yo|hiya)[,!]?\s+)?(?P<name>[^\W\d_][\w'-]*)(?:\s+here)?\s*[.!,]?")
_NAME_FIRST = re.compile(r"^(?P<name>[^\W\d_][\w'-]*)(?:\s+here)?\s*[,.!:]\s*")
_TERSE_ITEM = re.compile(r"[^\W\d_][\w'-]*(?:\s+[^\W\d_][\w'-]*)?")
_TERSE_AGE = re.compile(r"\d{1,3}(?:\s*(?:yo|y/o|years? old)|\s+[a-z]+)?", re.I)  # "29", "2 kids"
_NOT_A_PLACE = _words(
    "here btw tbh lol haha hi hey hello ok okay yes yeah no thanks thx single married engaged divorced widowed "
    "vegan vegetarian pescatarian retired student unemployed freelance freelancer mum mom dad parent sorry typo "
    "update quick question again back cheers please pls thank"
)


_CALENDAR = "|".join(sorted({*WEEKDAYS, *MONTHS, *(m[:3] for m in MONTHS), "sept"}, key=lambda w: (-len(w), w)))


_SELF_NAME = re.compile(
    r"^(?:h(?:e+y+|i+|ello|iya)|yo|morning|hola+)\b[\s,!]*(?:i'?m|im|i am|it's|this is)\s+([A-Za-z][\w'-]+)|"
    r"\bmy name(?:'s| is)\s+([A-Za-z][\w'-]+)|^([A-Za-z][\w'-]+)\s+here\b",
    re.I,
)
_NO_SELF_NAME = _NOT_A_PLACE | STOPWORDS | _words("back new so just really still good fine ok okay")


def _name_alone(clause: str, speaker: str) -> bool:
    """Whether a clause is only the speaker's name ("sam here.", "hi, Arjun")."""
    found = _NAME_ALONE.fullmatch(clause.strip())
    return found is not None and found.group("name").lower() == speaker.split()[0].lower()


def _without_name(text: str, speaker: str) -> str:
    """The clause without the speaker's own name leading it ("jo, dublin." -> "dublin.")."""
    first = _NAME_FIRST.match(text.strip())
    if first is not None and first.group("name").lower() == speaker.split()[0].lower():
        return text.strip()[first.end() :]
    return text


def _terse_home(clause: str, speaker: str, named: bool) -> str | None:
    """Where the speaker lives, said as a bare place in a terse introduction after their own name."""
    text = _without_name(clause, speaker)
    if text == clause and not named:
        return None
    for item in [i.strip() for i in re.split(r"[,.;]\s*", text.rstrip(" .!")) if i.strip()][:5]:
        if not (_TERSE_ITEM.fullmatch(item) or _TERSE_AGE.fullmatch(item)):
            return None  # not a list of short items ("Antwerp, Two cats: Miep and Kees" reads to its colon)
        words = item.lower().split()
        if (
            _TERSE_AGE.fullmatch(item)
            or any(w in _NOT_A_PLACE or w in STOPWORDS for w in words)
            or re.search(rf"\b(?:{JOB_NOUN}|{RELATIONS}|twins|{_CALENDAR})s?\b", item, re.I)
            or properties(item)
        ):
            continue
        return " ".join(w[:1].upper() + w[1:] for w in item.split())
    return None


def _as_introduced(clause: str, typed: str) -> str:
    """The clause as claims read it: "I'm " before what followed the speaker's introduction where that
    says what the speaker is ("I'm Ana, a nurse in Porto" -> "I'm a nurse in Porto"), else as typed."""
    opened = _OPENER.sub("", clause.strip()).strip()
    if _INTRO.match(opened) and _INTRO.sub("", opened).strip() == typed and _APPOSITIVE.match(typed):
        return f"I'm {typed}"
    return typed


_LEAD_MARK = re.compile(r"^(?:…|\.{2,}|[-–—*•~]+)\s*")


def _capitalised(name: str) -> str:
    """A lower-cased name with a capital on each word: "jae-won" is "Jae-won", not str.title()'s "Jae-Won"."""
    return " ".join(word[:1].upper() + word[1:] for word in name.split(" "))


def _plain(clause: str, capitalise: bool = True) -> str:
    plain = _LEAD_MARK.sub("", clause.strip())
    plain = _LEAD_MARK.sub("", _OPENER.sub("", plain).strip())  # "sad news… pimienta passed away"
    plain = _INTRO.sub("", plain).strip()
    plain = _OPENER.sub("", plain).strip()
    plain = plain[:-80] + _TRAILER.sub("", plain[-80:])  # a trailer is short: read only the end
    plain = plain.strip()
    plain = _LEADING_VOCATIVE.sub("", plain)
    return plain[:1].upper() + plain[1:] if plain and capitalise else plain


# Whom "seeing someone new" is, said in the clause after it.
_PARTNER_NAMED = re.compile(
    r"^(?:(?:her|his|their) name(?:'s| is)|(?:she|he)(?:'s| is) called|(?:she|he)(?:'s| is) named)\s+"
    r"(?P<name>[^\W\d_][\w'-]+)(?:\W*$|\s*[,;.!])",
    re.I,
)


class RuleExtractor:
    """Turns, plus each user clause that states something, with whose claim it is and what it sets.

    Only the user's words become facts: an assistant's reply is kept as its turn and never
    extracted (its suggestions are not the user's facts).
    """

    name = "rules"

    def extract(self, episodes: Sequence[Episode], recent: Sequence[Episode]) -> list[Candidate]:
        out = TurnExtractor().extract(episodes, recent)
        others: dict[str, str] = {}  # the third party each speaker last talked about, for "she"/"he"
        said_before: dict[str, str] = {}  # each speaker's turn before: what "forget that" is about
        for episode in [*[e for e in recent if e not in episodes][-6:], *episodes]:
            speaker = episode.name or ("the user" if episode.role == "user" else episode.role)
            if episode.role != "user":
                continue
            pieces = clauses(episode.content)
            forget = forget_request(episode.content) if episode in episodes else None
            if forget is None and episode in episodes:
                referent = forget_referent(episode.content, said_before.get(speaker))
                if referent is not None:
                    out.append(_forget_candidate(episode, speaker, referent))
                    continue  # the request's turn says nothing else worth keeping as a fact
            said_before[speaker] = episode.content
            restricted = False  # an earlier clause of this turn said what the speaker does not eat or drink
            asked = False  # an earlier clause of this turn asked to forget something
            money, species = turn_money(episode.content), turn_pet(episode.content)  # read once a turn
            second = added_pet(episode.content) if species is None else None  # "adopted a second cat!!! his name is"
            courted: tuple[Candidate, str, Claim] | None = None  # a clause of this turn: seeing someone, not whom
            moved: tuple[Candidate, str, Claim] | None = None  # a clause of this turn: a plan moved, not to what
            name_said = False  # the clause before was the speaker's name alone: "sam here. 29, leeds, nurse."
            # An unnamed user who says their name ("heyy im sam"): what they say in that turn is known by it too
            self_named = _SELF_NAME.search(episode.content) if speaker == "the user" else None
            alias = next((n.lower() for n in (self_named.groups() if self_named else ()) if n), None)
            sorry = False  # an earlier clause of this turn said it corrects something: "wait sorry i'm dumb."
            for clause in pieces:
                if len(clause) > MAX_CLAUSE:
                    continue  # a clause longer than any said in chat is kept in its turn, not read for facts
                # "could you call me Hanna from now on?" asks nothing: it says the name to use
                clause = _CALL_ME.sub("", clause).rstrip("?") if _CALL_ME.match(clause) else clause
                typed = _plain(clause, capitalise=False)
                home, name_said = _terse_home(clause, speaker, name_said), _name_alone(clause, speaker)
                if not typed:
                    continue
                plain = typed[:1].upper() + typed[1:]
                # Claims read the clause as typed: "completion is set for 28 June" names no one. What follows
                # the speaker's own introduction is said of the speaker: "I'm Ana, a nurse in Porto".
                # "..., dr paulo retired", "patel sold the building, new landlord is ...": what the one who left did
                # is no claim of the speaker's
                changes = _CHANGED.search(typed)
                gone = _OLD_GONE.search(typed) if changes else None
                left = _OLD_LEFT.search(typed) if changes else None
                read = typed[: gone.start()] if gone else typed[left.end() :] if left else typed
                said = claim(_as_introduced(clause, read), speaker, others.get(speaker))
                said = _home_where_said(said, typed, episode.content)
                if (
                    said.subject not in (speaker.lower(), "he", "she")
                    and "'s " not in said.subject
                    and THEIR_OWN.match(typed)
                ):
                    typed = f"{_capitalised(said.subject)} {typed}"  # "opened his own braai spot": Sipho opened it
                    plain = typed
                # "wait sorry, it's june 21 not 12": the apology, before this clause or in it (the plain text lost it)
                sorry = sorry or CORRECTION.search(clause) is not None
                if sorry and said.correction is None and (fixed := correction_in(typed, cued=True)) is not None:
                    said = replace(said, correction=fixed)
                if home is not None and said.subject == speaker.lower() and "residence" not in said.properties:
                    said = replace(said, properties={**said.properties, "residence": home})
                    rest = re.sub(rf"^{re.escape(home)}\s*,\s*", "", _without_name(typed, speaker), flags=re.I)
                    if rest.rstrip(" .!").lower() == home.lower():
                        typed = f"{speaker} lives in {home}."  # "Arjun. Leicester.": where Arjun lives
                    elif home.lower() not in rest.lower():
                        typed = f"lives in {home}, {rest}"  # not a name said to someone ("Antwerp, two cats: ...")
                    plain = typed[:1].upper() + typed[1:]
                hired = named_now(typed, episode.content, said.properties)  # "switched jobs. spotify now"
                if hired is not None:
                    values = {str(v).lower() for v in hired.values()}  # "Moved! Fishponds now": the speaker's home
                    who = speaker.lower() if said.subject in values else said.subject
                    said = replace(said, properties=hired, subject=who)
                amount = turn_amount(typed, money, said.properties)  # "lease renewed. bumped to $1,620"
                if amount is not None:
                    said = replace(said, properties=amount)
                    money = None  # one amount per money word: "also putting £300 a month into an ISA" is not pay
                about = subject_of(typed, speaker, others.get(speaker))[0]  # "my dog Rufus": he/she is Rufus
                # "my mate jonas just got a golden retriever called waffles": Jonas's dog, not the speaker's
                theirs = about not in (speaker.lower(), "he", "she") and (
                    about.removeprefix(f"{speaker.lower()}'s ") not in PET_SPECIES
                )  # "she's a retired greyhound named Pepper" is the pet itself
                pet = None if theirs else pet_named(typed, species)  # "meet Olive!!! our whippet puppy": the dog
                extra = None if theirs else pet_named(typed, second)
                if extra is not None and said.subject in (speaker.lower(), "she", "he"):
                    # A pet beside the one there was is a pet of its own: it replaces neither its name nor breed
                    kept = {k: v for k, v in said.properties.items() if not k.startswith("breed:") and k != "title"}
                    said = replace(
                        said, subject=speaker.lower(), properties={**kept, f"{extra[0]}:{extra[1].lower()}": extra[1]}
                    )
                if pet is not None and said.subject == speaker.lower() and pet[0] not in said.properties:
                    named_breed = f"breed:{pet[0]}" in said.properties  # "a beagle named Max": Max's breed
                    said = replace(
                        said,
                        properties={**said.properties, pet[0]: pet[1]},
                        pet=pet[1].lower() if named_breed else said.pet,
                    )
                named = said.properties.get(about.removeprefix(f"{speaker.lower()}'s "))
                if about.startswith(f"{speaker.lower()}'s ") and isinstance(named, str) and named[:1].isupper():
                    about = named.lower()  # "my dog Rufus ... he's a beagle": the beagle is Rufus, whom "we lost"
                if about != speaker.lower():
                    others[speaker] = about
                elif (newcomer := introduced(typed)) is not None:
                    others[speaker] = newcomer  # "seeing someone called Julia": "she's a vet" is Julia
                elif len(kins := {kin(m) for m in _KIN.findall(typed)}) == 1:
                    others[speaker] = f"{speaker.lower()}'s {kins.pop()}"  # "track my mom's meds? she takes ..."
                if courted is not None and (partner := _PARTNER_NAMED.match(typed)) is not None:
                    # "been seeing someone new. her name's mei": one fact says whom, with the clause before it
                    before, before_plain, before_said = courted
                    if out and out[-1] is before:
                        out.pop()
                    name = partner.group("name")
                    plain = f"{before_plain.rstrip('.!')}, {typed}"
                    said = replace(before_said, properties={**before_said.properties, "partner": _capitalised(name)})
                    others[speaker] = name.lower()  # and "she's a vet" after it is Mei
                if (
                    moved is not None
                    and not typed.endswith("?")
                    and not HEDGE.search(typed)  # "maybe we rebook in the fall" is no new plan
                    and re.search(r"\d|\binstead\b", typed, re.I)
                ):
                    # "we've had to push the Kyoto trip back. The new dates are 28 October to 4 November": one fact
                    before, before_plain, before_said = moved
                    if out and out[-1] is before:
                        out.pop()
                    plain = f"{before_plain.rstrip('.!')}, {typed}"
                    said = replace(
                        said,
                        subject=said.subject if said.subject == before_said.subject else speaker.lower(),
                        properties={**before_said.properties, **said.properties},
                        reschedule=True,
                        ends=said.ends or before_said.ends,
                    )
                moved = None
                if alias and alias not in _NO_SELF_NAME and said.subject == "the user" and not said.aka:
                    said = replace(said, aka=alias)
                if episode not in episodes:
                    continue
                if forget is not None:
                    if forget_request(clause) is not None:
                        out.append(_forget_candidate(episode, speaker, forget))
                        forget, asked = None, True
                    continue
                if asked and (_ABOUT_MEMORY.search(clause) or _STAYS.search(clause)):
                    # "forget the ED thing. not something i want saved", "city is fine": about the request
                    continue
                candidate = _candidate(
                    episode,
                    speaker,
                    plain,
                    said,
                    len(pieces),
                    hedged=bool(HEDGE.search(clause)),
                    exception=restricted and bool(_EXCEPTION.match(typed)),
                )
                restricted = restricted or any(k == "diet" or k.startswith("allergy:") for k in said.properties)
                if candidate is not None and not _SAME_TWICE.match(candidate.text):
                    out.append(candidate)
                dating = said.properties.get("relationship") == "dating" and "partner" not in said.properties
                courted = (candidate, plain, said) if dating and candidate is not None else None
                if (
                    candidate is not None
                    and said.reschedule
                    and not re.search(r"\d", typed)
                    and not typed.endswith("?")
                ):
                    moved = (candidate, plain, said)
            if forget is not None:  # only ever set for a turn of `episodes`
                # The turn asks it, no clause alone does: "drop the work drama from wednesday, I don't want
                # that on record anywhere" names the memory only in its second clause.
                out.append(_forget_candidate(episode, speaker, forget))
        return out


# "I'm Pierre" said of Pierre: "Pierre is Pierre." says nothing.
_SAME_TWICE = re.compile(r"^([\w'-]+(?: [\w'-]+)?) is \1\.?$", re.I)


def _forget_candidate(episode: Episode, speaker: str, what: str) -> Candidate:
    return Candidate(
        text=what,
        kind="fact",
        source_episode_ids=[episode.id],
        session=episode.session,
        forget=True,
        metadata={"speaker": speaker, "subject": speaker.lower()},
    )


def _candidate(
    episode: Episode,
    speaker: str,
    plain: str,
    said: Claim,
    n_clauses: int,
    hedged: bool = False,
    exception: bool = False,
) -> Candidate | None:
    pronoun = re.match(r"(?:he|she)(?='s\b|\s)", plain, re.I)
    if pronoun and said.subject not in ("he", "she", speaker.lower()) and " " not in said.subject:
        plain = _capitalised(said.subject) + plain[pronoun.end() :]  # "He moved to Oslo" said of Lars: "Lars moved ..."
    embedded = _EMBEDDED.search(plain)
    if embedded:
        plain = embedded.group("fact")[:1].upper() + embedded.group("fact")[1:]
    elif plain.endswith("?") and _REQUEST.search(plain):
        return _asked(episode, speaker, plain)
    elif plain.endswith("?") and said.properties and "," in plain:
        plain = plain[: plain.rindex(",")] + "."  # "my husband Mark and I are doing the Camino, any tips?"
    if plain.endswith("?"):
        return None  # a question states nothing ("how long have you been married?")
    if (hedged or HEDGE.search(plain)) and not said.properties and not resolve(plain, episode.event_time, "future"):
        return (
            None  # "leaning towards a collie": a thought, not yet a fact; "thinking about camping next month" is a plan
        )
    statement = classify(plain, speaker)
    standing = statement is None and (exception or _standing_request(plain))
    keep = standing or said.reschedule  # a request for later, a plan that moved: kept whatever their words
    if (
        statement is None
        and not said.properties
        and said.ends is None
        and not said.correction  # "wait sorry, it's june 21 not 12"
        and not keep
        and not _worth_keeping(plain)
    ):
        return None
    said_new, replaced = _without_old(plain) if statement is None else (plain, statement.replaces)
    text = statement.text if statement is not None else _attributed(said_new, speaker)
    kind = statement.kind if statement is not None else "preference" if standing else "fact"
    tense: Tense = (
        "future"
        if PLAN.search(plain) or _FUTURE.search(plain) or said.reschedule  # a plan moves to a day ahead
        else "past"
        if kind == "event" or _PAST.search(plain)
        else None
    )
    dates = resolve(plain, episode.event_time, tense)
    if tense == "past" and dates and _EVENT_DATE.search(plain):
        # "got a place for the Berlin marathon in September": the date is the marathon's, not the
        # getting's, so it takes whichever reading, last one or next one, is nearer.
        ahead = resolve(plain, episode.event_time, "future")
        if ahead and ahead[0].when - episode.event_time < episode.event_time - dates[0].when:
            dates = ahead
    # "Renata said yes", "road trip this weekend": someone else, or a day, ties it down.
    tied = bool(dates) or (
        said.subject != speaker.lower() and said.subject not in _NOBODY and not said.subject.endswith("ing")
    )
    if not (said.properties or said.ends or said.correction or keep) and _says_little(plain, statement, tied):
        return None  # kept in its turn, which search still finds
    if n_clauses == 1 and not dates and text == episode.content:
        return None  # the turn itself already says exactly this
    valid_from = _since(plain, episode) or (dates[0].when if dates else None)
    if dates:
        text = f"{text.rstrip('.!')} ({dates[0].describe()})."  # the date in the fact, so it reads true on any day
    ends_then = bool(dates) and re.search(
        r"\b(?:due|until|till|by|ends?|expires?|deadline)\s*$", plain[: plain.find(dates[0].phrase)].rstrip()
    )
    if ends_then:
        valid_from = None  # "pregnant, due in May": May is when it ends, not when it starts
    elif said.reschedule and not said.properties:
        valid_from = None  # "pushed the trip back to 2 June": the plan changed when it was said, not then
    elif said.properties and valid_from is not None and valid_from > episode.event_time and not NOW.search(plain):
        pass  # a change that starts later ("I start at Wise in two weeks") is true from then
    elif valid_from is not None and not said.properties and said.ends is None:
        valid_from = None if kind != "event" else valid_from
    return Candidate(
        text=text,
        kind=kind,
        source_episode_ids=[episode.id],
        session=episode.session,
        valid_from=valid_from or episode.event_time,
        keywords=content_words(plain)[:12],
        tags=[e.lower() for e in entities(plain)][:8],
        negates=statement.negates if statement is not None else replaced,
        metadata={
            "speaker": speaker,
            "subject": said.subject,
            **({"claims": said.properties} if said.properties else {}),
            **({"still": True} if said.still else {}),
            **({"replaces": replaced} if replaced else {}),
            **({"ends": said.ends} if said.ends else {}),
            **({"reschedule": True} if said.reschedule else {}),
            **({"correction": list(said.correction)} if said.correction else {}),
            **({"fragment": True} if statement is None else {}),  # no subject of its own: leans on context
            **({"aka": said.aka} if said.aka else {}),
            **({"pet": said.pet} if said.pet else {}),
        },
    )


# A standing instruction to the assistant ("so SAST times please when you give me dates", "from now on
# please answer in Spanish"): how the user wants to be served from here on, kept as their preference.
_PLEASE = re.compile(r"\b(?:please|pls|plz|remember to|make sure|don't forget to)\b", re.I)
_STANDING = re.compile(
    r"\b(?:from now on|going forward|in (?:the )?future|every time|whenever you|when you|always|never)\b", re.I
)


# What a diet allows after saying what it rules out ("I don't eat meat, remember. egg is fine tho",
# "I'm vegan, honey's ok though"): kept as the speaker's preference with the restriction it qualifies.
_EXCEPTION = re.compile(
    r"^(?:but\s+|though\s+)?(?!(?:it|that|this|everything|all|which|what)\b)[a-z][\w' -]{1,30}?\s*"
    r"(?:is|are|'s)\s+(?:still\s+|totally\s+)?(?:fine|ok|okay|alright|allowed)\b",
    re.I,
)


def _standing_request(plain: str) -> bool:
    """Asked for the speaker ("when you give me dates"), not advice to the listener ("don't forget to take
    breaks when you need to")."""
    asked = _PLEASE.search(plain) and _STANDING.search(plain) and re.search(r"\b(?:me|my|us|our)\b", plain, re.I)
    # How the assistant is to reach the speaker, from now on: "reminders via telegram from now on, not sms"
    reach = _STANDING.search(plain) and _REACH.search(plain)
    return not plain.endswith("?") and bool(asked or reach)


_REACH = re.compile(r"\b(?:reminders?|messages?|notifications?|alerts?|updates?|summaries|summary|emails?)\b", re.I)


def _worth_keeping(plain: str) -> bool:
    """A user's clause that classify passed over for want of a subject ("cycling everywhere now, got
    a cargo bike") still says something about them when it has two words of substance."""
    if plain.endswith("?") or _FILLER.match(plain) or _DEICTIC.match(plain):
        return False
    if _SECOND_PERSON.search(plain):
        return False  # about the listener ("proud of you"), or a request to them
    return len([w for w in content_words(plain) if w not in _EMPTY_WORDS]) >= 2


# Feelings with no object: "feeling hopeful and optimistic", "so happy and thankful for all the support".
_AFFECT = _words(
    "happy glad excited thrilled hopeful optimistic thankful grateful proud sad nervous anxious stressed worried "
    "scared overwhelmed tired exhausted relieved pumped stoked blessed inspired motivated psyched upset bummed "
    "amazed touched honored honoured humbled"
)
_INTENSIFIER = r"(?:so|really|super|very|truly|pretty|quite|such|just|all|still|always|not|both|definitely|a|an)"
_MOOD = re.compile(
    rf"(?:^|\b(?:is|am|are|was|were|'m|'re|'s|feels?|feeling|felt)\s+)(?:(?:{_INTENSIFIER}|feeling)\s+)*"
    r"(?P<affect>[a-z]+)\b",
    re.I,
)
# A judgement of a thing, not a fact about anyone: "taking care of ourselves is vital", "they're so graceful!".
_JUDGEMENT = _words(
    "important vital crucial key essential lovely great awesome amazing inspiring graceful beautiful rewarding "
    "worth hard tough easy cool fun perfect hectic nice powerful emotional special wonderful fantastic "
    "incredible gorgeous stunning thought-provoking meaningful cute sweet tricky crazy wild intense"
)
_JUDGED = re.compile(
    rf"\b(?:is|are|was|were|'s|'re|looks?|seems?|sounds?|(?:has|have) been|will be|gonna be|it'll be)\s+"
    rf"(?:{_INTENSIFIER}\s+)*(?P<word>[a-z-]+)\b",
    re.I,
)
# Cheers and asides to the listener: "can't wait to see it done!", "take a look at this".
_CHEER = re.compile(
    r"^(?:can'?t wait|push through|keep (?:it up|going)|go for it)\b|"
    r"\b(?:take a look|look at this|check (?:it|this) out|(?:we|you)(?:'ve)? got this|hang in there)\b",
    re.I,
)
_ANCHOR = re.compile(
    rf"{_FIRST_PERSON.pattern}|\b(?:im|ive|ours|he|she|his|her|him|{'|'.join(NUMBERS)})\b|^Ill\b", re.I
)
# What the speaker does or did, said without "I": "researching adoption agencies", "started the role
# this term", "still living out of boxes", "need quick weeknight dinners".
_DOING = re.compile(
    r"(?:(?:still|just|already|finally|now|mostly|currently)\s+)?"
    rf"(?:[A-Za-z][A-Za-z-]*ing\b(?!\s+(?:is|are|was|has|have|'s)\b)|[A-Za-z]+ed\b|(?:{'|'.join(sorted(_UNCHANGED))}|need|got)\b)",
    re.I,
)
_NOBODY = _words("they them it this that these those things lots everyone everybody someone nobody people")
_REACTING = _words("loving liking enjoying hoping wishing")
_LIGHT_VERBS = _words("see sees take takes get gets go goes make makes do does come comes start starts")


def _says_little(plain: str, statement: Statement | None, tied: bool = False) -> bool:
    """A clause with words enough that still tells nothing to remember about anyone: a mood with
    nothing else said ("I'm feeling hopeful and optimistic"), a cheer ("we got this!"), or, with no
    subject of its own, advice to the listener, a reaction, an opinion of a thing, or words that
    name no one and nothing. Such a clause stays findable in its turn; it is not a memory of its own."""
    for mood in _MOOD.finditer(plain):
        if mood.group("affect").lower() in _AFFECT:
            around = f"{plain[: mood.start()]} {plain[mood.end() :]}"
            said = [w for w in content_words(around) if w not in _EMPTY_WORDS | _AFFECT | _LIGHT_VERBS]
            return len(said) < 2
    if _CHEER.search(plain) and not entities(_CHEER.sub("", plain)):
        return True
    if statement is not None:
        return False
    if _SECOND_PERSON.search(plain) or re.search(r"\byoursel(?:f|ves)\b", plain, re.I):
        return True
    first = re.match(r"[A-Za-z]+", plain)
    if first is not None and first.group().lower() in _REACTING:
        return True  # "loving the inclusivity and support": a reaction to what the listener said
    if any(m.group("word").lower() in _JUDGEMENT for m in _JUDGED.finditer(plain)):
        return True  # "taking care of ourselves is vital": an opinion of a thing
    # Nothing ties it to anyone ("the natural light!", "they're the ones performing"): no name, no
    # number, no person, and not something the speaker does ("researching adoption agencies").
    return not (tied or entities(plain) or re.search(r"\d", plain) or _ANCHOR.search(plain) or _DOING.match(plain))


def _attributed(plain: str, speaker: str) -> str:
    """The speaker's own words with who said them, where a rewrite would garble them."""
    return f"{speaker[:1].upper()}{speaker[1:]}: {plain}"


def _asked(episode: Episode, speaker: str, question: str) -> Candidate:
    return Candidate(
        text=f"{speaker[:1].upper()}{speaker[1:]} asked: {question}",
        kind="event",
        source_episode_ids=[episode.id],
        session=episode.session,
        valid_from=episode.event_time,
        keywords=content_words(question)[:12],
        tags=[e.lower() for e in entities(question)][:8],
        metadata={"speaker": speaker, "subject": speaker.lower(), "asked": True},
    )


# A verb that tells what already happened: "Bamse died on Tuesday", said on a Saturday, is the Tuesday before.
_PAST = re.compile(r"\b(?:died|passed away|went|came|arrived|landed|happened|broke|fell|was|were|did|had)\b", re.I)
_FUTURE = re.compile(
    r"\b(?:am|are|'re|'m)\s+(?:\w+ing)\b.*\b(?:in|on|next|this)\s+[A-Z]|"  # "we're doing the Camino in September"
    r"\b(?:is|are|'s)\s+(?:on|set for|scheduled for|booked for|due)\b|\b(?:booked|rebooked|scheduled|due|"
    r"start date|starts?|flying|leaving|appointment|wedding|new date)\b",
    re.I,
)
# A date that belongs to a named occasion, not to the sentence's verb: "a ballot place for the Berlin
# marathon in September", "tickets to the gig on Friday". Its year is the nearer reading.
_EVENT_DATE = re.compile(
    r"\b(?:for|to)\s+(?:the|my|our|a|an|his|her|their)\s+[\w' -]{1,40}?\s+(?:in|on)\s+(?:the\s+)?"
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+)?{MONTH_WORD}",
    re.I,
)
_SINCE = re.compile(
    rf"\b(?P<n>\d{{1,6}}|{'|'.join(NUMBERS)})\s+(?P<unit>day|week|month|year)s?\s+"
    r"(?:in|smoke-free|sober|clean|without|now)\b",
    re.I,
)


def _since(plain: str, episode: Episode) -> datetime | None:
    """ "3 months smoke-free", "two months in at Wise": the state began that long before it was said."""
    match = _SINCE.search(plain)
    if match is None:
        return None
    n = NUMBERS.get(match.group("n").lower()) or int(match.group("n"))
    days = {"day": 1, "week": 7, "month": 30, "year": 365}[match.group("unit").lower()] * n
    try:
        start = episode.event_time - timedelta(days=days)
    except OverflowError:
        return None  # "9999 years smoke-free" began before any calendar date: no start to keep
    return start if storable(start) else None
