"""Turning a free-text query into safe lexical terms."""

from __future__ import annotations

import re

# Function words carry no evidence for BM25 and, in an OR query, only add noise and time.
STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers herself him himself his how i if in into is it its itself just
    me more most my myself no nor not now of off on once only or other our ours ourselves out over
    own same she should so some such than that the their theirs them themselves then there these
    they this those through to too under until up very was we were what when where which while who
    whom why will with would you your yours yourself yourselves ever also did does done get got
    let lets like really s t d ll m re ve y""".split()
)

_WORD = re.compile(r"[\w][\w'’-]*", re.UNICODE)


def query_terms(text: str, limit: int = 32) -> list[str]:
    """Distinct lowercased content words, in order; FTS syntax characters never survive."""
    seen: dict[str, None] = {}
    for match in _WORD.finditer(text.lower()):
        word = match.group(0).strip("'’-").replace("’", "'")
        for part in word.split("'")[:1]:  # "caroline's" -> "caroline"
            if len(part) > 1 and part not in STOPWORDS or part.isdigit():
                seen.setdefault(part, None)
    return list(seen)[:limit]
