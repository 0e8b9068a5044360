"""BM25 over chunk texts, with a tokenizer that keeps product names, plan names and numbers."""

from __future__ import annotations

import re

import numpy as np
import numpy.typing as npt

# Words, and numbers with their decimal or thousands separators ("99.9", "10,000").
_TOKEN = re.compile(r"[0-9]+(?:[.,][0-9]+)*|[^\W_]+", re.UNICODE)
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "for",
        "from",
        "had",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "me",
        "my",
        "of",
        "on",
        "or",
        "our",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "to",
        "us",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
    ]
)


def tokenize(text: str) -> list[str]:
    """Split text into lower-case terms, dropping stop words and folding simple plurals."""
    terms: list[str] = []
    for raw in _TOKEN.findall(text.lower()):
        if raw in _STOPWORDS:
            continue
        terms.append(_fold_plural(raw.replace(",", "")))
    return terms


def _fold_plural(term: str) -> str:
    # A light, predictable stemmer: enough for "plans"/"plan", "companies"/"company".
    if len(term) <= 3 or term[-1] != "s" or term[0].isdigit():
        return term
    if term.endswith("ies") and len(term) > 4:
        return term[:-3] + "y"
    if term.endswith(("ss", "us", "is")):
        return term
    return term[:-1]


class LexicalIndex:
    """A BM25 index (bm25s) over a fixed list of texts, scoring every text for a query."""

    def __init__(self, texts: list[str]) -> None:
        import bm25s

        self.size = len(texts)
        self._retriever: bm25s.BM25 | None = None
        corpus = [tokenize(t) for t in texts]
        self._vocab: frozenset[str] = frozenset(t for doc in corpus for t in doc)
        if self.size and self._vocab:
            retriever = bm25s.BM25()
            retriever.index(corpus, show_progress=False)
            self._retriever = retriever

    def scores(self, query: str) -> npt.NDArray[np.float32]:
        """Return the BM25 score of every text for the query (zeros when nothing matches)."""
        terms = [t for t in tokenize(query) if t in self._vocab]
        if self._retriever is None or not terms:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._retriever.get_scores(terms), dtype=np.float32)
