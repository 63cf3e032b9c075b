"""Checks on what a chat model says: its numbers, dates, subjects, and whether its words are supported.

Shared by the LLM extractor and reconciler; plain functions over plain data.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator

from remem.search.terms import STOPWORDS
from remem.types import MemoryItem
from remem.write.candidates import Candidate

# "[2023-05-08] " as the prompts show dates, possibly repeated, possibly with a time.
_DATE_PREFIX = re.compile(r"^\s*(?:\[\d{4}-\d{2}-\d{2}(?:[ T][\d:.]+Z?)?\]\s*)+")
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
# Words that carry no claim of their own: a merged text may add or drop them freely. Negations
# ("no", "not", "never") are not among them: a model that adds one changes the claim.
_FUNCTION_WORDS = (STOPWORDS - {"no", "nor", "not", "like", "more", "most", "few", "other", "same"}) | {
    "currently",
    "still",
    "user",
}
_SELF = frozenset({"", "i", "me", "myself", "user", "the user", "speaker", "the speaker", "self"})
_OWN = re.compile(r"^(?:my|the user's|user's|the speaker's|speaker's)\s+", re.IGNORECASE)


def strip_date_prefix(text: str) -> str:
    """The text without leading "[YYYY-MM-DD]" dates copied from the prompt."""
    return _DATE_PREFIX.sub("", text).strip()


def stem(word: str) -> str:
    """A word without possessive, plural and tense endings: "moved", "moves", "moving" -> "mov"."""
    word = word.lower()
    if word.endswith(("'s", "’s")):
        word = word[:-2]
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith(("ed", "es")) and len(word) > 4:
        word = word[:-2]
        if word.endswith("i"):
            word = word[:-1] + "y"  # "married" -> "marry"
    elif word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        word = word[:-1]
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # "running" -> "runn" -> "run"
    if word.endswith("e") and len(word) > 3:
        word = word[:-1]
    return word


def content_stems(text: str) -> set[str]:
    """The stems of the words of `text` that carry its claim."""
    return {stem(w) for w in _WORD.findall(text) if w.lower() not in _FUNCTION_WORDS}


def unsupported_words(text: str, *sources: str) -> set[str]:
    """The content words of `text` that none of `sources` says (case and simple endings aside)."""
    known = set().union(*(content_stems(s) for s in sources))
    return {w for w in _WORD.findall(text) if w.lower() not in _FUNCTION_WORDS and stem(w) not in known}


def value_words(candidate: Candidate, target: MemoryItem) -> set[str]:
    """What the candidate says that the target does not: its value, or else its new names and numbers."""
    value = candidate.metadata.get("value")
    if isinstance(value, str) and value.strip():
        return content_stems(value)
    old = content_stems(target.text)
    return {
        stem(w)
        for w in _WORD.findall(candidate.text)
        if (w[0].isupper() or any(c.isdigit() for c in w)) and w.lower() not in _FUNCTION_WORDS and stem(w) not in old
    }


def canonical_subject(subject: str | None, speaker: str) -> str:
    """Whose fact: the speaker's own ("I", "the user") as the speaker; "my sister" as "<speaker>'s sister"."""
    said = " ".join((subject or "").split())
    if said.lower() in _SELF or said.lower() == speaker.lower():
        return speaker
    return _OWN.sub(f"{speaker}'s ", said)


def _owner_key(value: Any) -> str:
    text = " ".join(str(value).lower().split())
    return text[4:] if text.startswith("the ") else text


def same_owner(candidate: dict[str, Any], memory: dict[str, Any]) -> bool:
    """Whether two memories are about the same someone: by "subject" when both have one, else "speaker".

    When neither can be compared the answer is no: a fact that might be someone else's is never
    offered as one to overwrite.
    """
    for key in ("subject", "speaker"):
        if candidate.get(key) and memory.get(key):
            return _owner_key(candidate[key]) == _owner_key(memory[key])
    return False


def number(value: Any) -> Any:
    """ "2" for 2: a weak model's quoting, not a wrong answer."""
    return int(value) if isinstance(value, str) and value.strip().isdigit() else value


def optional_text(value: Any) -> Any:
    if isinstance(value, str) and value.strip().lower() in ("", "null", "none", "unknown", "n/a"):
        return None
    return value


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema as strict structured output wants it: inline, every field required."""
    schema = model.model_json_schema()
    defs = schema.pop("$defs", {})

    def clean(node: Any) -> Any:
        if isinstance(node, list):
            return [clean(n) for n in node]
        if not isinstance(node, dict):
            return node
        if "$ref" in node:
            return clean(defs[node["$ref"].rsplit("/", 1)[-1]])
        out = {k: clean(v) for k, v in node.items() if k not in ("title", "default")}
        if "const" in out:  # a choice of one: said as an enum, like every other count
            out["enum"] = [out.pop("const")]
        if out.get("type") == "object" and "properties" in out:
            out["required"] = list(out["properties"])
            out["additionalProperties"] = False
        return out

    result: dict[str, Any] = clean(schema)
    return result


def choices(count: int) -> Any:
    """The type "one of 1..count", a JSON-schema enum; "2" is read as 2."""
    return Annotated[Literal[tuple(range(1, count + 1))], BeforeValidator(number)]


def date_words(*moments: datetime | None) -> str:
    """Dates as a text may say them: "2023-05-08 8 May 2023"."""
    return " ".join(f"{m:%Y-%m-%d} {m.day} {m:%B %Y}" for m in moments if m is not None)
