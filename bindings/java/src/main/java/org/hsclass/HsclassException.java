package org.hsclass;

/**
 * Any failure reported by libhsclass, or a value the binding rejects before
 * calling it. Carries the library's status (code and name), its message and
 * the detail of this failure (e.g. the byte offset of bad UTF-8, or the file
 * concerned). One nested subclass per status range, and per status where a
 * caller may want to catch it alone, as in the Python binding.
 */
public class HsclassException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int statusCode;
    private final String detail;

    protected HsclassException(int statusCode, String message, String detail) {
        super(message);
        this.statusCode = statusCode;
        this.detail = detail == null ? "" : detail;
    }

    /** The hsc_status value, e.g. 21. */
    public int statusCode() {
        return statusCode;
    }

    /** The status, or null for a value newer than this binding. */
    public Status status() {
        return Status.of(statusCode);
    }

    /** The C name of the status, e.g. "HSC_E_TEXT_TOO_LONG". */
    public String statusName() {
        Status s = status();
        return s != null ? s.cName() : "status " + statusCode;
    }

    /** This failure's detail ("" when none). */
    public String detail() {
        return detail;
    }

    /** The exception for a non-zero status: the library's text, then the detail. */
    static HsclassException of(int status, String detail) {
        String text = Text.read(Lib.hsc_status_string(status));
        String message = detail == null || detail.isEmpty() ? text : text + ": " + detail;
        switch (status) {
            case 1: return new InvalidArgument(status, message, detail);
            case 3: return new StateError(status, message, detail);
            case 4: return new NoResult(status, message, detail);
            case 5: return new Cancelled(status, message, detail);
            case 20: return new BadUtf8(status, message, detail);
            case 21: return new TextTooLong(status, message, detail);
            case 24: return new BadCode(status, message, detail);
            case 40: return new FileError(status, message, detail);
            case 90: return new OutOfMemory(status, message, detail);
            default: break;
        }
        if (status >= 41 && status <= 49) {
            return new CorruptModel(status, message, detail);
        }
        if (status >= 1 && status < 20) {
            return new UsageError(status, message, detail);
        }
        if (status >= 20 && status < 40) {
            return new TextError(status, message, detail);
        }
        if (status >= 40 && status < 70) {
            return new ModelError(status, message, detail);
        }
        if (status >= 70 && status < 90) {
            return new TrainingDataError(status, message, detail);
        }
        return new HsclassException(status, message, detail);
    }

    /** Throws the exception for status unless it is OK. */
    static void check(int status, String detail) {
        if (status != 0) {
            throw of(status, detail);
        }
    }

    static void check(int status) {
        check(status, "");
    }

    /** HSC_E_INVALID_ARG for a value the binding rejects itself. */
    static HsclassException invalidArgument(String detail) {
        return of(Status.INVALID_ARG.code(), detail);
    }

    /** HSC_E_STATE for a closed object. */
    static HsclassException closed(String what) {
        return of(Status.STATE.code(), what + " is closed");
    }

    /** Statuses 1-19: the API was misused. */
    public static class UsageError extends HsclassException {
        private static final long serialVersionUID = 1L;
        UsageError(int s, String m, String d) { super(s, m, d); }
    }

    /** HSC_E_INVALID_ARG: a null or out-of-range value. */
    public static final class InvalidArgument extends UsageError {
        private static final long serialVersionUID = 1L;
        InvalidArgument(int s, String m, String d) { super(s, m, d); }
    }

    /** HSC_E_STATE: not valid in this state, e.g. a closed object. */
    public static final class StateError extends UsageError {
        private static final long serialVersionUID = 1L;
        StateError(int s, String m, String d) { super(s, m, d); }
    }

    /** HSC_E_NO_RESULT: an index out of range. */
    public static final class NoResult extends UsageError {
        private static final long serialVersionUID = 1L;
        NoResult(int s, String m, String d) { super(s, m, d); }
    }

    /** HSC_E_CANCELLED: a callback asked to stop. */
    public static final class Cancelled extends UsageError {
        private static final long serialVersionUID = 1L;
        Cancelled(int s, String m, String d) { super(s, m, d); }
    }

    /** Statuses 20-39: the input text was rejected. */
    public static class TextError extends HsclassException {
        private static final long serialVersionUID = 1L;
        TextError(int s, String m, String d) { super(s, m, d); }
    }

    /** HSC_E_BAD_UTF8: not valid UTF-8, or a Java string with an unpaired surrogate. */
    public static final class BadUtf8 extends TextError {
        private static final long serialVersionUID = 1L;
        BadUtf8(int s, String m, String d) { super(s, m, d); }
    }

    /** HSC_E_TEXT_TOO_LONG: longer than the max_text_bytes option. */
    public static final class TextTooLong extends TextError {
        private static final long serialVersionUID = 1L;
        TextTooLong(int s, String m, String d) { super(s, m, d); }
    }

    /** HSC_E_BAD_CODE: a malformed HS code. */
    public static final class BadCode extends TextError {
        private static final long serialVersionUID = 1L;
        BadCode(int s, String m, String d) { super(s, m, d); }
    }

    /** Statuses 40-69: a model file could not be read, written or used. */
    public static class ModelError extends HsclassException {
        private static final long serialVersionUID = 1L;
        ModelError(int s, String m, String d) { super(s, m, d); }
    }

    /** HSC_E_IO: a file cannot be opened, read or written. */
    public static final class FileError extends ModelError {
        private static final long serialVersionUID = 1L;
        FileError(int s, String m, String d) { super(s, m, d); }
    }

    /** HSC_E_MODEL_TRUNCATED ... HSC_E_MODEL_VALUE: a damaged file, or not a model. */
    public static final class CorruptModel extends ModelError {
        private static final long serialVersionUID = 1L;
        private long offset = -1;

        CorruptModel(int s, String m, String d) { super(s, m, d); }

        /** The byte offset where the loader found the problem (-1 when unknown). */
        public long offset() {
            return offset;
        }

        CorruptModel at(long byteOffset) {
            offset = byteOffset;
            return this;
        }
    }

    /** Statuses 70-89: the training data is unusable. */
    public static class TrainingDataError extends HsclassException {
        private static final long serialVersionUID = 1L;
        TrainingDataError(int s, String m, String d) { super(s, m, d); }
    }

    /** HSC_E_NOMEM: memory allocation failed. */
    public static final class OutOfMemory extends HsclassException {
        private static final long serialVersionUID = 1L;
        OutOfMemory(int s, String m, String d) { super(s, m, d); }
    }
}
