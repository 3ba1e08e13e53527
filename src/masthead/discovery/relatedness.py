"""The related-posts engine: which published articles read like which (issue 12 §1).

Model-free, so the benchmark can drive it on synthetic text; ``related.py`` feeds it
articles and stores what it ranks. One index per language: scikit-learn's TF-IDF over
stemmed words (PyStemmer's Snowball stemmers, stop words per language), plus a latent
semantic view of the same matrix (``TruncatedSVD``), which pulls together articles on one
subject that share few exact words. An article's score against another is the mean of the
two cosines, lightly boosted for the same section and for being recent; the settings
depend on the language only, never on the corpus (issue 12: "no per-corpus tuning").
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import Stemmer
from scipy import sparse
from sklearn.decomposition import TruncatedSVD
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, TfidfVectorizer
from sklearn.preprocessing import normalize

from masthead.discovery.stopwords import SPANISH_STOP_WORDS

KEEP = 12  # stored per article: more than a page shows, so unpublishing leaves a reserve
CANDIDATES = 60  # nearest by the latent view, re-scored with both views
DIMENSIONS = 128  # of the latent view (fewer when the corpus is smaller)
SECTION_BOOST = 0.05
RECENCY_BOOST = 0.05
RECENCY_DAYS = 365.0  # an older candidate loses the recency boost over about a year
HEADLINE_WEIGHT = 2  # the headline is counted twice: it names the subject
SMALL = 200  # articles in a language below which every update refits the model
CHUNK = 512  # articles ranked at once: bounds the memory of a full rebuild

_STEMMERS = {"en": "english", "es": "spanish", "pt": "portuguese", "fr": "french"}
_STOP_WORDS = {"en": frozenset(ENGLISH_STOP_WORDS), "es": SPANISH_STOP_WORDS}
_WORD = re.compile(r"(?u)\b\w\w+\b")


class Analyzer:
    """Text to index terms for one language: words, minus stop words and numbers, stemmed.

    A class rather than a closure so the fitted vectoriser can be pickled to disk. Stems
    are remembered per word: a corpus repeats its vocabulary, and stemming is the cost.
    """

    def __init__(self, language: str) -> None:
        self.language = language
        self._stemmer: Stemmer.Stemmer | None = None
        self._stems: dict[str, str | None] = {}

    def __getstate__(self) -> dict:
        return {"language": self.language}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state["language"])

    def _stem(self, word: str) -> str | None:
        if self._stemmer is None:
            algorithm = _STEMMERS.get(self.language.split("-")[0])
            self._stemmer = Stemmer.Stemmer(algorithm) if algorithm else False
        stop = _STOP_WORDS.get(self.language.split("-")[0], frozenset())
        stem = None
        if word not in stop and not word.isdigit():
            stem = self._stemmer.stemWord(word) if self._stemmer else word
        self._stems[word] = stem
        return stem

    def __call__(self, doc: Doc) -> list[str]:
        stems = self._stems
        terms = []
        for word in _WORD.findall(f"{doc.headline}\n" * HEADLINE_WEIGHT + doc.text.lower()):
            stem = stems[word] if word in stems else self._stem(word)
            if stem is not None:
                terms.append(stem)
        # Topics and people are terms of their own, unstemmed and prefixed so no word
        # collides with them: two pieces on one topic or by one writer read as related.
        terms.extend(doc.tags)
        return terms


@dataclass(frozen=True)
class Doc:
    """What the engine knows of an article."""

    id: int
    headline: str  # lower-cased by the caller with the text
    text: str
    tags: tuple[str, ...] = ()
    section: int = 0
    day: float = 0.0  # days since the epoch of its first publication

    @classmethod
    def of(
        cls,
        *,
        id: int,
        headline: str,
        text: str,
        tags: Iterable[str] = (),
        section: int = 0,
        day: float = 0.0,
    ) -> Doc:
        return cls(id, headline.lower(), text, tuple(sorted(tags)), section, day)


@dataclass
class Ranking:
    """An article's best matches, best first: ids and their scores."""

    ids: list[int]
    scores: list[float]

    @property
    def floor(self) -> float:
        """The score an article must beat to enter this list (anything, when not full)."""
        return self.scores[-1] if len(self.ids) >= KEEP else -math.inf


@dataclass
class Index:
    """One language's fitted model and every published article's vectors.

    Rows are appended (a new or edited article) and retired (unpublished, or replaced by
    its edit) without refitting; ``stale`` says when enough has changed that the
    vocabulary should be learnt again.
    """

    language: str
    vectorizer: TfidfVectorizer
    svd: TruncatedSVD | None
    tfidf: sparse.csr_matrix
    latent: np.ndarray
    ids: np.ndarray
    sections: np.ndarray
    days: np.ndarray
    alive: np.ndarray
    fitted_rows: int
    # Each row's current best matches (ids, -1 padded) and their scores: what decides
    # whether a new article enters that row's list, and which lists hold an article.
    kept_ids: np.ndarray = field(default_factory=lambda: np.empty((0, KEEP), np.int64))
    kept_scores: np.ndarray = field(default_factory=lambda: np.empty((0, KEEP), np.float64))
    rows: dict[int, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rows = {int(pk): row for row, pk in enumerate(self.ids) if self.alive[row]}
        missing = len(self.ids) - len(self.kept_ids)
        self.kept_ids = np.vstack([self.kept_ids, np.full((missing, KEEP), -1, np.int64)])
        self.kept_scores = np.vstack(
            [self.kept_scores, np.full((missing, KEEP), -np.inf, np.float64)]
        )

    @property
    def stale(self) -> bool:
        # A small archive is refitted on every change (it costs little, and a vocabulary
        # learnt from a handful of articles knows few words); a large one once a fifth
        # of its rows were added since the fit.
        added = len(self.ids) - self.fitted_rows
        return self.fitted_rows < SMALL or added > self.fitted_rows // 5

    def __contains__(self, pk: int) -> bool:
        return pk in self.rows

    def _vectors(self, docs: Sequence[Doc]) -> tuple[sparse.csr_matrix, np.ndarray]:
        tfidf = self.vectorizer.transform(docs).astype(np.float32)
        return tfidf, _latent(self.svd, tfidf)

    def add(self, docs: Sequence[Doc]) -> None:
        """Index ``docs`` (new, or new versions of indexed ones) with the fitted model."""
        if not docs:
            return
        self.remove([doc.id for doc in docs])
        tfidf, latent = self._vectors(docs)
        start = len(self.ids)
        self.tfidf = sparse.vstack([self.tfidf, tfidf], format="csr")
        self.latent = np.vstack([self.latent, latent])
        self.ids = np.concatenate([self.ids, [doc.id for doc in docs]])
        self.sections = np.concatenate([self.sections, [doc.section for doc in docs]])
        self.days = np.concatenate([self.days, np.array([d.day for d in docs], np.float32)])
        self.alive = np.concatenate([self.alive, np.ones(len(docs), bool)])
        self.kept_ids = np.vstack([self.kept_ids, np.full((len(docs), KEEP), -1, np.int64)])
        self.kept_scores = np.vstack(
            [self.kept_scores, np.full((len(docs), KEEP), -np.inf, np.float64)]
        )
        for offset, doc in enumerate(docs):
            self.rows[doc.id] = start + offset

    def remove(self, ids: Iterable[int]) -> None:
        for pk in ids:
            row = self.rows.pop(pk, None)
            if row is not None:
                self.alive[row] = False

    def kept(self, pk: int) -> Ranking:
        row = self.rows[pk]
        found = self.kept_ids[row] >= 0
        return Ranking(
            [int(x) for x in self.kept_ids[row][found]],
            [float(x) for x in self.kept_scores[row][found]],
        )

    def keep(self, rankings: dict[int, Ranking]) -> list[int]:
        """Store ``rankings``; return the ids whose list changed."""
        changed = []
        for pk, ranking in rankings.items():
            row = self.rows[pk]
            ids = np.full(KEEP, -1, np.int64)
            scores = np.full(KEEP, -np.inf, np.float64)
            ids[: len(ranking.ids)] = ranking.ids
            scores[: len(ranking.scores)] = ranking.scores
            if not np.array_equal(ids, self.kept_ids[row]):
                changed.append(pk)
            self.kept_ids[row], self.kept_scores[row] = ids, scores
        return changed

    def update(self, *, added: Sequence[Doc] = (), removed: Iterable[int] = ()) -> list[int]:
        """Index new or edited ``added``, retire ``removed``; re-rank the lists this touches.

        Touched: each added article's own list, every list holding an added or removed
        article, and every list an added article now beats the last entry of. Returns
        the ids whose stored list changed (removed ones too: theirs is gone).
        """
        gone = [pk for pk in removed if pk in self.rows]
        touched = set(gone)
        self.remove(gone)
        self.add(added)
        for pk in [*gone, *(doc.id for doc in added)]:
            holders = np.nonzero((self.kept_ids == pk).any(axis=1) & self.alive)[0]
            touched.update(int(self.ids[row]) for row in holders)
        for doc in added:
            touched.add(doc.id)
            rows, scores = self.scores_against(doc.id)
            beaten = rows[scores > self.kept_scores[rows, -1]]
            touched.update(int(pk) for pk in self.ids[beaten])
        live = [pk for pk in sorted(touched) if pk in self.rows]
        return sorted(set(self.keep(self.rank(live))) | set(gone))

    def rank(self, ids: Sequence[int]) -> dict[int, Ranking]:
        """The best ``KEEP`` other articles for each of ``ids`` (indexed ones only)."""
        rows = np.array([self.rows[pk] for pk in ids if pk in self.rows], dtype=np.int64)
        result: dict[int, Ranking] = {}
        for start in range(0, len(rows), CHUNK):
            result.update(self._rank_rows(rows[start : start + CHUNK]))
        return result

    def _rank_rows(self, rows: np.ndarray) -> dict[int, Ranking]:
        # Candidates by the latent view (one dense product), then both views re-scored
        # on those alone: the full TF-IDF product would be nearly dense at 100,000.
        near = self.latent[rows] @ self.latent.T
        near[:, ~self.alive] = -np.inf
        near[np.arange(len(rows)), rows] = -np.inf
        width = min(CANDIDATES, int(self.alive.sum()) - 1)
        if width <= 0:
            return {int(self.ids[row]): Ranking([], []) for row in rows}
        candidates = np.argpartition(-near, width - 1, axis=1)[:, :width]
        latent = np.take_along_axis(near, candidates, axis=1)
        sources = np.repeat(rows, width)
        lexical = self.tfidf[sources].multiply(self.tfidf[candidates.ravel()]).sum(axis=1)
        similar = (np.asarray(lexical).reshape(latent.shape) + latent) / 2
        scores = similar * self._boosts(rows[:, None], candidates)
        result = {}
        for i, row in enumerate(rows):
            ok = np.isfinite(scores[i])
            found, score = candidates[i][ok], np.round(scores[i][ok].astype(np.float64), 6)
            # Best first; ties by id, so a rebuild gives the same list every time.
            order = np.lexsort((self.ids[found], -score))[:KEEP]
            result[int(self.ids[row])] = Ranking(
                [int(pk) for pk in self.ids[found[order]]], [float(s) for s in score[order]]
            )
        return result

    def _boosts(self, rows: np.ndarray, others: np.ndarray) -> np.ndarray:
        same_section = self.sections[rows] == self.sections[others]
        older_by = np.maximum(self.days[rows] - self.days[others], 0)
        recency = np.exp(-older_by / RECENCY_DAYS)
        return 1 + SECTION_BOOST * same_section + RECENCY_BOOST * recency

    def scores_against(self, pk: int) -> tuple[np.ndarray, np.ndarray]:
        """Every other live article's score for ``pk`` as a candidate: (rows, scores).

        For finding the lists a new or edited article should now enter.
        """
        row = self.rows[pk]
        lexical = np.asarray((self.tfidf @ self.tfidf[row].T).todense()).ravel()
        similar = (lexical + self.latent @ self.latent[row]) / 2
        scores = similar * self._boosts(np.arange(len(self.ids)), np.full(len(self.ids), row))
        live = self.alive.copy()
        live[row] = False
        return np.nonzero(live)[0], np.round(scores[live].astype(np.float64), 6)


def fit(language: str, docs: Sequence[Doc]) -> Index:
    """Learn ``language``'s vocabulary and latent view from ``docs`` and index them all."""
    docs = sorted(docs, key=lambda doc: doc.id)  # the same input order: the same model
    few = len(docs) < 20
    vectorizer = TfidfVectorizer(
        analyzer=Analyzer(language),
        sublinear_tf=True,
        # A word in one article relates it to nothing; one in half of them, to everything.
        min_df=1 if few else 2,
        max_df=1.0 if few else 0.5,
        dtype=np.float32,
    )
    try:
        tfidf = vectorizer.fit_transform(docs).astype(np.float32)
    except ValueError:  # nothing but stop words, or no articles: an empty vocabulary
        vectorizer = TfidfVectorizer(analyzer=_own_id)
        tfidf = vectorizer.fit_transform(docs) if docs else sparse.csr_matrix((0, 1))
    dimensions = min(DIMENSIONS, tfidf.shape[1] - 1, len(docs) - 1)
    svd = None
    if dimensions >= 2:
        svd = TruncatedSVD(dimensions, algorithm="randomized", n_iter=5, random_state=0)
        svd.fit(tfidf)
    return Index(
        language=language,
        vectorizer=vectorizer,
        svd=svd,
        tfidf=sparse.csr_matrix(tfidf),
        latent=_latent(svd, tfidf),
        ids=np.array([doc.id for doc in docs], dtype=np.int64),
        sections=np.array([doc.section for doc in docs], dtype=np.int64),
        days=np.array([doc.day for doc in docs], dtype=np.float32),
        alive=np.ones(len(docs), dtype=bool),
        fitted_rows=len(docs),
    )


def _own_id(doc: Doc) -> list[str]:
    return [f"#{doc.id}"]


def _latent(svd: TruncatedSVD | None, tfidf: sparse.csr_matrix) -> np.ndarray:
    if svd is None:  # too few articles for a latent view: the TF-IDF cosine alone
        return np.zeros((tfidf.shape[0], 1), dtype=np.float32)
    return normalize(svd.transform(tfidf)).astype(np.float32)
