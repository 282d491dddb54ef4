package org.hsclass;

import java.util.List;
import java.util.Map;

/**
 * The result of classifying one text: the best codes at the model's own
 * level, and the totals per chapter (2 digits) and heading (4 digits), each
 * the sum of the probabilities of the codes below it (also 6 and 8 digits
 * for models with longer codes). Every list is best first and immutable; a
 * text with no usable word gives empty lists.
 */
public record Classification(List<Suggestion> suggestions, Map<Integer, List<Suggestion>> levels) {
    public Classification {
        suggestions = List.copyOf(suggestions);
        levels = java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(levels));
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
}
