"""What a learner means by the words after /quiz: a domain (`5`, `D5`, `billing`, a prefix of a
domain's name) or topics of the content outline (`hipaa`, `coding`, `scheduling`).

A word that names topics selects them, even when it is also a domain's keyword, if the topics are
that domain's (`coding`: the coding topics, not all of domain 5) or, across domains, all begin with
the word (`hipaa`: the HIPAA topics of domains 1 and 7). Otherwise the keyword keeps its domain:
`billing` is domain 5 though D6 has "billing statements"; `management` is domain 8 though four
domains have a topic with the word. Numbers and `D5` always mean a domain.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from bot.domain.exam import BY_NUMBER, DOMAINS, Domain
from bot.inputs.text import ascii_digits

MIN_WORD = 3


class UnknownDomainError(ValueError):
    """Raised when a learner names a domain that does not exist."""


@dataclass(frozen=True, slots=True)
class Scope:
    """What /quiz draws from: a domain, the topics a word names, or everything."""

    domain: int | None = None
    word: str | None = None  # the learner's topic word, kept so Next stays on it
    topics: frozenset[str] = field(default_factory=frozenset)


def parse_domain(text: str) -> Domain:
    """Resolve `5`, `D5`, `billing` or a prefix of a domain name to a domain."""
    word = text.strip().lower()
    digits = ascii_digits(word.removeprefix("d"))
    if digits:
        if len(digits) <= 2 and int(digits) in BY_NUMBER:
            return BY_NUMBER[int(digits)]
        raise UnknownDomainError(text)
    for domain in DOMAINS:
        if word in domain.keywords:
            return domain
    matches = [d for d in DOMAINS if any(part.startswith(word) for part in _name_words(d))]
    if len(word) >= MIN_WORD and len(matches) == 1:
        return matches[0]
    raise UnknownDomainError(text)


def parse_scope(text: str, topics: Mapping[str, int]) -> Scope:
    """A domain or the topics `text` names (`topics`: topic name -> its domain)."""
    word = " ".join(text.lower().split())
    if ascii_digits(word.removeprefix("d")):
        return Scope(domain=parse_domain(word).number)
    named = topics_named(word, topics)
    try:
        domain = parse_domain(word)
    except UnknownDomainError:
        if named:
            return Scope(word=word, topics=named)
        raise
    homes = {topics[t] for t in named}
    across = len(homes) > 1 and all(t.startswith(word) for t in named)
    if named and (homes == {domain.number} or across):
        return Scope(word=word, topics=named)
    return Scope(domain=domain.number)


def topics_named(word: str, topics: Mapping[str, int]) -> frozenset[str]:
    """Topics with a word starting with each of `word`'s words, plural or not (`hipaa` -> both HIPAA
    topics, `records` -> every record topic)."""
    parts = [p.removesuffix("s") if len(p) > MIN_WORD + 1 else p for p in word.split()]
    if not parts or any(len(p) < MIN_WORD for p in parts):
        return frozenset()
    return frozenset(t for t in topics if all(any(w.startswith(p) for w in t.split()) for p in parts))


def topic_examples(topics: Mapping[str, int], count: int = 8) -> list[str]:
    """Short topic words a learner can use, one per domain first (for the refusal that lists them)."""
    firsts = sorted({t.split()[0] for t in topics if len(t.split()[0]) >= MIN_WORD})
    return firsts[:count]


def _name_words(domain: Domain) -> list[str]:
    return [w.strip(",").lower() for w in domain.name.split()] + list(domain.keywords)
