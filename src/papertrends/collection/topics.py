"""Topic taxonomy: load the user-editable TOML file and tag papers with it.

Matching works on word tokens rather than regular expressions: every title+abstract is
tokenised once and its word n-grams are looked up in one dictionary of all phrases, which
costs the same whether the taxonomy holds ten phrases or a thousand.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from papertrends.collection.schema import OTHER_TOPIC
from papertrends.common.errors import InputError
from papertrends.common.memo import BoundedMemo
from papertrends.common.resources import package_path

TOPICS_ENV = "PAPERTRENDS_TOPICS"
_WORD = re.compile(r"[a-z0-9]+")


def _stem(token: str) -> str:
    """Fold a plural ending so that 'agents' matches 'agent' (applied to text and phrases)."""
    if len(token) > 4 and token.endswith("ies"):
        return token[:-3] + "y"
    if len(token) > 3 and token.endswith("s") and not token.endswith("ss"):
        return token[:-1]
    return token


_stems: BoundedMemo[str, str] = BoundedMemo(_stem)


def _tokens(text: str) -> list[str]:
    stems = _stems
    return [stems[t] for t in _WORD.findall(text.lower())]


@dataclass(frozen=True)
class Taxonomy:
    """Topic name -> keyword phrases, in file order (the order topics are listed in)."""

    topics: dict[str, tuple[str, ...]]
    digest: str

    @property
    def names(self) -> list[str]:
        return [*self.topics, OTHER_TOPIC]

    def tagger(self) -> TopicTagger:
        return TopicTagger(self)


class TopicTagger:
    def __init__(self, taxonomy: Taxonomy) -> None:
        self._order = {name: i for i, name in enumerate(taxonomy.topics)}
        self._phrases: dict[str, set[str]] = {}
        for name, phrases in taxonomy.topics.items():
            for phrase in phrases:
                key = " ".join(_tokens(phrase))
                if key:
                    self._phrases.setdefault(key, set()).add(name)
        # First word -> the lengths of the phrases it starts: most words start none, so most
        # of a text costs one lookup per word.
        sizes: dict[str, set[int]] = {}
        for key in self._phrases:
            words = key.split(" ")
            sizes.setdefault(words[0], set()).add(len(words))
        self._sizes = {word: sorted(lengths) for word, lengths in sizes.items()}

    def tag(self, *texts: str | None) -> list[str]:
        # "." is never a token of a phrase: no phrase runs from the title into the abstract.
        tokens = [token for text in texts if text for token in (*_tokens(text), ".")]
        phrases, sizes_of = self._phrases, self._sizes
        found: set[str] = set()
        for start, token in enumerate(tokens):
            for size in sizes_of.get(token, ()):
                topics = phrases.get(" ".join(tokens[start:start + size]))
                if topics:
                    found |= topics
        return sorted(found, key=self._order.__getitem__) or [OTHER_TOPIC]

    def tag_all(self, titles: Sequence[str | None], abstracts: Sequence[str | None]
                ) -> list[list[str]]:
        return [self.tag(t, a) for t, a in zip(titles, abstracts, strict=True)]


def default_topics_path() -> Path:
    """$PAPERTRENDS_TOPICS, else the taxonomy the package ships (data/topics.toml in a
    checkout): the same file whatever the working directory, for the CLI and the dashboard."""
    return Path(os.environ.get(TOPICS_ENV) or package_path("shipped", "topics.toml"))


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    path = Path(path) if path is not None else default_topics_path()
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read the topic taxonomy ({exc.strerror})", path=path) from None
    try:
        document = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", path=path) from None
    table = document.get("topics")
    if not isinstance(table, dict) or not table:
        raise InputError("expected a [topics] table of  name = [\"phrase\", ...]  entries",
                         path=path, field="topics")
    topics: dict[str, tuple[str, ...]] = {}
    for name, phrases in table.items():
        if not isinstance(phrases, list) or not all(isinstance(p, str) for p in phrases):
            raise InputError("expected a list of keyword phrases", path=path, field=name)
        if name == OTHER_TOPIC:
            raise InputError(f"'{OTHER_TOPIC}' is reserved for papers that match no topic",
                             path=path, field=name)
        topics[name] = tuple(phrases)
    return Taxonomy(topics, hashlib.sha256(raw).hexdigest()[:16])


def topic_names(topic_lists: Iterable[Iterable[str]]) -> list[str]:
    """Distinct topics in first-seen order."""
    seen: dict[str, None] = {}
    for topics in topic_lists:
        for topic in topics:
            seen.setdefault(topic, None)
    return list(seen)
