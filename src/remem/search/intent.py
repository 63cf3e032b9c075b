"""What a question asks about: whose fact, and which property.

"Where does Tomasz live?" asks for Tomasz's residence; "How big is Nadia's team?" for a count
that Nadia's facts set. The write path records, on every extracted fact, the claim it makes
(subject and properties, see remem.write.claims); a question that names a property can then
prefer the facts that set it over facts that merely share its words ("Tomasz: still living out
of boxes" shares "Tomasz" and "live" with the question, and answers nothing). This is answer-type
matching as question-answering systems have long done it, on the property names the write path
already uses, so nothing here is tied to a data set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from remem.write.claims import PARTNERS, PET_SPECIES, PROVIDER_WORDS, PROVIDERS, RELATIONS, kin, stem

# A question's wording -> the claim properties that answer it. A property ending in ":" is a
# family ("count:" matches "count:cat" and "count:people"). A third element names what also answers,
# less well: a "job title" question is answered best by a title, then by an employer.
_ASKS: tuple[tuple[str, tuple[str, ...]] | tuple[str, tuple[str, ...], tuple[str, ...]], ...] = (
    (r"\binsur(?:es?|er|ance|ed)\b", ("insurer",)),  # first: "Who insures Hiroshi's car?" asks for the insurer
    (
        r"\bwhere\b.*\b(?:live|lives|living|based|home|stay|stays|reside|resides|moved?)\b|\b(?:live|lives) where\b"
        r"|\b(?:which|what) (?:city|town|country|neighbou?rhood|suburb|part of (?:town|the city))\b"
        r"|\b(?:live|lives|living|based) (?:in|at|now|these days)\W*$",
        ("residence",),
    ),
    (
        r"\bwhere (?:is|are|'s|was|were) [\w' -]{1,30}? (?:originally )?from\b|\bhome ?town\b|\bwhere\b.*\bgrow up\b",
        ("hometown",),
    ),
    (
        r"\bwhere\b.*\b(?:work|works|working|teach|teaches|employed|job)\b|\bwho\b.*\bwork(?:s|ing)? for\b|"
        r"\b(?:which|what) (?:company|firm|employer|school|hospital|office|club)\b|\bemployer\b|"
        r"\bplay(?:s|ing)? for\b",
        ("employer",),
    ),
    (
        r"\b(?:job title|title|role|position|job|do for (?:a )?(?:living|work)|profession|occupation)\b|"
        # "what does Ines do", "... do now": not "what does Ines do on Sundays" (what she does then)
        r"\bwhat (?:does|do) (?:[\w'-]+\s+){1,3}do(?: now| these days| nowadays| professionally)?\W*$|"
        # "what is Dana doing these days": not "what is Ana doing this weekend"
        r"\bwhat (?:is|are|'s) (?:[\w'-]+\s+){1,3}doing (?:now|these days|nowadays|for work|for a living)\W*$",
        ("title",),
        ("employer",),
    ),
    (
        r"\b(?:dating|date|partner|married|marry|relationship|single|seeing anyone|seeing someone|together|"
        r"engaged|husband|wife|girlfriend|boyfriend|fianc[eé]e?|spouse|with (?:anyone|someone|somebody)|"
        r"things stand between|still together|an item)\b",
        ("partner", "relationship"),
    ),
    (r"\b(?:pets?|animals?)\b", ("dog", "cat", "dog:", "cat:", "breed:", "count:dog", "count:cat")),
    # "What cat does Lucía have now?", "Which dog lives with Arjun?": a pet's name, one of each if there are more
    (r"\b(?:what|which) (?:cats?|kittens?)\b", ("cat", "cat:")),
    (r"\b(?:what|which) (?:dogs?|pupp(?:y|ies))\b", ("dog", "dog:")),
    (r"\bhow old\b|\bage\b", ("age",)),
    (r"\bweigh\w*\b|\bweight\b", ("weight",)),
    (r"\bdose\b|\bdosage\b|\bhow much \w+ (?:does|do|is) \w+ (?:take|taking|on)\b", ("dose:",)),
    (r"\brent\b", ("money:rent",)),  # before pay: "How much does Carlos pay in rent?"
    (r"\bloan\b", ("money:loan",)),
    (r"\b(?:salary|paid|earn|earns|income|pay)\b", ("money:salary",)),
    (r"\b(?:rent|mortgage|budget|price|cost|costs|fee|how much)\b", ("money:",)),
    (r"\bhow big\b.*\bteam\b|\bteam size\b|\bheadcount\b", ("count:people", "count:staff", "count:member")),
    (r"\bhow many\b|\bhow big\b|\bsize\b|\bnumber of\b", ("count:",)),
    (r"\bfavou?rite\b|\bfave\b|\b(?:support|supports|root for|roots for)\b", ("favourite:",)),
    (r"\b(?:diet|dietary|vegetarian|vegan|eat meat|eats meat|pescatarian|gluten|dairy)\b", ("diet",)),
    (r"\b(?:smoke|smokes|smoking|smoker)\b", ("smoking",)),
    (r"\ballerg", ("allergy:",)),
    (r"\b(?:car|drive|drives)\b", ("car",)),
    (r"\bseats?\b", ("seat",)),
    (r"\bwhat year\b.*\bborn\b|\bbirth ?year\b|\byear of birth\b", ("birth_year",)),
    (r"\bbirthday\b|\bborn\b", ("birthday",)),
    (r"\bpregnan|\bbaby\b", ("pregnancy",)),
    (r"\bbreed\b|\bwhat (?:kind|sort|type) of (?:dog|cat|puppy|kitten)\b", ("breed:",)),
    (r"\b(?:coffee|tea|drinks?)\b|\b(?:usual|coffee|drink) order\b", ("drink",)),
    (r"\bhobb(?:y|ies)\b|\bfree time\b|\bfor fun\b", ("hobby",)),
    (r"\binstrument\b|\bplay(?:s|ing)? (?:music|in a band)\b", ("instrument",)),
    (r"\b(?:sport|sports|exercise|workout|work out|training|keep fit|keeps fit)\b", ("sport",)),
    (
        r"\b(?:answers?|responses?|replies|explanations?)\b.*\b(?:like|likes|want|wants|prefer|prefers|format|"
        r"formatted|style|long|short)\b|\bhow (?:should|do|to) (?:I|you|we) (?:answer|respond|reply)\b",
        ("answer_style",),
    ),
    (r"\b(?:phone|mobile|cell|whatsapp) number\b|\bnumber\b.*\b(?:call|reach|text)\b", ("phone",)),
    (r"\b(?:what|which) (?:phone|mobile|handset)\b", ("handset",)),
    (r"\be-?mail\b", ("email",)),
    (r"\blanguage\b|\bin (?:english|spanish|french|german)\b", ("reply_language",)),
    (r"\bcalled\b|\bname\b|\bgo(?:es)? by\b", ("name",)),
    (r"\b(?:school|nursery|kindergarten|preschool)\b", ("school",)),
    (r"\bprefers?\b", ("prefer:",)),
    (r"\bteam\b", ("team",)),
)
_ASKS_COMPILED = tuple((re.compile(row[0], re.I), row[1], row[2] if len(row) == 3 else ()) for row in _ASKS)
_RELATION = re.compile(rf"\b({RELATIONS})\b", re.I)
_ASKS_WHO = re.compile(r"\s*(?:who|what(?:'s| is) the name of)\b", re.I)  # not "Zoe's dentist appointment"
_PROVIDER = re.compile(rf"\b({PROVIDER_WORDS})\b", re.I)
_QUESTION_WORDS = frozenset(
    re.findall(
        r"\w+",
        "what where when who whom whose which why how is are was were does do did has have had can could will "
        "would should the a an and or of in on at to for i my me we our you your",
    )
)
MAX_QUESTION = 500  # characters read: a question names its subject and property early; bounds every pattern
_FIRST_PERSON = re.compile(r"\b(?:I|my|me|mine|we|our|us)\b")


@dataclass(frozen=True)
class Intent:
    """Names the question is about (lowercased), the relation it asks through ("Daniel's wife"),
    the relations it mentions, and the properties it asks for."""

    names: tuple[str, ...]
    properties: tuple[str, ...]
    relations: tuple[str, ...]
    first_person: bool = False
    via: str | None = None  # "wife" in "What does Daniel's wife do?"
    primary: tuple[str, ...] = ()  # what the question's first cue asks for ("job title" -> title)
    words: tuple[str, ...] = ()  # the question's other words, lowercased: "where does alice live" names alice too

    def __bool__(self) -> bool:
        return bool(self.properties or self.relations)


def intent(question: str) -> Intent:
    """The intent of a question, or an empty one when it names no property ("tell me about Ana")."""
    question = question[:MAX_QUESTION]
    via = re.search(rf"(?:\b[^\W\d_][\w-]*'s|\b(?:my|our))\s+({RELATIONS})\b", question)
    asked = question if via is None else question[: via.start(1)] + question[via.end(1) :]
    props: list[str] = []
    primary: tuple[str, ...] = ()
    many = re.search(r"\bhow many ([a-z]+)", asked, re.I)
    if many:
        props.append(f"count:{stem(many.group(1).lower())}")
        primary = tuple(props)
    for pattern, asks, also in _ASKS_COMPILED:
        if pattern.search(asked):
            props.extend(p for p in (*asks, *also) if p not in props)
            primary = primary or asks
    if _ASKS_WHO.match(asked):  # "Who is Siobhan's babysitter?"
        for provider in _PROVIDER.finditer(asked):
            role = PROVIDERS[provider.group(1).lower()]
            if role not in props:
                props.append(role)
                primary = primary or (role,)
    relations = tuple(dict.fromkeys(kin(m.group(1)) for m in _RELATION.finditer(question)))
    names = tuple(
        dict.fromkeys(
            word.lower()
            for word in re.findall(r"\b([^\W\d_][\w-]+)(?:'s)?\b", question)
            if word[0].isupper() and word.lower() not in _QUESTION_WORDS
        )
    )
    return Intent(
        names,
        tuple(props),
        relations,
        bool(_FIRST_PERSON.search(question)),
        kin(via.group(1)) if via else None,
        primary,
        tuple(
            dict.fromkeys(
                w.lower() for w in re.findall(r"[^\W\d_][\w-]+", question) if w.lower() not in _QUESTION_WORDS
            )
        ),
    )


def answers(text: str, metadata: dict[str, object], wanted: Intent) -> float:
    """How well a fact's recorded claim answers the question: 1 when it sets the property asked for
    first ("job title" -> title), 0.5 for one asked for after it (employer), 0 when it is about
    someone else or sets nothing asked."""
    if not _answers(text, metadata, wanted):
        return 0.0
    claims = metadata.get("claims")
    keys = [str(k) for k in claims] if isinstance(claims, dict) else []
    first = wanted.primary or wanted.properties[:1]
    if not first or any(_matches(k, first) for k in keys) or any(k in wanted.relations for k in keys):
        return 1.0
    return 0.5


def _user(owner: str, wanted: Intent) -> bool:
    """An unnamed speaker's facts are "the user"'s, and a question about "the user" asks for them."""
    return owner == "the user" and "user" in wanted.words


def _answers(text: str, metadata: dict[str, object], wanted: Intent) -> bool:
    claims = metadata.get("claims")
    subject = str(metadata.get("subject") or "").lower()
    if not isinstance(claims, dict) or not subject:
        return False
    owner, _, relation = subject.partition("'s ")
    # a name of the owner's own ("Zahra" of "Fatima Zahra's brother") names no one else
    named = [n for n in wanted.names if n not in owner.split() and re.search(rf"\b{re.escape(n)}\b", text, re.I)]
    if relation and named:
        owner, relation = named[0], ""  # "my sister Ruth moved to Paris", asked about Ruth
    if wanted.names and not _named(owner, wanted.names) and not _user(owner, wanted):
        return False  # "the user's relationship status with Tom" asks of the user, naming Tom
    if not wanted.names and not wanted.first_person and owner not in wanted.words and not _user(owner, wanted):
        return False  # a question typed in lower case names its subject all the same
    keys = [str(k) for k in claims]
    if relation:
        # A fact about "jonah's dog" answers questions about Jonah's dog, not about Jonah.
        return relation in wanted.relations and (
            not wanted.properties or any(_matches(k, wanted.properties) for k in keys)
        )
    if wanted.via is not None and wanted.via in PET_SPECIES and "breed:" in wanted.properties:
        return f"breed:{PET_SPECIES[wanted.via]}" in keys  # "What breed is Jonah's dog?": a breed said of it
    if wanted.via is not None:
        # "my husband Marc" (a claim on the speaker) answers who or what name Élodie's husband is.
        # A break-up ("relationship: single") answers who the partner is as well as a new partner does.
        by_relation = wanted.via in keys or (wanted.via in PARTNERS and bool({"partner", "relationship"} & set(keys)))
        return by_relation and set(wanted.properties) <= {"name", "partner", "relationship"}
    return any(k in wanted.relations for k in keys) or any(_matches(k, wanted.properties) for k in keys)


def _named(owner: str, names: tuple[str, ...]) -> bool:
    """Whether the question names the owner: "fatima zahra" by "Fatima" and "Zahra", each a name of its own."""
    return owner in names or bool(owner) and set(owner.split()) <= set(names)


def _matches(key: str, wanted: tuple[str, ...]) -> bool:
    return any(key == p or (p.endswith(":") and key.startswith(p)) for p in wanted)
