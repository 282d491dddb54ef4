package org.hsclass;

import com.sun.jna.ptr.LongByReference;
import java.nio.charset.StandardCharsets;

/** HS codes as the library reads them (hsc_code_parse). */
public final class HsCode {
    /** At most this many digits in a code (HSC_CODE_MAX_DIGITS). */
    public static final int MAX_DIGITS = 12;

    private HsCode() {}

    /**
     * The digits of a code written with '.' or ' ' anywhere ("8703.23",
     * "8703 23" and "870323" give "870323"); "" for an empty or blank code.
     * BadCode for any other character or more than 12 digits.
     */
    public static String parse(String code) {
        byte[] text = Text.utf8(code);
        byte[] digits = new byte[MAX_DIGITS + 1];
        LongByReference n = new LongByReference();
        HsclassException.check(Lib.hsc_code_parse(text, text.length, digits, digits.length, n),
                code);
        return new String(digits, 0, (int) n.getValue(), StandardCharsets.US_ASCII);
    }
}
