"""Terms of a collection: words and common phrases, counted once into a sparse matrix.

Counting happens once per collection (scikit-learn's CountVectorizer builds a papers x terms
sparse matrix); a filtered keyword cloud or a rising-terms table is then a product of a row
mask with that matrix, which stays fast at a million papers, instead of re-tokenising every
abstract on every rerun.

Terms are single words and two- and three-word phrases. Phrases never span an English stop
word or a filler word ("we propose a novel", "paper", "results"), so "large language models"
is a phrase and "model of the" is not. Generic words such as "model" or "learning" are not
terms alone but may sit inside a phrase ("reinforcement learning"). Plural and singular forms
are merged into one term, shown in its more frequent spelling.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

SOURCES = ("both", "titles", "abstracts")
MAX_PHRASE_WORDS = 3

_TOKEN = re.compile(r"[a-z][a-z0-9]*(?:['\u2019-][a-z0-9]+)*")
# Words that carry no meaning in an abstract: they end a phrase like a stop word does.
FILLER_WORDS = frozenset("""
    paper papers propose proposes proposed proposing present presents presented introduce
    introduces introduced approach approaches result results show shows shown showing demonstrate
    demonstrates demonstrated novel new based using use used uses existing work works study
    studies achieve achieves achieved achieving significantly significant furthermore moreover
    additionally however specifically particular particularly various different including
    include includes extensive experiments experimental experiment effectiveness effective
    effectively state-of-the-art sota outperforms outperform outperforming compared comparison
    address addresses challenge challenges challenging recent recently key enable enables
    enabling provide provides providing able ability abilities make makes making way ways
    leverage leverages leveraging method methods methodology task tasks remains remain
    crucial important critical great greater high higher low lower code available github https
    http com org www io et al e g i ie eg cite etc respectively overall finally first second
    third fourth one two three four five second also well across via within without further
    given however thus therefore allows allow allowing aim aims paradigm potential wide widely
    like despite yet still often strong stronger robust improve improves improved improving
    improvement improvements performance datasets dataset data end framework frameworks
    consistently considerable substantial substantially simple effectively best better
""".split())
# Too general alone, but meaningful inside a phrase ("reinforcement learning", "language model").
GENERIC_WORDS = frozenset("""
    model models learning training language large system systems network networks set based
    human time level large-scale multi single real world process information problem problems
    quality generation analysis evaluation tasks design approach
""".split())
_BREAKS = frozenset(ENGLISH_STOP_WORDS) | FILLER_WORDS


@dataclass(frozen=True)
class TermIndex:
    """counts[i, j] = occurrences of terms[j] in paper i (rows in collection order)."""

    counts: sp.csr_matrix
    terms: np.ndarray

    @property
    def n_papers(self) -> int:
        return self.counts.shape[0]


def text_for(papers: pd.DataFrame, source: str) -> list[str]:
    if source not in SOURCES:
        raise ValueError(f"term source must be one of {SOURCES}, not {source!r}")
    titles = papers["title"].fillna("").astype(str)
    if source == "titles":
        return titles.tolist()
    abstracts = papers["abstract"].fillna("").astype(str)
    return abstracts.tolist() if source == "abstracts" else (titles + "\n" + abstracts).tolist()


def analyse(text: str) -> list[str]:
    """The terms of one text, in order; what CountVectorizer calls once per paper."""
    terms: list[str] = []
    run: list[str] = []
    for token in [*_TOKEN.findall(text.lower()), "."]:
        if token in _BREAKS or token == "." or len(token) < 2:
            for size in range(2, MAX_PHRASE_WORDS + 1):
                terms.extend(" ".join(run[i:i + size]) for i in range(len(run) - size + 1))
            run = []
            continue
        run.append(token)
        if token not in GENERIC_WORDS:
            terms.append(token)
    return terms


def build_term_index(papers: pd.DataFrame, source: str = "both",
                     min_phrase_papers: int = 2) -> TermIndex:
    """Count every paper's terms; drop phrases seen in fewer than ``min_phrase_papers``."""
    texts = text_for(papers, source)
    if not texts:
        return TermIndex(sp.csr_matrix((0, 0), dtype=np.int32), np.array([], dtype=object))
    vectorizer = CountVectorizer(analyzer=_analyse_sentences, dtype=np.int32)
    try:
        counts = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # every text empty: no vocabulary at all
        return TermIndex(sp.csr_matrix((len(texts), 0), dtype=np.int32),
                         np.array([], dtype=object))
    terms = vectorizer.get_feature_names_out().astype(object)
    papers_per_term = counts.getnnz(axis=0)
    is_phrase = np.char.count(terms.astype(str), " ") > 0
    keep = ~is_phrase | (papers_per_term >= min_phrase_papers)
    counts, terms = counts[:, keep], terms[keep]
    return _merge_plurals(counts, terms)


def _analyse_sentences(text: str) -> list[str]:
    # Phrases must not run across a sentence or a clause: split there first.
    return [term for part in re.split(r"[.,;:!?()\[\]{}\"]+", text) for term in analyse(part)]


def singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _merge_plurals(counts: sp.csr_matrix, terms: np.ndarray) -> TermIndex:
    """Fold 'agents' into 'agent' (when both occur) and label each term by its commonest form."""
    present = set(terms.tolist())
    canonical = []
    for term in terms:
        words = term.split(" ")
        last = singular(words[-1])
        merged = " ".join([*words[:-1], last])
        canonical.append(merged if merged in present else term)
    keys, column_of = np.unique(np.array(canonical, dtype=object), return_inverse=True)
    mapping = sp.csr_matrix((np.ones(len(terms), dtype=np.int32),
                             (np.arange(len(terms)), column_of)), shape=(len(terms), len(keys)))
    merged_counts = (counts @ mapping).tocsr()
    # Label: the surface form with the most occurrences within each merged group.
    totals = np.asarray(counts.sum(axis=0)).ravel()
    order = np.lexsort((-totals, column_of))
    first = np.ones(len(order), dtype=bool)
    first[1:] = column_of[order][1:] != column_of[order][:-1]
    labels = np.empty(len(keys), dtype=object)
    labels[column_of[order][first]] = terms[order][first]
    return TermIndex(merged_counts, labels)
