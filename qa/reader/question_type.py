"""Expected answer type of a question, from its wording alone (no spaCy on the query path).

The result is a set of spaCy entity labels an answer should carry; an empty set means "no
particular type": any noun phrase or entity may answer.
"""

from __future__ import annotations

import re

PERSON_LIKE = frozenset({"PERSON", "ORG", "NORP"})
DATE_LIKE = frozenset({"DATE", "TIME"})
PLACE_LIKE = frozenset({"GPE", "LOC", "FAC"})
AMOUNT_LIKE = frozenset({"CARDINAL", "QUANTITY", "MONEY", "PERCENT"})

# Nouns after "what/which" that fix the type ("which agency", "what year", ...). Checked in order.
_HEAD_NOUNS: list[tuple[frozenset[str], frozenset[str]]] = [
    (frozenset("year years decade decades century centuries date dates month months day days era period time".split()), DATE_LIKE),
    (frozenset("city cities country countries state states nation place places town region continent province island".split()), PLACE_LIKE | frozenset({"NORP"})),
    (frozenset("agency agencies organization organisation company companies newspaper newspapers team teams party university group groups institution body network magazine band".split()), frozenset({"ORG"})),
    (frozenset("nationality nationalities religion ethnicity".split()), frozenset({"NORP"})),
    (frozenset("church park monument building buildings bridge street airport museum stadium river mountain lake".split()), frozenset({"FAC", "LOC", "ORG", "GPE"})),
    (frozenset("book books novel film song album poem painting".split()), frozenset({"WORK_OF_ART"})),
    (frozenset("person man woman leader president king queen author writer scientist who".split()), frozenset({"PERSON"})),
    (frozenset("percentage percent".split()), frozenset({"PERCENT"})),
    (frozenset("language languages".split()), frozenset({"LANGUAGE", "NORP"})),
    (frozenset("amount number".split()), AMOUNT_LIKE),
]

_WH = re.compile(r"\b(who|whom|whose|when|where|how|what|which)\b", re.IGNORECASE)


def head_noun(question: str) -> str | None:
    """The noun right after "what"/"which" ("which agency" -> "agency"), if any."""
    m = re.search(r"\b(?:what|which)\s+([a-z]+)", question.lower())
    if not m or m.group(1) in _NOT_HEADS:
        return None
    return m.group(1)


_NOT_HEADS = frozenset("is are was were did does do do has have had can could would will should the a an of".split())


def expected_labels(question: str) -> frozenset[str]:
    """Entity labels that would answer ``question``; empty when any phrase may."""
    q = question.lower()
    words = re.findall(r"[a-z]+", q)
    m = _WH.search(q)
    if not m:
        return frozenset()
    wh = m.group(1)
    after = re.findall(r"[a-z]+", q[m.end():])
    if wh in ("who", "whom", "whose"):
        return PERSON_LIKE
    if wh == "when":
        return DATE_LIKE
    if wh == "where":
        return PLACE_LIKE
    if wh == "how":
        nxt = after[0] if after else ""
        if nxt in ("many", "much"):
            if "money" in after[:3] or "cost" in words or "pay" in words or "paid" in words:
                return frozenset({"MONEY"})
            return AMOUNT_LIKE
        if nxt in ("long", "often", "old"):
            return DATE_LIKE | frozenset({"QUANTITY", "CARDINAL"})
        if nxt in ("far", "big", "large", "tall", "high", "heavy", "fast"):
            return frozenset({"QUANTITY", "CARDINAL"})
        return frozenset()
    # what / which: look at the next few words for a head noun ("which newspaper", "what kind of year").
    for word in after[:3]:
        for nouns, labels in _HEAD_NOUNS:
            if word in nouns:
                return labels
    return frozenset()
