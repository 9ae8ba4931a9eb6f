"""How learners name the eight CMAS domains in commands: `5`, `D5`, `billing`, or a prefix of a name."""

from __future__ import annotations

from bot.domain.exam import BY_NUMBER, DOMAINS, Domain


class UnknownDomainError(ValueError):
    """Raised when a learner names a domain that does not exist."""


def parse_domain(text: str) -> Domain:
    """Resolve `5`, `D5`, `billing` or a prefix of a domain name to a domain."""
    word = text.strip().lower().removeprefix("d")
    if word.isdigit():
        if int(word) in BY_NUMBER:
            return BY_NUMBER[int(word)]
        raise UnknownDomainError(text)
    word = text.strip().lower()
    for domain in DOMAINS:
        if word in domain.keywords:
            return domain
    matches = [d for d in DOMAINS if any(part.startswith(word) for part in _name_words(d))]
    if len(word) >= 3 and len(matches) == 1:
        return matches[0]
    raise UnknownDomainError(text)


def _name_words(domain: Domain) -> list[str]:
    return [w.strip(",").lower() for w in domain.name.split()] + list(domain.keywords)
