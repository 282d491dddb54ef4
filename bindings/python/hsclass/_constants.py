"""Values fixed forever by hsclass.h, besides the statuses (_errors) and the
option keys (_config); bindings/python/tests/test_lib.py checks each
against the header."""

from __future__ import annotations

from typing import Tuple

# HSC_DECISION_*
DECISION_NONE = 0
DECISION_ACCEPT = 1
DECISION_REVIEW = 2

# HSC_REASON_* names, indexed by value
REASONS: Tuple[str, ...] = ("none", "confident", "low_confidence", "no_content", "vague",
                            "unknown_words", "constraint")

# HSC_INFO_* names, indexed by value - 1
INFO_KEYS: Tuple[str, ...] = ("format_version", "hs_edition", "languages", "stemmer",
                              "tokenizer", "normalization", "hash", "training", "labels",
                              "fingerprint", "created_by")

# HSC_AUDIT_* verdict names, indexed by value
AUDIT_VERDICTS: Tuple[str, ...] = ("none", "consistent", "suspect", "unchecked")

TOKEN_FLAG_STOPWORD = 1     # HSC_TOKEN_FLAG_STOPWORD
ROWS_NOMENCLATURE = 1       # HSC_ROWS_NOMENCLATURE
ROWS_SYNTHETIC = 2          # HSC_ROWS_SYNTHETIC
ADAPT_EPOCHS = 4            # HSC_ADAPT_EPOCHS
CODE_MAX_DIGITS = 12        # HSC_CODE_MAX_DIGITS
EVAL_NO_SUGGESTION = -1.0   # HSC_EVAL_NO_SUGGESTION
