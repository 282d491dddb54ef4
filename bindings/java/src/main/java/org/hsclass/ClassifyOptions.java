package org.hsclass;

import java.util.List;

/**
 * How to classify: level (0: the model's own codes; 2, 4...: chapters,
 * headings... for explain), only (restrict suggestions to codes under these
 * prefixes: "84,8517"; "" for none; probabilities are then conditional on
 * the code being among them), and lang (language of the descriptions; null:
 * the model's first). Immutable:
 * <pre>ClassifyOptions.DEFAULT.only("02", "0402").lang("fr")</pre>
 */
public record ClassifyOptions(int level, String only, String lang) {
    public static final ClassifyOptions DEFAULT = new ClassifyOptions(0, "", null);

    public ClassifyOptions {
        only = only == null ? "" : only;
    }

    public ClassifyOptions level(int digits) {
        return new ClassifyOptions(digits, only, lang);
    }

    public ClassifyOptions only(String... prefixes) {
        return new ClassifyOptions(level, String.join(",", prefixes), lang);
    }

    public ClassifyOptions only(List<String> prefixes) {
        return new ClassifyOptions(level, String.join(",", prefixes), lang);
    }

    public ClassifyOptions lang(String language) {
        return new ClassifyOptions(level, only, language);
    }
}
