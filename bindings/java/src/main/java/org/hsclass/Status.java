package org.hsclass;

import java.util.HashMap;
import java.util.Map;

/**
 * The library's status codes (HSC_E_* in hsclass.h). Their values are fixed
 * forever by the header, so they are written here; StatusTest checks each
 * against the header.
 */
public enum Status {
    OK(0),
    INVALID_ARG(1), UNSUPPORTED(2), STATE(3), NO_RESULT(4), CANCELLED(5),
    BAD_UTF8(20), TEXT_TOO_LONG(21), REGEX_LIMIT(22), BAD_LANGUAGE(23), BAD_CODE(24),
    IO(40), MODEL_TRUNCATED(41), MODEL_SIGNATURE(42), MODEL_VERSION(43), MODEL_CRC(44),
    MODEL_LAYOUT(45), MODEL_SECTION(46), MODEL_LIMIT(47), MODEL_INFLATE(48), MODEL_VALUE(49),
    MODEL_MISMATCH(50),
    BAD_ROW(70), NO_DATA(71), ONE_CLASS(72), CHECKPOINT_CORRUPT(73), CHECKPOINT_MISMATCH(74),
    NOMEM(90), INTERNAL(91);

    private static final Map<Integer, Status> BY_CODE = new HashMap<>();

    static {
        for (Status s : values()) {
            BY_CODE.put(s.code, s);
        }
    }

    private final int code;

    Status(int code) {
        this.code = code;
    }

    /** The C value, e.g. 21 for TEXT_TOO_LONG. */
    public int code() {
        return code;
    }

    /** The C name, e.g. "HSC_E_TEXT_TOO_LONG" ("HSC_OK" for OK). */
    public String cName() {
        return this == OK ? "HSC_OK" : "HSC_E_" + name();
    }

    /** The status of a C value, or null for a value this binding does not know. */
    public static Status of(int code) {
        return BY_CODE.get(code);
    }
}
