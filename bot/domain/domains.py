"""The eight CMAS work areas, their blueprint weights, and how learners name them in commands."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Domain:
    number: int
    name: str
    short: str
    weight: int  # percent of the 200 blueprint questions
    keywords: tuple[str, ...]


DOMAINS: tuple[Domain, ...] = (
    Domain(1, "Medical Assisting Foundations", "Foundations", 13,
           ("foundations", "terminology", "law", "legal", "ethics", "hipaa")),
    Domain(2, "Basic Clinical Concepts", "Clinical", 7,
           ("clinical", "vitals", "infection", "safety", "osha")),
    Domain(3, "Medical Office Clerical Assisting", "Clerical", 10,
           ("clerical", "scheduling", "reception", "phone", "mail")),
    Domain(4, "Medical Records Management", "Records", 17,
           ("records", "charting", "filing", "ehr")),
    Domain(5, "Health Care Insurance Processing, Coding, and Billing", "Insurance & coding", 17,
           ("insurance", "coding", "billing", "claims", "codes")),
    Domain(6, "Medical Office Financial Management", "Finance", 17,
           ("finance", "financial", "accounts", "payroll", "banking", "collections")),
    Domain(7, "Medical Office Information Processing", "Information processing", 7,
           ("information", "computers", "computer", "it", "software", "security")),
    Domain(8, "Medical Office Management", "Management", 12,
           ("management", "hr", "supervision", "office", "risk")),
)

BY_NUMBER: dict[int, Domain] = {d.number: d for d in DOMAINS}


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
