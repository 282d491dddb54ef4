"""hsclass: HS (Harmonized System) code suggestions for goods descriptions.

A ctypes binding of libhsclass. Quick start:

    import hsclass
    with hsclass.Model() as model:              # the default model
        for s in model.classify("frozen boneless beef cuts", k=3):
            print(s.code, round(s.score, 3))
        model.classify("viande bovine congelee", level=4)     # headings
        model.classify_many(texts, k=5, threads=4)            # input order
        model.decide_many(texts)                              # + decision, reason
        for d in model.stream(open("lines.txt"), chunk=2000): # any length, flat memory
            print(d.decision, d.reason, d.best)
        model.audit("frozen beef", "8703.23")                 # a declared code checked
        model.classify("pullover", only=["61", "62"])         # within chapters
        d = model.decide("spare parts")                       # d.accept, d.reason
        for e in model.explain("frozen beef cuts", k=2):      # words for/against
            print(e.code, e.description, e.for_words, e.against_words)
        model.lookup("0201"); model.national_lines("100640")  # the nomenclature

    hsclass.tokens("20KG CTNS", languages="en")               # no model
    hsclass.train(["data.tsv", ("hs.tsv", 0.5, True)], "my.hscm", epochs=5)
    hsclass.parse_code("8703 23")                             # "870323"
    ev = hsclass.Evaluation(); ev.add(0.93, True); ev.ece()   # calibration
    hsclass.evaluate(model, [("020130", "fresh beef", "en")])  # accuracy per level, group
    import hsclass.pandas                                     # DataFrame helpers (pandas)

Errors are hsclass.Error subclasses carrying the library's .status code.
The library is found through $HSCLASS_LIBRARY, a bundled copy,
$HSCLASS_BUILD_ROOT (a build tree, on request), the libdir of the prefix the
package is installed in, the soname, then ctypes.util.find_library.
"""

from ._errors import (BadCode, BadLanguage, BadRow, BadUTF8, Cancelled, CheckpointError,
                      CheckpointMismatch, CorruptModel, Error,
                      FileError, InternalError, InvalidArgument, ModelError, ModelMismatch,
                      ModelVersionError, NoData, NoResult, OneClass, OutOfMemory, RegexLimit,
                      ResourceError, StateError, TextError, TextTooLong, TrainingDataError,
                      Unsupported, UsageError)
from ._codes import parse_code
from ._constants import ADAPT_EPOCHS
from ._eval import Evaluation, ReliabilityBin
from ._evaluate import Coverage, LevelScore, Prediction, Report, evaluate
from ._lib import format_version_max as model_format_version_max
from ._lib import library_path
from ._lib import version as library_version
from ._lib import version_number as library_version_number
from ._model import Model, default_model_path
from ._results import (Audit, CodeScore, Decision, Explanation, NationalLine, NomenclatureEntry, Precedent,
                       Suggestion, Token, TokenType, WordWeight)
from ._session import Session, tokens
from ._train import Progress, RowError, RowWarning, train

__version__ = "1.0.0"

__all__ = [
    "Model", "Session", "Suggestion", "Token", "TokenType", "Progress", "RowError",
    "Decision", "Explanation", "WordWeight", "NomenclatureEntry", "NationalLine", "Precedent",
    "Evaluation", "ReliabilityBin", "evaluate", "Report", "LevelScore", "Coverage", "Prediction",
    "Audit", "CodeScore", "RowWarning", "tokens", "train", "parse_code", "default_model_path",
    "ADAPT_EPOCHS",
    "library_path", "library_version", "library_version_number", "model_format_version_max",
    "Error", "UsageError", "InvalidArgument", "Unsupported", "StateError", "NoResult",
    "Cancelled", "TextError", "BadUTF8", "TextTooLong", "RegexLimit", "BadLanguage", "BadCode",
    "ModelError", "FileError", "CorruptModel", "ModelVersionError", "ModelMismatch",
    "TrainingDataError", "BadRow", "NoData", "OneClass", "CheckpointError", "CheckpointMismatch",
    "ResourceError", "OutOfMemory",
    "InternalError",
]
