package org.hsclass;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The result of classifying one text: the best codes at the model's own
 * level, and the totals per chapter (2 digits) and heading (4 digits), each
 * the sum of the probabilities of the codes below it (also 6 and 8 digits
 * for models with longer codes). Every list is best first and immutable; a
 * text with no usable word gives empty lists. Equal when all levels are.
 */
public final class Classification {
    private final List<Suggestion> suggestions;
    private final Map<Integer, List<Suggestion>> levels;

    /** The lists must be immutable already (the session builds them so: no copy per call). */
    Classification(List<Suggestion> suggestions, TreeMap<Integer, List<Suggestion>> levels) {
        this.suggestions = suggestions;
        this.levels = Collections.unmodifiableMap(levels);
    }

    /** The codes at the model's own level, best first. */
    public List<Suggestion> suggestions() {
        return suggestions;
    }

    /** Every level: 0 (the model's codes, also under their digit count), 2, 4... */
    public Map<Integer, List<Suggestion>> levels() {
        return levels;
    }

    /** The best code, or null when there is none. */
    public Suggestion best() {
        return suggestions.isEmpty() ? null : suggestions.get(0);
    }

    /** Chapter totals (2 digits). */
    public List<Suggestion> chapters() {
        return level(2);
    }

    /** Heading totals (4 digits). */
    public List<Suggestion> headings() {
        return level(4);
    }

    /** The totals at a number of digits, or an empty list when the model has no such level. */
    public List<Suggestion> level(int digits) {
        return levels.getOrDefault(digits, List.of());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Classification && levels.equals(((Classification) o).levels);
    }

    @Override
    public int hashCode() {
        return levels.hashCode();
    }

    @Override
    public String toString() {
        return "Classification" + levels;
    }
}
