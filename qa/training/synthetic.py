"""Unanswerable questions made from answerable ones, for training the reader's no-answer score.

SQuAD 2.0's unanswerable questions were written to look like answerable ones about the same
paragraph; the commonest kinds are an entity swapped for another (21%), a negation (9%) and a
changed number or date (in "mutual exclusion" and "impossible condition"). The train articles hold
only 3.8k of them, so this module makes more of those kinds from the 6.9k answerable train
questions, with rules checkable against the paragraph:

- entity swap: a named entity, date or number of the question that the paragraph mentions is
  replaced by another of the same spaCy label from the same article that the paragraph does NOT
  mention, so nothing in the paragraph can answer it;
- negation: "not" after the question's first auxiliary ("When did X not ..."); the paragraph
  states what happened, not what did not.

Only train articles go in (the caller passes them); nothing here reads a file.
"""

from __future__ import annotations

import random
import re

SWAP_LABELS = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT",
               "DATE", "CARDINAL", "ORDINAL", "QUANTITY", "PERCENT", "MONEY", "LANGUAGE")
AUXILIARIES = {"is", "was", "are", "were", "did", "does", "do", "can", "could", "has", "had", "have",
               "will", "would", "should", "must", "might", "may"}
_NEGATED = re.compile(r"\b(?:not|never|no)\b|n't\b", re.I)


def _mentions(paragraph_lower: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(text.lower()) + r"(?!\w)", paragraph_lower) is not None


def entity_swap(question_doc, paragraph: str, pool: dict[str, list[str]], rng: random.Random) -> str | None:
    """The question with one of its paragraph-grounded entities swapped for one the paragraph lacks."""
    low = paragraph.lower()
    grounded = [e for e in question_doc.ents if e.label_ in SWAP_LABELS and _mentions(low, e.text)]
    rng.shuffle(grounded)
    for ent in grounded:
        candidates = [c for c in pool.get(ent.label_, ()) if c.lower() != ent.text.lower() and not _mentions(low, c)]
        if candidates:
            text = question_doc.text
            return text[: ent.start_char] + rng.choice(candidates) + text[ent.end_char :]
    return None


def negation(question_doc) -> str | None:
    """The question negated at its first auxiliary, when it has one and no negation yet.

    "not" goes before the auxiliary's verb when the subject sits between them ("What did the
    Normans not conquer?"), else straight after the auxiliary ("Who was not ...?").
    """
    if _NEGATED.search(question_doc.text):
        return None
    for tok in question_doc[1:-1]:
        if tok.lower_ in AUXILIARIES and tok.pos_ in ("AUX", "VERB"):
            verb = tok.head
            cut = verb.idx if verb.i > tok.i + 1 and verb.pos_ == "VERB" else tok.idx + len(tok.text)
            text = question_doc.text
            return (text[:cut].rstrip() + " not " + text[cut:].lstrip()).strip()
    return None


def article_entities(nlp, paragraphs: list[str]) -> dict[str, list[str]]:
    """Distinct entity strings of an article, by spaCy label."""
    pool: dict[str, set[str]] = {}
    for doc in nlp.pipe(paragraphs, batch_size=32):
        for e in doc.ents:
            if e.label_ in SWAP_LABELS and 1 <= len(e.text) <= 60:
                pool.setdefault(e.label_, set()).add(e.text)
    return {k: sorted(v) for k, v in pool.items()}


def generate(nlp, rows: list[dict], rng: random.Random, negation_share: float = 0.3) -> list[dict]:
    """At most one unanswerable variant per answerable row (``answers: []``), same context.

    ``rows`` carry ``id``, ``title`` (the article), ``question`` and ``context``.
    An entity swap is preferred; a negation is used for ``negation_share`` of the rest.
    """
    by_title: dict[str, list[str]] = {}
    for r in rows:
        paras = by_title.setdefault(r["title"], [])
        if r["context"] not in paras:
            paras.append(r["context"])
    pools = {t: article_entities(nlp, paras) for t, paras in by_title.items()}
    out = []
    for r, doc in zip(rows, nlp.pipe([r["question"] for r in rows], batch_size=64)):
        kind, text = "swap", entity_swap(doc, r["context"], pools[r["title"]], rng)
        if text is None and rng.random() < negation_share:
            kind, text = "negation", negation(doc)
        if text and text != r["question"]:
            out.append({"id": f"{r['id']}-{kind}", "question": text, "context": r["context"],
                        "answers": [], "starts": [], "kind": kind})
    return out
