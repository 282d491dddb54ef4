package org.hsclass;

import com.sun.jna.Pointer;
import java.nio.charset.StandardCharsets;

/**
 * Java strings to the library's UTF-8 and back. Java's own encoder replaces
 * an unpaired surrogate by '?' without a word; here it is an error
 * (HSC_E_BAD_UTF8), as the library reports malformed UTF-8 bytes.
 */
final class Text {
    private Text() {}

    /** The UTF-8 bytes of s; BadUtf8 naming the char index of an unpaired surrogate. */
    static byte[] utf8(String s) {
        int n = s.length();
        int size = 0;
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                size += 1;
            } else if (c < 0x800) {
                size += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < n
                    && Character.isLowSurrogate(s.charAt(i + 1))) {
                size += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw HsclassException.of(Status.BAD_UTF8.code(), String.format(
                        "unpaired surrogate U+%04X at char index %d of the Java string",
                        (int) c, i));
            } else {
                size += 3;
            }
        }
        if (size == n) {
            return s.getBytes(StandardCharsets.ISO_8859_1);  // ASCII: the same bytes
        }
        return s.getBytes(StandardCharsets.UTF_8);  // surrogates checked above
    }

    /** UTF-8 and a NUL, for the library's C-string arguments; null stays null. */
    static byte[] cString(String s, String what) {
        if (s == null) {
            return null;
        }
        if (s.indexOf('\0') >= 0) {
            throw HsclassException.invalidArgument(what + " contains a NUL character");
        }
        byte[] b = utf8(s);
        byte[] out = new byte[b.length + 1];
        System.arraycopy(b, 0, out, 0, b.length);
        return out;
    }

    /** A borrowed C string, copied (null for NULL). */
    static String read(Pointer p) {
        return p == null ? null : p.getString(0, StandardCharsets.UTF_8.name());
    }

    /** The char index in s of each byte offset 0..utf8.length of its UTF-8 form. */
    static int[] charIndexOfBytes(String s) {
        int[] map = new int[utf8(s).length + 1];
        int b = 0;
        for (int i = 0; i < s.length(); i++) {
            int cp = s.codePointAt(i);
            int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            for (int j = 0; j < len; j++) {
                map[b++] = i;
            }
            if (cp >= 0x10000) {
                i++;
            }
        }
        map[b] = s.length();
        return map;
    }
}
