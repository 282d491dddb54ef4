"""What the binding returns: suggestions, decisions, explanations, tokens and
nomenclature entries (plain frozen dataclasses)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Dict, List, Optional, Tuple, Union


@dataclass(frozen=True)
class Suggestion:
    """One suggested code.

    code: the HS code ("020130"), score: its calibrated probability (0..1),
    description: the nomenclature text when the model carries one, else None.
    """

    code: str
    score: float
    description: Optional[str] = None


@dataclass(frozen=True)
class Decision:
    """Whether a text's best code may be accepted as is, or goes to review.

    accept: True to accept; reason: "confident" (accept), or why a person
    must look: "low_confidence" (the best code is below the threshold),
    "no_content" (empty, or only numbers, units, function words), "vague"
    (only generic words: goods, spare parts, samples...), "unknown_words"
    (no content word the model knows), "constraint" (nothing within `only`);
    reason_text: the library's English text for it; threshold: the
    probability the best code had to reach; suggestions: the codes at the
    model's level, best first; levels: {2: chapters, 4: headings, ...} of
    the same classification when asked for (decide(levels=True)), else None.
    """

    accept: bool
    reason: str
    reason_text: str
    threshold: float
    suggestions: List[Suggestion]
    levels: Optional[Dict[int, List[Suggestion]]] = None

    @property
    def decision(self) -> str:
        """"accept" or "review"."""
        return "accept" if self.accept else "review"

    @property
    def best(self) -> Optional[Suggestion]:
        return self.suggestions[0] if self.suggestions else None


@dataclass(frozen=True)
class CodeScore:
    """A code's score for a text wherever it ranks: its probability at a
    level and its rank there (1 = best; None when the model has no such
    code, or the text got no suggestion)."""

    probability: float
    rank: Optional[int]


@dataclass(frozen=True)
class Audit:
    """A declared code checked against its description (the library's one
    rule, hsc_session_audit in hsclass.h).

    declared: the declared code's digits; verdict: "consistent", "suspect"
    (the description points elsewhere: the declared code's probability is
    below threshold) or "unchecked" (the description gives nothing to check
    against); probability: the declared code's probability at digits (its
    length, at most 6); levels: {2: CodeScore, 4: ..., 6: ...} at every
    level of the model within the declared code; best: the model's own best
    code; reason: the decision's reason for the description; line_id: the
    caller's id for the line, if any.
    """

    declared: str
    verdict: str
    probability: float
    digits: int
    threshold: float
    levels: Dict[int, CodeScore]
    best: Optional[Suggestion]
    reason: str
    line_id: Optional[str] = None

    @property
    def suspect(self) -> bool:
        return self.verdict == "suspect"


@dataclass(frozen=True)
class WordWeight:
    """One word of the text and its weight for a code: word as written in the
    caller's text, span (start, end) into it (characters for str, bytes for
    bytes), weight > 0 for the code, < 0 against it."""

    word: str
    weight: float
    span: Tuple[int, int]


@dataclass(frozen=True)
class Explanation:
    """A suggested code and the words for and against it.

    words: every word with known features, by decreasing weight. The weights
    add up to total, the code's explained score: over the steps of its path
    (chapter, heading, subheading...), its calibrated logit minus the
    probability-weighted logits of the alternatives at that step (see
    hsc_session_explain in hsclass.h).
    """

    code: str
    score: float
    description: Optional[str]
    total: float
    words: Tuple[WordWeight, ...]

    @property
    def for_words(self) -> Tuple[WordWeight, ...]:
        """Words with a positive weight, strongest first."""
        return tuple(w for w in self.words if w.weight > 0)

    @property
    def against_words(self) -> Tuple[WordWeight, ...]:
        """Words with a negative weight, strongest first."""
        return tuple(w for w in reversed(self.words) if w.weight < 0)


@dataclass(frozen=True)
class Precedent:
    """A training row near the text (the model's precedent memory): its code,
    its similarity to the text (0..1], its text when the model keeps the
    texts (else None), and the name of the training file it came from."""

    code: str
    similarity: float
    text: Optional[str]
    source: str


@dataclass(frozen=True)
class NomenclatureEntry:
    """A described code of the model's nomenclature."""

    code: str
    description: str


@dataclass(frozen=True)
class NationalLine:
    """A national tariff line (e.g. a 10-digit TEC CEDEAO line)."""

    scheme: str
    code: str
    description: str


class TokenType(enum.IntEnum):
    """HSC_TOKEN_* values."""

    WORD = 1
    NUMBER = 2
    QUANTITY = 3
    CODE = 4
    ALNUM = 5


@dataclass(frozen=True)
class Token:
    """One token of a text.

    text: the normalized token; type: a TokenType (a plain int for types this
    binding does not know); stems: one stem per distinct stemmer result;
    stopword: True when it is left out of the features; span: (start, end) in
    the caller's text, in characters for a str and in bytes for bytes, so that
    original[start:end] is where the token came from.
    """

    text: str
    type: Union[TokenType, int]
    stems: Tuple[str, ...]
    stopword: bool
    span: Tuple[int, int]
