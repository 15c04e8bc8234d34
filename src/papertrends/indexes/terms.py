"""Terms of a collection: words and common phrases, counted once into a sparse matrix.

Counting happens once per collection (scikit-learn's CountVectorizer builds a papers x terms
sparse matrix); a filtered keyword cloud or a rising-terms table is then a product of a row
mask with that matrix, which stays fast at a million papers, instead of re-tokenising every
abstract on every rerun.

Terms are single words and two- and three-word phrases. Phrases never span punctuation, a
number, an English stop word or a filler word ("we propose a novel", "paper", "results"), so
"large language models" is a phrase and "model of the" is not. Generic words such as "model" or
"learning" are not terms alone but may sit inside a phrase ("reinforcement learning"). URLs,
LaTeX commands ("\\textsc") and numbers (roman ones too) are never terms. Plural and singular
forms are merged into one term, shown in its more frequent spelling, and so are an acronym and
its expansion when the papers define it ("large language models (LLMs)", see ``acronyms``). A
term that almost only occurs inside one longer term ("large language" inside "large language
models") is dropped in favour of it.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from papertrends.common.memo import BoundedMemo
from papertrends.common.workers import map_in_workers
from papertrends.indexes import acronyms
from papertrends.indexes.search_index import ALTERNATIVE

SOURCES = ("both", "titles", "abstracts", "keywords")
MAX_PHRASE_WORDS = 3
# A term is dropped when one longer term holds this share of its occurrences, or all but one.
SUBSUMED_SHARE = 0.9

# Words, including hyphenated ones ("multi-turn", "gpt-4o"), or one punctuation mark that ends
# a phrase (a quote, a dash between spaces). An apostrophe inside a word stays, so that a
# possessive "'s" can be cut off.
_TOKEN = re.compile(r"[^\W_]+(?:['\u2019-][^\W_]+)*|[^\w\s-]|(?<![^\W_])-|-(?![^\W_])")
# These three run on lower-cased text, and only on texts that hold what they look for (most
# abstracts have no link): scanning for them costs more than tokenising.
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w.-]+\.(?:com|org|net|io|ai|edu|html?)\b\S*")
_URL_HINTS = ("://", "www.", ".com", ".org", ".net", ".io", ".ai", ".edu", ".htm")
_LATEX = re.compile(r"\\[a-z]+")
_ET_AL = re.compile(r"\bet\s+al\b\.?")
_ET_AL_HINT = re.compile(r"et\s+al")
_DIMENSIONS = re.compile(r"\d+d")  # "3d", "2d": words even though they start with a digit
_ROMAN = re.compile(r"x{0,3}(?:ix|iv|v?i{0,3})")  # "Part II", "Stage III": numbers, not words

# Stop words of scikit-learn that are content words in AI abstracts ("recommender system").
_CONTENT_WORDS = frozenset("""
    system interest detail fire bill call name move part side top bottom front full empty
    thick thin mill cry sincere serious
""".split())
# Words that carry no meaning in an abstract: they end a phrase like a stop word does.
# Academic prose: what a paper does ("propose", "demonstrate"), how well ("significantly",
# "state-of-the-art") and the nouns it talks about itself with ("approach", "results").
FILLER_WORDS = frozenset("""
    paper papers work works study studies article report authors author introduction approach
    approaches method methods methodology framework frameworks scheme result results finding
    findings outcome outcomes observation observations evidence insight insights implication
    implications contribution contributions experiment experiments experimental experimentally
    empirical empirically theoretical theoretically propose proposes proposed proposing present
    presents presented presenting introduce introduces introduced introducing show shows showed
    shown showing demonstrate demonstrates demonstrated demonstrating deliver delivers delivered
    delivering achieve achieves achieved achieving outperform outperforms outperformed
    outperforming surpass surpasses surpassing
    exceed exceeds exceeding yield yields yielding attain attains reach reaches boost boosts
    boosting improve improves improved improving improvement improvements enhance enhances
    enhanced enhancing enhancement address addresses addressed addressing tackle tackles
    tackling handle handles handling solve solves solving mitigate mitigates mitigating
    alleviate alleviates overcome overcomes leverage leverages leveraged leveraging utilize
    utilizes utilized utilizing utilise utilises employ employs employed employing adopt adopts
    adopted adopting exploit exploits exploiting harness harnesses harnessing apply applies
    applied applying used using make makes making made enable enables enabled enabling allow
    allows allowed allowing provide provides provided providing offer offers offering facilitate
    facilitates facilitating ensure ensures ensuring support supports supported supporting help
    helps helped require requires required requiring involve involves involved involving consist
    consists consisting comprise comprises comprising contain contains containing include
    includes included including incorporate incorporates incorporated incorporating integrate
    integrates integrated integrating combine combines combined combining build builds built
    building construct constructs constructed constructing create creates created creating
    develop develops developed developing design designed designing produce produces produced
    producing generate generates generated generating explore explores explored exploring
    investigate investigates investigated investigating examine examines examined examining
    analyze analyzes analyzed analyzing analyse analyses analysed analysing evaluate evaluates
    evaluated evaluating assess assesses assessed assessing measure measures measured measuring
    quantify quantifies characterize characterizes identify identifies identified identifying
    reveal reveals revealed revealing uncover uncovers uncovered discover discovers discovered
    observe observes observed observing suggest suggests suggested suggesting indicate indicates
    indicated indicating highlight highlights highlighted highlighting confirm confirms
    confirmed verify verifies verified validate validates validated prove proves proven
    establish establishes established conduct conducts conducted conducting perform performs
    performed performing exhibit exhibits exhibited exhibiting consider considers considered
    considering focus focuses focused focusing aim aims aimed aiming seek seeks seeking strive
    attempt attempts attempted remain remains remained remaining persist persists suffer suffers
    suffering struggle struggles struggling fail fails failed failing hinder hinders hindering
    limit limits limited limiting lack lacks lacking rely relies relied relying depend depends
    depending pose poses posed raise raises raised become becomes becoming serve serves serving
    play plays playing bring brings bridge bridges bridging gain gains obtain obtains obtained
    extend extends extended extending capture captures captured capturing maintain maintains
    maintained maintaining describe describes described discuss discusses discussed define
    defines defined denote denotes term termed terms call called named dubbed coined release
    released releasing need needs needed emerge emerges emerged emerging exist exists existing
    lead leads led leading inspire inspired inspiring motivate motivated motivating implement
    implements implemented implementation implementations face faces faced interact interacts
    interacting adapt adapts adapted adapting predict predicts predicted predicting understand
    understands understood explain explains explained reduce reduces reduced reducing reduction
    increase increases increased increasing decrease decreases decreased grow grows growing
    grown advance advances advanced advancing advancement advancements progress progresses
    change changes changing changed novel new recent recently current currently previous
    previously prior traditional conventional typical typically standard common commonly popular
    widely wide various different diverse diversity multiple numerous several certain specific
    specifically particular particularly especially notably notable remarkable remarkably
    impressive impressively significant significantly substantial substantially considerable
    considerably marked markedly dramatic dramatically superior competitive comparable compared
    compare compares comparing comparison comparisons relative relatively similar similarly
    unlike versus vs respectively respective corresponding related relevant associated
    underlying inherent inherently fundamental fundamentally essential essentially important
    importance importantly crucial crucially critical critically vital key main mainly major
    majority primary primarily largely mostly central core whole overall general generally broad
    broader broadly wide-ranging comprehensive comprehensively extensive extensively thorough
    thoroughly systematic systematically detailed details simple simply easy easily
    straightforward effective effectively effectiveness efficient efficiently efficiency
    accurate accurately successful successfully success robust powerful sophisticated promising
    potential potentially possible feasible feasibility practical practically useful usefulness
    valuable reliable reliably flexible flexibility versatile seamless seamlessly scalable
    unified holistic strong stronger strongest great greater greatly high higher highest highly
    low lower lowest good better best worse poor poorly suboptimal optimal rich richer rapid
    rapidly fast faster quickly slow able unable capable ability abilities capability
    capabilities state-of-the-art sota further furthermore moreover additionally additional
    however nevertheless nonetheless thus therefore hence consequently subsequently ultimately
    eventually finally lastly first firstly second secondly third fourth one two three four five
    also well across via within without towards toward beyond despite like yet still often
    frequently usually rarely directly explicitly implicitly automatically manually naturally
    dynamically jointly independently separately simultaneously accordingly according regarding
    respect instead whereas meanwhile increasingly preliminary real-life everyday daily
    widespread ongoing latest modern contemporary massive huge vast little original initial
    final early late order challenge challenges challenging issue issues problem problems
    difficulty difficulties limitation limitations drawback drawbacks shortcoming shortcomings
    bottleneck bottlenecks gap gaps demand demands requirement requirements goal goals purpose
    motivation idea ideas concept concepts notion aspect aspects component components element
    elements factor factors property properties characteristic characteristics way ways manner
    fashion means kind kinds type types sort form forms variety range number numbers amount
    portion proportion fraction degree extent level levels magnitude times example examples case
    cases scenario scenarios setting settings situation situations circumstances field fields
    area areas community literature practice practices practitioners researchers developers
    people role roles impact impacts effect effects advantage advantages benefit benefits merit
    merits value significance trend trends direction directions avenue avenues opportunity
    opportunities possibility possibilities perspective perspectives paradigm phase phases stage
    stages part parts piece pieces thing things version versions variant variants alternative
    alternatives counterpart counterparts nature does did doing code available github https http
    com org www io et al e g i ie eg cite etc project page publicly public open-source open
    source dataset datasets performance performances complex based development developments
    future given difficult known effort efforts contrast explicit implicit just direct desired
    desire million millions billion billions thousand thousands hundreds minimal ask asks asked
    average consistent consistently act acts argue argues distinct engage engages follow follows
    followed hope larger smaller necessary promise refine refines reflect reflects resulting
    calls correct correctly carefully account addition basic complete completes contribute
    determine determines far fully merely collect collects inform informs match matches
    guarantee guarantees assist assists augment augments balance balances discovering formulate
    formulates evolve evolves elicit elicits navigate navigates optimize optimizes generalize
    generalizes execute executes executing simulate simulates simulating decompose decomposes
    deploy deploys deployed select selects selected selecting
""".split()) - _CONTENT_WORDS
# Too general alone, but meaningful inside a phrase ("reinforcement learning", "language model").
GENERIC_WORDS = frozenset("""
    model models modeling modelling learning learn learned learns training train trained trains
    language languages large small long short system systems network networks set sets human
    humans time multi single real world process processes processing information quality
    generation analysis evaluation evaluations data real-world high-quality fine-grained
    human-like end-to-end long-term short-term pre-trained pretrained open-ended well-known
    large-scale general-purpose benchmark benchmarks natural step steps mechanism mechanisms
    strategy strategies application applications research domain domains technique techniques
    algorithm algorithms architecture architectures pipeline pipelines module modules structure
    structures structured feature features representation representations input inputs output
    outputs content dynamic dynamics environment environments context contexts knowledge
    accuracy behavior behaviors behaviour behaviours behavioral user users agent-based target
    targets sources signal signals function functions state states space spaces scale scaling
    size sizes step-by-step base foundation prediction predictions task task-specific tasks cost
    costs decision decisions action actions response responses instruction instructions
    following understanding neural deep machine artificial intelligence computer visual text
    textual object objects scene scenes document documents query queries answer answers question
    questions score scores metric metrics baseline baselines test testing search control
    parameter parameters pattern patterns class classes external internal rate rates pair pairs
    individual individuals influence family families online history simulated experience
    experiences expert experts science realistic static turn turns objective instance instances
    sample samples condition conditions mode modes style values solution solutions error errors
    adaptive unknown art technology technologies intermediate use uses
""".split()) - FILLER_WORDS
# Generic words that may end a phrase but not start one: "tool use", not "use reinforcement".
_NOT_FIRST = frozenset({"use", "uses"})


@cache
def _break_words() -> frozenset[str]:
    """Stop words that end a phrase. scikit-learn is imported only when text is analysed: it
    takes seconds to import, and a dashboard reading the saved term index never needs it."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return (frozenset(ENGLISH_STOP_WORDS) - _CONTENT_WORDS) | FILLER_WORDS


@dataclass(frozen=True)
class TermIndex:
    """counts[i, j] = occurrences of terms[j] in paper i (rows in collection order).

    ``terms`` are lower-case; ``labels`` are the same terms as they are usually written
    ("LLM agents", "ChatGPT"), for display. ``stems`` maps a merged term ("agents", from
    "agent" and "agents") to the longest prefix its spellings share ("agent"): what a prefix
    text search must look for to find them all. ``aliases`` maps a term to the other terms
    folded into it, as written: an acronym the collection defines and its expansion are one
    term ("large language models": ("LLMs",)), see ``acronyms``.
    """

    counts: sp.csr_matrix
    terms: np.ndarray
    stems: dict[str, str] = field(default_factory=dict)
    display: np.ndarray | None = None
    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def n_papers(self) -> int:
        return self.counts.shape[0]

    @property
    def n_terms(self) -> int:
        return self.counts.shape[1]

    @cached_property
    def has_terms(self) -> np.ndarray:
        """Per paper, whether it has any term (the others have no usable text)."""
        return np.diff(self.counts.indptr) > 0

    @property
    def labels(self) -> np.ndarray:
        return self.terms if self.display is None else self.display

    @cached_property
    def present(self) -> sp.csr_matrix:
        """1 where the paper contains the term (shares the index arrays of ``counts``)."""
        counts = self.counts
        return sp.csr_matrix((np.ones(counts.nnz, dtype=counts.dtype), counts.indices,
                              counts.indptr), shape=counts.shape, copy=False)

    def totals(self, mask: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(papers containing each term, occurrences of each term) over the masked rows.

        Sparse products over the stored counts, never the text, so a filter change on a
        million papers reads no abstract again. A vector of the matrix's own integer type
        keeps scipy from converting the whole matrix on every call; a small selection (a
        search, a narrow date range) is cheaper still as its rows' term columns, counted.
        """
        if mask is None:
            mask = np.ones(self.n_papers, dtype=bool)
        mask = np.asarray(mask, dtype=bool).ravel()
        if len(mask) != self.n_papers:
            raise ValueError(f"mask has {len(mask)} rows, the index {self.n_papers}")
        n_terms = self.counts.shape[1]
        selected_rows = int(mask.sum())
        if selected_rows == len(mask):  # the unfiltered view, the most common one
            return self._all_totals
        if selected_rows * 20 < len(mask):
            rows = self.counts[np.flatnonzero(mask)]
            papers = np.bincount(rows.indices, minlength=n_terms)
            occurrences = np.bincount(rows.indices, weights=rows.data, minlength=n_terms)
            return papers.astype(np.int64), occurrences.astype(np.int64)
        selected = mask.astype(self.counts.dtype)
        papers = np.asarray(selected @ self.present).ravel()
        occurrences = np.asarray(selected @ self.counts).ravel()
        return papers.astype(np.int64), occurrences.astype(np.int64)

    def papers_by_group(self, groups: np.ndarray, n_groups: int,
                        columns: np.ndarray | None = None) -> np.ndarray:
        """papers[g, k]: rows of group g containing term ``columns[k]`` (every term when None).

        ``groups`` gives each row's group, 0 to ``n_groups - 1``, or -1 for a row in none: a
        paper's period, say, so that a term's papers per week are one sparse product instead
        of a ``totals`` call per week. Row g of the answer is ``totals(groups == g)[0]``.
        """
        groups = checked_groups(groups, self.n_papers)
        columns = np.arange(self.n_terms) if columns is None else np.asarray(columns, np.int64)
        return group_presence(self.present, groups, n_groups, columns)

    @cached_property
    def _all_totals(self) -> tuple[np.ndarray, np.ndarray]:
        papers = np.bincount(self.counts.indices, minlength=self.counts.shape[1])
        papers = papers.astype(np.int64, copy=False)
        occurrences = np.asarray(self.counts.sum(axis=0, dtype=np.int64)).ravel()
        papers.flags.writeable = occurrences.flags.writeable = False  # shared between calls
        return papers, occurrences

    def search_query(self, term: str) -> str:
        """A search-box query that finds the papers containing ``term`` (or its label).

        The search box matches at the start of a word, so the shared prefix of a merged
        term's spellings finds all of them: '"agent"' for "agents", '"polic"' for "policies".
        A term with aliases finds any of its forms: '"large language model"|"llm"'.
        """
        key = term.lower()  # a label is its term as usually written
        forms = [key, *(alias.lower() for alias in self.aliases.get(key, ()))]
        return ALTERNATIVE.join(f'"{self.stems.get(form, form)}"' for form in forms)


def checked_groups(groups: np.ndarray, n_rows: int) -> np.ndarray:
    groups = np.asarray(groups, dtype=np.int64).ravel()
    if len(groups) != n_rows:
        raise ValueError(f"groups has {len(groups)} rows, the index {n_rows}")
    return groups


def group_presence(present: sp.csr_matrix, groups: np.ndarray, n_groups: int,
                   columns: np.ndarray) -> np.ndarray:
    """(n_groups x len(columns)) sums of ``present``'s rows per group (-1: in none), dense.

    A group-indicator matrix times ``present``, in scipy's compiled loops (several times
    faster than numpy passes over the entries): the cost of the rows in a group, whatever
    their number. A few columns are picked out first (a scan of the entries, a small copy:
    of the grouped rows' entries only, when they are few); many are picked from the
    product, which is never larger than its inputs.
    """
    rows = np.flatnonzero(groups >= 0)
    if not len(rows) or not len(columns) or n_groups <= 0:
        return np.zeros((max(n_groups, 0), len(columns)), dtype=np.int64)
    few_columns = len(columns) * 8 < present.shape[1]
    if few_columns and len(rows) * 4 < present.shape[0]:  # their rows before the scan
        present, groups, rows = present[rows], groups[rows], np.arange(len(rows))
    indicator = sp.csr_matrix((np.ones(len(rows), dtype=present.dtype), (groups[rows], rows)),
                              shape=(n_groups, present.shape[0]))
    if few_columns:
        return np.asarray((indicator @ present[:, columns]).toarray(), dtype=np.int64)
    return np.asarray((indicator @ present).tocsc()[:, columns].toarray(), dtype=np.int64)


def text_for(papers: pd.DataFrame, source: str) -> list[str]:
    if source not in SOURCES:
        raise ValueError(f"term source must be one of {SOURCES}, not {source!r}")
    titles = papers["title"].fillna("").astype(str)
    if source == "titles":
        return titles.tolist()
    abstracts = papers["abstract"].fillna("").astype(str)
    # The full stop keeps a phrase from running from the title into the abstract.
    return abstracts.tolist() if source == "abstracts" else (titles + " .\n" + abstracts).tolist()


def _clean(text: str) -> str:
    """Lower-cased, one kind of apostrophe, and links, LaTeX commands and "et al." cut out."""
    text = text.lower().replace("\u2019", "'")
    if any(hint in text for hint in _URL_HINTS):
        text = _URL.sub(" . ", text)
    if "\\" in text:
        text = _LATEX.sub(" ", text)
    if _ET_AL_HINT.search(text):
        text = _ET_AL.sub(" . ", text)
    return text


def _is_break(token: str) -> bool:
    if token in _break_words() or len(token) < 2 or not token[0].isalnum():
        return True
    if _ROMAN.fullmatch(token):
        return True
    return token[0].isdigit() and not _DIMENSIONS.fullmatch(token)


def _ends_phrase(token: str) -> bool:
    """A break, or a word with an apostrophe: "model's" is split by ``analyse`` itself."""
    return _is_break(token) or "'" in token


_breaks: BoundedMemo[str, bool] = BoundedMemo(_ends_phrase)


def analyse(text: str) -> list[str]:
    """The terms of one text, in order: what CountVectorizer calls once per paper."""
    terms: list[str] = []
    run: list[str] = []
    breaks, generic = _breaks, GENERIC_WORDS
    for token in [*_TOKEN.findall(_clean(text)), "."]:
        if breaks[token]:  # which every word with an apostrophe is
            owner = token[:-2]
            if token.endswith("'s") and not breaks[owner]:
                # "GPT-4's 3D scene": keep the owner, end the phrase after it
                run.append(owner)
                if owner not in generic:
                    terms.append(owner)
            if len(run) > 1:
                terms.extend(_phrases(run))
            run = []
            continue
        run.append(token)
        if token not in generic:
            terms.append(token)
    return terms


def _phrases(run: list[str]) -> list[str]:
    return [" ".join(run[i:i + size]) for size in range(2, MAX_PHRASE_WORDS + 1)
            for i in range(len(run) - size + 1) if run[i] not in _NOT_FIRST]


def build_keyword_index(papers: pd.DataFrame) -> TermIndex:
    """The keywords Hugging Face generated per paper (``ai_keywords``), each one term.

    They are already phrases chosen for meaning, so they are counted as given (case folded,
    shown in their most common spelling) rather than re-tokenised.
    """
    lists = [[k.strip() for k in keywords if k and k.strip()] if isinstance(keywords, list)
             else [] for keywords in papers["ai_keywords"].tolist()]
    from sklearn.feature_extraction.text import CountVectorizer

    empty = np.array([], dtype=object)
    vectorizer = CountVectorizer(analyzer=lambda keywords: [k.lower() for k in keywords],
                                 dtype=np.int32)
    try:
        counts = vectorizer.fit_transform(lists).tocsr()
    except ValueError:  # no paper has keywords
        return TermIndex(sp.csr_matrix((len(lists), 0), dtype=np.int32), empty)
    terms = vectorizer.get_feature_names_out().astype(object)
    spellings: dict[str, Counter] = {}
    for keywords in lists:
        for keyword in keywords:
            spellings.setdefault(keyword.lower(), Counter())[keyword] += 1
    display = np.array([spellings[t].most_common(1)[0][0] for t in terms], dtype=object)
    return TermIndex(counts, terms, display=display)


@dataclass(frozen=True)
class RawCounts:
    """Per-paper counts of every term ``analyse`` finds, before anything is merged or dropped.

    Columns are terms, and also the inner-capital spellings each text uses (``"LLMs"``), marked
    with a leading ``CASED`` character so they never mix with terms. Raw counts only depend on
    each paper's own text, so they can be kept between runs and extended paper by paper; what
    depends on the whole collection (merging plurals, dropping rare phrases) is done after.
    """

    counts: sp.csr_matrix
    vocabulary: np.ndarray  # object array of str, one per column

    def __add__(self, other: RawCounts) -> RawCounts:
        """Same papers, counts of both (titles + abstracts), over the union of vocabularies."""
        vocabulary, (left, right) = _union(self.vocabulary, other.vocabulary)
        counts = (_remap(self.counts, left, len(vocabulary))
                  + _remap(other.counts, right, len(vocabulary)))
        return RawCounts(counts.tocsr(), vocabulary)

    @classmethod
    def stack(cls, parts: list[RawCounts]) -> RawCounts:
        """The rows of each part, one after the other, over the union of vocabularies."""
        if not parts:
            return cls(sp.csr_matrix((0, 0), dtype=np.int32), np.array([], dtype=object))
        if len(parts) == 1:
            return parts[0]
        vocabulary, columns = _union(*(part.vocabulary for part in parts))
        return cls(sp.vstack([_remap(part.counts, column, len(vocabulary))
                              for part, column in zip(parts, columns, strict=True)],
                             format="csr", dtype=np.int32), vocabulary)

    def rows(self, positions: np.ndarray) -> RawCounts:
        return RawCounts(self.counts[positions], self.vocabulary)


CASED = "\x00"
_PARALLEL_MIN_TEXTS = 40_000  # below this, starting worker processes costs more than it saves
_CHUNK_TEXTS = 20_000


def raw_terms(text: str) -> list[str]:
    """``analyse``'s terms of one text, its inner-capital spellings (marked ``CASED``) and
    the acronyms it defines (``acronyms.encode``)."""
    found = analyse(text) + [CASED + form for form in _cased_words(text)]
    if "(" in text:
        found += _defined(text)
    return found


def _defined(text: str) -> list[str]:
    """The text's acronym definitions whose short and long forms are each one term: "large
    language models (LLMs)" is ('llms', 'large language models'); an expansion of four words
    or across a stop word is no term, and nothing could merge with it."""
    found = []
    for short, long in acronyms.definitions(text):
        short_terms, long_terms = analyse(short), analyse(long)
        whole = " ".join(_TOKEN.findall(_clean(long)))
        if short_terms == [short.lower()] and whole in long_terms:
            found.append(acronyms.encode(short_terms[0], whole))
    return found


def _cased_words(text: str) -> list[str]:
    """``_CASED_WORD``'s matches in the text. Only the few space-separated chunks with a
    capital after their first character can hold one, so the pattern runs on those alone."""
    chunks = [chunk for chunk in text.split() if not chunk[1:].islower()]
    return _CASED_WORD.findall(" ".join(chunks)) if chunks else []


def count_raw(texts: Sequence[str], workers: int | None = None) -> RawCounts:
    """Raw counts of many texts; large inputs are split over worker processes.

    Analysing a text is pure Python (about a millisecond per abstract), so a million
    abstracts use every core: each worker counts a chunk over its own vocabulary and the
    chunks are joined here. ``texts`` is only sliced, a chunk at a time as the workers take
    them, so it may read them lazily (``term_cache`` reads them from the store).
    """
    workers = workers or os.cpu_count() or 1
    if len(texts) < _PARALLEL_MIN_TEXTS or workers < 2:
        return _count_chunk(list(texts[0:len(texts)]))
    chunks = (list(texts[start:start + _CHUNK_TEXTS])
              for start in range(0, len(texts), _CHUNK_TEXTS))
    return RawCounts.stack(list(map_in_workers(_count_chunk, chunks, workers)))


def _count_chunk(texts: list[str]) -> RawCounts:
    from sklearn.feature_extraction.text import CountVectorizer

    vectorizer = CountVectorizer(analyzer=raw_terms, dtype=np.int32)
    try:
        counts = vectorizer.fit_transform(texts).tocsr()
    except ValueError:  # every text empty: no vocabulary at all
        return RawCounts(sp.csr_matrix((len(texts), 0), dtype=np.int32),
                         np.array([], dtype=object))
    return RawCounts(counts, vectorizer.get_feature_names_out().astype(object))


def _union(*vocabularies: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
    """The sorted union of vocabularies and, per input, each column's place in it.

    Arrow's hash table, then a sort of the distinct terms only: numpy's ``unique`` would
    copy fifty chunks' vocabularies into one fixed-width array (gigabytes at a million
    papers) and sort all of it.
    """
    joined = pa.concat_arrays([pa.array(v.tolist(), pa.string()) for v in vocabularies])
    encoded = pc.dictionary_encode(joined)
    order = pc.sort_indices(encoded.dictionary).to_numpy()
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    union = encoded.dictionary.take(pa.array(order)).to_numpy(zero_copy_only=False)
    inverse = rank[encoded.indices.to_numpy(zero_copy_only=False)]
    bounds = np.cumsum([0, *(len(v) for v in vocabularies)])
    return union.astype(object), np.split(inverse, bounds[1:-1])


def _remap(counts: sp.csr_matrix, columns: np.ndarray, width: int) -> sp.csr_matrix:
    """The same counts with column j moved to ``columns[j]`` of a ``width``-wide matrix."""
    if counts.shape[1] == 0:
        return sp.csr_matrix((counts.shape[0], width), dtype=np.int32)
    # Copies: sorting the moved matrix in place must not reorder the original's data.
    moved = sp.csr_matrix((counts.data.copy(), columns[counts.indices], counts.indptr.copy()),
                          shape=(counts.shape[0], width))
    moved.sort_indices()
    return moved


def build_term_index(papers: pd.DataFrame, source: str = "both",
                     min_phrase_papers: int = 2) -> TermIndex:
    """Count every paper's terms; drop phrases seen in fewer than ``min_phrase_papers``."""
    if source == "keywords":
        return build_keyword_index(papers)
    return finish_term_index(count_raw(text_for(papers, source)), min_phrase_papers)


def finish_term_index(raw: RawCounts, min_phrase_papers: int = 2) -> TermIndex:
    """The index the pages use, from raw counts: plurals merged, rare phrases and phrases
    inside longer ones dropped, each term labelled with its usual spelling, acronyms the
    collection defines folded into their expansions."""
    empty = np.array([], dtype=object)
    totals = np.asarray(raw.counts.sum(axis=0)).ravel()
    # A cached vocabulary keeps the terms of texts that have since changed: skip unused ones.
    cased = np.array([term.startswith(CASED) for term in raw.vocabulary.tolist()], dtype=bool)
    defines = np.array([term.startswith(acronyms.DEFINES) for term in raw.vocabulary.tolist()],
                       dtype=bool)
    words = ~cased & (totals > 0)
    if not words.any():
        return TermIndex(sp.csr_matrix((raw.counts.shape[0], 0), dtype=np.int32), empty)
    spelled = cased & ~defines
    seen = Counter({form[len(CASED):]: int(total) for form, total in
                    zip(raw.vocabulary[spelled].tolist(), totals[spelled].tolist(), strict=True)
                    if total})
    counts = raw.counts if words.all() else raw.counts[:, words].tocsr()
    terms = raw.vocabulary[words]
    spelling = usual_spelling(seen, totals[words], terms)
    # Merge spellings before judging how common a phrase is: "language model" in one paper
    # and "language models" in another make a phrase of two papers.
    groups = plural_groups(terms, totals[words])
    merged = _merge_plurals(counts, groups)
    papers_per_term = merged.counts.getnnz(axis=0)
    is_phrase = np.array([" " in term for term in merged.terms.tolist()], dtype=bool)
    kept = np.flatnonzero(~is_phrase | (papers_per_term >= min_phrase_papers))
    occurrences = np.asarray(merged.counts[:, kept].sum(axis=0)).ravel()
    kept = kept[not_subsumed(merged.terms[kept], occurrences)]
    index = _subset(merged, np.isin(np.arange(merged.n_terms), kept))
    display = np.array([" ".join(spelling.get(word, word) for word in term.split(" "))
                        for term in index.terms.tolist()], dtype=object)
    index = TermIndex(index.counts, index.terms, index.stems, display)
    # Acronyms: which finished column each raw term of a definition is in (none for the
    # terms of a group shown as several columns, whose key never occurs).
    final = np.full(merged.n_terms, -1, dtype=np.int64)
    final[kept] = np.arange(len(kept))
    place = {term: i for i, term in enumerate(terms.tolist())}
    split = _split_terms(terms)
    defining = Counter({acronyms.decode(term): int(n) for term, n in zip(
        raw.vocabulary[defines].tolist(), raw.counts[:, defines].getnnz(axis=0).tolist(),
        strict=True) if n})

    def column_of(term: str) -> int:
        at = place.get(term)
        return -1 if at is None or split[at] else int(final[groups.column_of[at]])

    folded = acronyms.merges(defining, column_of, index.counts.getnnz(axis=0))
    return fold_columns(index, folded) if folded else index


def _split_terms(terms: np.ndarray) -> np.ndarray:
    """Per term, whether it belongs to a group shown as several columns: its key never
    occurs, and several terms share it (``term_stats.FinishedColumns.split_groups``)."""
    keys = pd.Series([plural_key(term) for term in terms.tolist()], dtype=object)
    key_absent = ~keys.isin(set(terms.tolist())).to_numpy()
    return key_absent & (keys.map(keys.value_counts()).to_numpy() > 1)


def fold_columns(index: TermIndex, folded: dict[int, int]) -> TermIndex:
    """The index with each column of ``folded``'s keys added into the column it names and
    then left out; the shown columns list the others' labels as ``aliases``."""
    keep, place = fold_places(folded, index.n_terms)
    counts = _columns_summed(index.counts, place, int(keep.sum()))
    # The folded terms keep their stems: the search for a term looks for its aliases too.
    return TermIndex(counts, index.terms[keep], index.stems,
                     None if index.display is None else index.display[keep],
                     folded_aliases(folded, index.terms, index.labels))


def fold_places(folded: dict[int, int], n_columns: int) -> tuple[np.ndarray, np.ndarray]:
    """(which columns stay, each column's place among them: a folded column's is the place
    of the column it folds into), for ``folded`` = {folded column: column shown}."""
    keep = np.ones(n_columns, dtype=bool)
    keep[list(folded)] = False
    into = np.arange(n_columns)
    into[list(folded)] = list(folded.values())
    return keep, (np.cumsum(keep) - 1)[into]


def folded_aliases(folded: dict[int, int], terms: np.ndarray, labels: np.ndarray
                   ) -> dict[str, tuple[str, ...]]:
    """Each shown column's term -> the labels of the columns folded into it, in order."""
    aliases: dict[str, list[str]] = {}
    for source, target in sorted(folded.items()):
        aliases.setdefault(terms[target], []).append(labels[source])
    return {term: tuple(forms) for term, forms in aliases.items()}


def _columns_summed(counts: sp.csr_matrix, into: np.ndarray, width: int) -> sp.csr_matrix:
    """``counts`` with column j added into column ``into[j]`` of ``width`` columns."""
    mapping = sp.csr_matrix((np.ones(len(into), dtype=np.int32), (np.arange(len(into)), into)),
                            shape=(len(into), width))
    summed = (counts @ mapping).tocsr()
    summed.sum_duplicates()
    summed.eliminate_zeros()
    return summed


# A word written with a capital after its first letter: "LLMs", "ChatGPT", "GPT-4", "AI".
# (Filtered further: "Multi-Turn" only capitalises the start of each part.)
_CASED_WORD = re.compile(r"(?<![\w'\u2019-])[^\W_](?:[^\W_]|-(?=[^\W_]))*?[A-Z]"
                         r"(?:[^\W_]|-(?=[^\W_]))*")


def usual_spelling(seen: Counter[str], totals: np.ndarray, terms: np.ndarray
                    ) -> dict[str, str]:
    """Single words mostly written with inner capitals, lower-case word -> that spelling.

    ``seen`` counts the spellings with a capital after the first letter; a spelling wins
    when it is at least half of the word's occurrences in the index, so one all-caps title
    does not turn "reasoning" into "REASONING".
    """
    # "Multi-Turn" in a title is Title Case, not a name: a capital must sit inside a part.
    seen = Counter({form: count for form, count in seen.items()
                    if any(not part[1:].islower() for part in form.split("-") if part[1:])})
    if not seen:
        return {}
    column = {term: i for i, term in enumerate(terms.tolist()) if " " not in term}
    spelling: dict[str, str] = {}
    for form, count in seen.most_common():
        word = form.lower()
        if word in spelling or word not in column:
            continue
        if 2 * count >= totals[column[word]]:
            spelling[word] = form
    return spelling


def singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("ches", "shes", "sses", "xes")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


# Finishing an index folds every word of every term: a vocabulary has far fewer words.
_singulars: BoundedMemo[str, str] = BoundedMemo(singular)


def _common_prefix(words: list[str]) -> str:
    first, last = min(words), max(words)
    size = 0
    while size < min(len(first), len(last)) and first[size] == last[size]:
        size += 1
    return first[:size]


def plural_key(term: str) -> str:
    """The term with its last word made singular: 'language models' -> 'language model'.
    Every term with the same key merges into one when the key itself occurs."""
    head, _, last = term.rpartition(" ")
    return f"{head} {_singulars[last]}" if head else _singulars[last]


@dataclass(frozen=True)
class PluralGroups:
    """Terms merged with their singular: ``column_of[i]`` is term i's merged column, in the
    order of the merged keys; ``labels`` name each by its commonest spelling."""

    column_of: np.ndarray
    labels: np.ndarray
    stems: dict[str, str]


def plural_groups(terms: np.ndarray, totals: np.ndarray) -> PluralGroups:
    """Fold 'agents' into 'agent' (when both occur) and label each merged term by its
    commonest form. ``terms`` are sorted and occur (``totals`` > 0): on a tie the
    alphabetically first spelling names the term. Only the terms and their totals are read,
    so the kept statistics of a collection decide it as well as its counts do."""
    position = {term: i for i, term in enumerate(terms.tolist())}
    canonical = np.array([position.get(plural_key(term), i) for i, term in
                          enumerate(terms.tolist())], dtype=np.int64)
    return grouped_columns(terms, totals, canonical)


def grouped_columns(terms: np.ndarray, totals: np.ndarray, canonical: np.ndarray
                    ) -> PluralGroups:
    """``plural_groups`` once each term's merged key is known: ``canonical[i]`` is the
    position in ``terms`` of the term that spells term i's key (its own when the key does not
    occur). Kept statistics know the keys already (``term_stats.Vocabulary``), so an update
    decides the groups in array operations, with no string work."""
    _, column_of = np.unique(canonical, return_inverse=True)
    column_of = column_of.ravel()
    order = np.lexsort((np.arange(len(terms)), -totals, column_of))
    first = np.ones(len(order), dtype=bool)
    first[1:] = column_of[order][1:] != column_of[order][:-1]
    n_columns = int(column_of.max()) + 1 if len(column_of) else 0
    labels = np.empty(n_columns, dtype=object)
    labels[column_of[order][first]] = terms[order][first]
    stems: dict[str, str] = {}
    members = np.bincount(column_of, minlength=n_columns)
    if (members > 1).any():
        # Terms are sorted, so a group's first and last members bound its shared prefix.
        positions = np.arange(len(terms))
        lowest = np.full(n_columns, len(terms), dtype=np.int64)
        highest = np.full(n_columns, -1, dtype=np.int64)
        np.minimum.at(lowest, column_of, positions)
        np.maximum.at(highest, column_of, positions)
        stems = {labels[column]: _common_prefix([terms[lowest[column]], terms[highest[column]]])
                 for column in np.flatnonzero(members > 1).tolist()}
    return PluralGroups(column_of, labels, stems)


def _merge_plurals(counts: sp.csr_matrix, groups: PluralGroups) -> TermIndex:
    """The counts of ``plural_groups``: one column per merged term."""
    return TermIndex(_columns_summed(counts, groups.column_of, len(groups.labels)),
                     groups.labels, groups.stems)


def not_subsumed(terms: np.ndarray, occurrences: np.ndarray) -> np.ndarray:
    """Which terms to keep: not those whose occurrences nearly all sit inside one longer term.

    "large language" is only ever seen in "large language models": the cloud would show the
    same thing twice. The comparison is on occurrences over the whole collection, once.
    """
    terms = terms.tolist()
    if not terms:
        return np.ones(0, dtype=bool)

    singulars = _singulars
    folded = [[singulars[word] for word in term.split(" ")] for term in terms]
    column_of = {" ".join(words): column for column, words in enumerate(folded)}
    inside = np.zeros(len(terms), dtype=np.int64)  # occurrences of the largest container
    for column, words in enumerate(folded):
        for size in range(1, len(words)):
            for start in range(len(words) - size + 1):
                part = column_of.get(" ".join(words[start:start + size]))
                if part is not None:
                    inside[part] = max(inside[part], occurrences[column])
    outside = occurrences - inside  # at least this many occurrences outside any container
    return (inside == 0) | ((outside > 1) & (outside > (1 - SUBSUMED_SHARE) * occurrences))


def _subset(index: TermIndex, keep: np.ndarray) -> TermIndex:
    """The index with only the ``keep`` columns."""
    if keep.all():
        return index
    dropped = set(index.terms[~keep].tolist())
    return TermIndex(index.counts[:, keep].tocsr(), index.terms[keep],
                     {t: s for t, s in index.stems.items() if t not in dropped})
