/* status.c - status names and version getters. */
#include "hsc_internal.h"

uint32_t hsc_version_number(void)
{
    return HSC_VERSION_NUMBER;
}

const char *hsc_version_string(void)
{
    return HSC_VERSION_STRING;
}

const char *hsc_status_string(hsc_status status)
{
    switch (status) {
    case HSC_OK: return "HSC_OK: success";
    case HSC_E_INVALID_ARG: return "HSC_E_INVALID_ARG: invalid argument (NULL pointer or value out of range)";
    case HSC_E_UNSUPPORTED: return "HSC_E_UNSUPPORTED: unknown option or unsupported feature";
    case HSC_E_STATE: return "HSC_E_STATE: call not valid in this state";
    case HSC_E_NO_RESULT: return "HSC_E_NO_RESULT: no such result";
    case HSC_E_CANCELLED: return "HSC_E_CANCELLED: cancelled by a callback";
    case HSC_E_BAD_UTF8: return "HSC_E_BAD_UTF8: text is not valid UTF-8";
    case HSC_E_TEXT_TOO_LONG: return "HSC_E_TEXT_TOO_LONG: text longer than the configured limit";
    case HSC_E_REGEX_LIMIT: return "HSC_E_REGEX_LIMIT: tokenizer match limit reached";
    case HSC_E_BAD_LANGUAGE: return "HSC_E_BAD_LANGUAGE: unknown or repeated language";
    case HSC_E_BAD_CODE: return "HSC_E_BAD_CODE: malformed HS code";
    case HSC_E_IO: return "HSC_E_IO: cannot open, read or write the file";
    case HSC_E_MODEL_TRUNCATED: return "HSC_E_MODEL_TRUNCATED: model file is truncated";
    case HSC_E_MODEL_SIGNATURE: return "HSC_E_MODEL_SIGNATURE: not a libhsclass model file";
    case HSC_E_MODEL_VERSION: return "HSC_E_MODEL_VERSION: model format version not supported";
    case HSC_E_MODEL_CRC: return "HSC_E_MODEL_CRC: model checksum mismatch (corrupted file)";
    case HSC_E_MODEL_LAYOUT: return "HSC_E_MODEL_LAYOUT: bad model header, section table or padding";
    case HSC_E_MODEL_SECTION: return "HSC_E_MODEL_SECTION: missing, unknown critical or malformed model section";
    case HSC_E_MODEL_LIMIT: return "HSC_E_MODEL_LIMIT: model size exceeds the loader's limits";
    case HSC_E_MODEL_INFLATE: return "HSC_E_MODEL_INFLATE: compressed model section is corrupt";
    case HSC_E_MODEL_VALUE: return "HSC_E_MODEL_VALUE: model value out of range";
    case HSC_E_MODEL_MISMATCH: return "HSC_E_MODEL_MISMATCH: model needs a tokenizer or stemmer this build lacks";
    case HSC_E_BAD_ROW: return "HSC_E_BAD_ROW: malformed training row";
    case HSC_E_NO_DATA: return "HSC_E_NO_DATA: no usable rows (nothing to train on or to evaluate)";
    case HSC_E_ONE_CLASS: return "HSC_E_ONE_CLASS: training needs at least two distinct codes";
    case HSC_E_CHECKPOINT_CORRUPT: return "HSC_E_CHECKPOINT_CORRUPT: not a training checkpoint, or truncated or corrupt";
    case HSC_E_CHECKPOINT_MISMATCH: return "HSC_E_CHECKPOINT_MISMATCH: the checkpoint was written for other training rows or options";
    case HSC_E_NOMEM: return "HSC_E_NOMEM: out of memory";
    case HSC_E_INTERNAL: return "HSC_E_INTERNAL: internal error (please report)";
    default: return "unknown status";
    }
}
