package org.hsclass;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a Model's sessions share: the native model (kept alive by each
 * session's own reference, even after Model.close), its labels and levels.
 * Immutable.
 */
final class ModelData {
    private static final int[] AGGREGATE_LEVELS = {2, 4, 6, 8};

    final Pointer pointer;
    final List<String> labels;
    /** Digits of the labels when they all have the same length, else 0. */
    final int labelDigits;
    /** The aggregate levels classify reports besides the labels. */
    final int[] levels;

    ModelData(Pointer pointer) {
        this.pointer = pointer;
        LongByReference n = new LongByReference();
        HsclassException.check(Lib.hsc_model_label_count(pointer, n));
        PointerByReference code = new PointerByReference();
        List<String> codes = new ArrayList<>();
        int shortest = Integer.MAX_VALUE;
        int longest = 0;
        for (long i = 0; i < n.getValue(); i++) {
            HsclassException.check(Lib.hsc_model_label(pointer, i, code));
            String c = Text.read(code.getValue());
            codes.add(c);
            shortest = Math.min(shortest, c.length());
            longest = Math.max(longest, c.length());
        }
        labels = List.copyOf(codes);
        labelDigits = shortest == longest ? longest : 0;
        int count = 0;
        int[] found = new int[AGGREGATE_LEVELS.length];
        for (int level : AGGREGATE_LEVELS) {
            if (level < longest) {
                found[count++] = level;
            }
        }
        levels = java.util.Arrays.copyOf(found, count);
    }

    /** InvalidArgument unless level is 0 (the labels), their digits or an aggregate level. */
    void checkLevel(int level) {
        if (level != 0 && level != labelDigits
                && java.util.Arrays.stream(levels).noneMatch(l -> l == level)) {
            throw HsclassException.invalidArgument("the model has no level " + level);
        }
    }

    /** The C digits argument for a level: 0 for the labels' own. */
    int digitsArg(int level) {
        return level == labelDigits ? 0 : level;
    }

    /** Description of one code in lang (null: the first language with one). */
    Optional<String> describe(String code, String lang) {
        byte[] text = Text.utf8(code);
        PointerByReference out = new PointerByReference();
        int status = Lib.hsc_model_describe(pointer, text, text.length,
                Text.cString(lang, "lang"), out);
        if (status == Status.NO_RESULT.code()) {
            return Optional.empty();
        }
        HsclassException.check(status, code);
        return Optional.of(Text.read(out.getValue()));
    }
}
