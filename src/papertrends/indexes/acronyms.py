"""Acronyms a collection defines itself: "large language models (LLMs)", "Retrieval-Augmented
Generation (RAG)". One concept should be one term, not three.

Definitions are found in each text with the algorithm of Schwartz & Hearst (2003), "A simple
algorithm for identifying abbreviation definitions in biomedical text": a short form in
brackets, and the fewest words before it whose letters spell it, the first letter starting a
word. AI acronyms are mostly initials, which that algorithm can cut short ("Proximal Policy
Optimization (PPO)" would give "Policy Optimization", its P and O inside "Optimization"), so
words whose initials spell the short form are tried first. Nothing comes from a hand-made
list, so a collection's own acronyms ("GRPO", "MoE") are found as they appear.

Counting happens per paper, with the other raw terms (``terms.raw_terms``): a definition is a
raw term of its own, so the collection's sums say how many papers define each pair, and an
update moves them by what it adds. Which terms merge is decided from those sums when an index
is finished (``merges``): an acronym joins its expansion when at least ``MIN_DEFINING_PAPERS``
papers define it so and that expansion is at least ``MIN_SHARE`` of its definitions (an
acronym the papers define two ways, "RL" as reinforcement or representation learning, is
left alone).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Mapping

import numpy as np

# A raw term that records a definition: DEFINES + "llms" + SEPARATOR + "large language models".
# It starts with terms.CASED's character, so it never counts as a term or a spelling.
DEFINES = "\x00\x01"
SEPARATOR = "\t"
MIN_DEFINING_PAPERS = 2
MIN_SHARE = 0.75

# A short form in brackets: a letter first, at most ten characters, two capitals or more
# ("LLMs", "CoT", "ViT", "GPT-4"), so that "(e.g.)" or "(Table 2)" are no definitions.
_SHORT = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9-]{1,9})\s*\)")
_CLAUSE_END = re.compile(r"[.;:!?()\[\]]")


def definitions(text: str) -> list[tuple[str, str]]:
    """(short form, long form) pairs the text defines, as written."""
    found = []
    for match in _SHORT.finditer(text):
        short = match[1]
        if sum(c.isupper() for c in short) < 2:
            continue
        before = _CLAUSE_END.split(text[:match.start()])[-1].split()
        window = before[-min(len(short) + 5, 2 * len(short)):]
        long = _initials_form(short, window) or _long_form(short, " ".join(window))
        if long and len(long) > len(short):
            found.append((short, long))
    return found


def _initials_form(short: str, words: list[str]) -> str | None:
    """The last words whose initials (or their hyphenated parts' initials) are the short
    form's letters: "Retrieval-Augmented Generation" for RAG, "large language models" for
    LLMs (a plural's s is no initial)."""
    letters = "".join(c.lower() for c in short if c.isalnum())
    if len(short) > 2 and short.endswith("s") and short[-2].isupper():
        letters = letters[:-1]
    for size in range(1, min(len(words), len(letters)) + 1):
        chosen = words[-size:]
        by_word = "".join(word[0].lower() for word in chosen)
        by_part = "".join(part[0].lower() for word in chosen for part in word.split("-")
                          if part)
        if letters in (by_word, by_part):
            return " ".join(chosen)
    return None


def _long_form(short: str, candidate: str) -> str | None:
    """Schwartz & Hearst's best long form: match the short form's letters and digits from
    the last, each further left in ``candidate``, the first at the start of a word."""
    s, c = len(short) - 1, len(candidate) - 1
    while s >= 0:
        char = short[s].lower()
        if not char.isalnum():
            s -= 1
            continue
        while c >= 0 and (candidate[c].lower() != char or (
                s == 0 and c > 0 and candidate[c - 1].isalnum())):
            c -= 1
        if c < 0:
            return None
        c -= 1
        s -= 1
    start = candidate.rfind(" ", 0, c + 1) + 1
    return candidate[start:]


def encode(short: str, long: str) -> str:
    """The raw term recording that a text defines ``short`` (a term) as ``long`` (a term)."""
    return f"{DEFINES}{short}{SEPARATOR}{long}"


def decode(raw_term: str) -> tuple[str, str]:
    short, _, long = raw_term[len(DEFINES):].partition(SEPARATOR)
    return short, long


def merges(defining_papers: Mapping[tuple[str, str], int], column_of: Callable[[str], int],
           papers: np.ndarray) -> dict[int, int]:
    """Which finished columns fold into which: {merged-away column: the column shown}.

    ``defining_papers`` counts, per (short, long) pair of raw terms, the papers defining it;
    ``column_of`` gives the finished column holding a raw term (-1 when none may merge);
    ``papers`` each column's papers. Of the columns an acronym joins, the one in most papers
    (on a tie, the first) is shown: the form the collection writes most.
    """
    per_acronym: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for (short, long), count in defining_papers.items():
        acronym, expansion = column_of(short), column_of(long)
        if acronym >= 0 and expansion >= 0 and acronym != expansion:
            per_acronym[acronym][expansion] += count
    joined: dict[int, int] = {}  # acronym column -> expansion column
    for acronym in sorted(per_acronym):
        expansions = per_acronym[acronym]
        best = min(expansions, key=lambda column: (-expansions[column], column))
        if (expansions[best] >= MIN_DEFINING_PAPERS
                and expansions[best] >= MIN_SHARE * sum(expansions.values())):
            joined[acronym] = best
    # Concepts: an expansion and every acronym joining it (an acronym of an acronym too).
    parent = {column: column for pair in joined.items() for column in pair}

    def root(column: int) -> int:
        while parent[column] != column:
            column = parent[column]
        return column

    for acronym, expansion in joined.items():
        parent[root(acronym)] = root(expansion)
    members: dict[int, list[int]] = defaultdict(list)
    for column in parent:
        members[root(column)].append(column)
    folded: dict[int, int] = {}
    for group in members.values():
        shown = min(group, key=lambda column: (-int(papers[column]), column))
        folded |= {column: shown for column in group if column != shown}
    return folded
