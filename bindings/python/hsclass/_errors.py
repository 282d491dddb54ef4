"""Exceptions raised by the binding, one class per status range of hsclass.h.

Status values are fixed forever by the C header, so they are hard-coded here.
"""

from __future__ import annotations

from typing import Dict, Optional, Type

OK = 0
E_INVALID_ARG = 1
E_UNSUPPORTED = 2
E_STATE = 3
E_NO_RESULT = 4
E_CANCELLED = 5
E_BAD_UTF8 = 20
E_TEXT_TOO_LONG = 21
E_REGEX_LIMIT = 22
E_BAD_LANGUAGE = 23
E_BAD_CODE = 24
E_IO = 40
E_MODEL_TRUNCATED = 41
E_MODEL_SIGNATURE = 42
E_MODEL_VERSION = 43
E_MODEL_CRC = 44
E_MODEL_LAYOUT = 45
E_MODEL_SECTION = 46
E_MODEL_LIMIT = 47
E_MODEL_INFLATE = 48
E_MODEL_VALUE = 49
E_MODEL_MISMATCH = 50
E_BAD_ROW = 70
E_NO_DATA = 71
E_ONE_CLASS = 72
E_CHECKPOINT_CORRUPT = 73
E_CHECKPOINT_MISMATCH = 74
E_NOMEM = 90
E_INTERNAL = 91


class Error(Exception):
    """Base of every libhsclass error.

    Attributes:
        status: the hsc_status code (see hsclass.h), e.g. 20 for HSC_E_BAD_UTF8.
        message: the full text: the library's status string, then the detail.
        detail: the library's detail for this failure ("" when none), e.g.
            the byte offset of invalid UTF-8.
    """

    def __init__(self, status: int, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.detail = detail

    def __reduce__(self):  # keep pickling (e.g. multiprocessing) working
        return (type(self), (self.status, self.message, self.detail))


# 1-19: misuse
class UsageError(Error):
    """The API was misused (statuses 1-19)."""


class InvalidArgument(UsageError, ValueError):
    """HSC_E_INVALID_ARG: a NULL pointer or an out-of-range value."""


class Unsupported(UsageError):
    """HSC_E_UNSUPPORTED: unknown option key or feature."""


class StateError(UsageError):
    """HSC_E_STATE: the call is not valid in this state (e.g. a closed object)."""


class NoResult(UsageError, IndexError):
    """HSC_E_NO_RESULT: a result index is out of range."""


class Cancelled(UsageError):
    """HSC_E_CANCELLED: a callback asked to stop."""


# 20-39: input text
class TextError(Error, ValueError):
    """The input text was rejected (statuses 20-39)."""


class BadUTF8(TextError):
    """HSC_E_BAD_UTF8: the text is not valid UTF-8; .detail gives the offset."""


class TextTooLong(TextError):
    """HSC_E_TEXT_TOO_LONG: the text exceeds max_text_bytes."""


class RegexLimit(TextError):
    """HSC_E_REGEX_LIMIT: the tokenizer hit its match limit."""


class BadLanguage(TextError):
    """HSC_E_BAD_LANGUAGE: unknown language name."""


class BadCode(TextError):
    """HSC_E_BAD_CODE: malformed HS code."""


# 40-69: model files
class ModelError(Error):
    """A model file could not be read, written or used (statuses 40-69)."""


class FileError(ModelError):
    """HSC_E_IO: a file cannot be opened, read or written."""


class CorruptModel(ModelError):
    """The model file is damaged or not a model (truncated, CRC, layout...)."""


class ModelVersionError(ModelError):
    """HSC_E_MODEL_VERSION: the format version is not supported."""


class ModelMismatch(ModelError):
    """HSC_E_MODEL_MISMATCH: the model needs a tokenizer/stemmer this build lacks."""


# 70-89: training data
class TrainingDataError(Error):
    """The training data is unusable (statuses 70-89)."""


class BadRow(TrainingDataError):
    """HSC_E_BAD_ROW: a malformed row in strict mode."""


class NoData(TrainingDataError):
    """HSC_E_NO_DATA: no usable rows (nothing to train on or to evaluate)."""


class OneClass(TrainingDataError):
    """HSC_E_ONE_CLASS: training needs at least two codes."""


class CheckpointError(TrainingDataError):
    """HSC_E_CHECKPOINT_CORRUPT: the file to resume from is not a training
    checkpoint, or is truncated or damaged."""


class CheckpointMismatch(TrainingDataError):
    """HSC_E_CHECKPOINT_MISMATCH: the checkpoint was written for other
    training rows or options."""


# 90+: resources
class ResourceError(Error):
    """A resource failure (statuses 90+)."""


class OutOfMemory(ResourceError, MemoryError):
    """HSC_E_NOMEM: memory allocation failed."""


class InternalError(ResourceError):
    """HSC_E_INTERNAL: a library bug; please report it."""


_BY_STATUS: Dict[int, Type[Error]] = {
    E_INVALID_ARG: InvalidArgument,
    E_UNSUPPORTED: Unsupported,
    E_STATE: StateError,
    E_NO_RESULT: NoResult,
    E_CANCELLED: Cancelled,
    E_BAD_UTF8: BadUTF8,
    E_TEXT_TOO_LONG: TextTooLong,
    E_REGEX_LIMIT: RegexLimit,
    E_BAD_LANGUAGE: BadLanguage,
    E_BAD_CODE: BadCode,
    E_IO: FileError,
    E_MODEL_VERSION: ModelVersionError,
    E_MODEL_MISMATCH: ModelMismatch,
    E_BAD_ROW: BadRow,
    E_NO_DATA: NoData,
    E_ONE_CLASS: OneClass,
    E_CHECKPOINT_CORRUPT: CheckpointError,
    E_CHECKPOINT_MISMATCH: CheckpointMismatch,
    E_NOMEM: OutOfMemory,
    E_INTERNAL: InternalError,
}
for _s in range(E_MODEL_TRUNCATED, E_MODEL_VALUE + 1):
    _BY_STATUS.setdefault(_s, CorruptModel)


def error_class(status: int) -> Type[Error]:
    """The exception class for a status; unknown codes map to their range."""
    cls = _BY_STATUS.get(status)
    if cls is not None:
        return cls
    if 1 <= status < 20:
        return UsageError
    if 20 <= status < 40:
        return TextError
    if 40 <= status < 70:
        return ModelError
    if 70 <= status < 90:
        return TrainingDataError
    if status >= 90:
        return ResourceError
    return Error


def make_error(status: int, status_string: str, detail: Optional[str] = None) -> Error:
    """Build the exception for a status from the library's strings."""
    detail = detail or ""
    message = f"{status_string}: {detail}" if detail else status_string
    return error_class(status)(status, message, detail)


def with_detail(exc: Error, detail: str) -> Error:
    """A copy of exc whose detail names, e.g., the file concerned."""
    status_text = exc.message
    if exc.detail:
        status_text = status_text[:-len(f": {exc.detail}")]
        detail = f"{detail}: {exc.detail}"
    return make_error(exc.status, status_text, detail)
