package org.hsclass;

import java.util.ArrayList;
import java.util.List;

/**
 * A suggested code and the words for and against it. words: every word with
 * features the model knows, by decreasing weight; the weights add up to
 * total, the code's explained score (see hsc_session_explain in hsclass.h).
 */
public record Explanation(String code, double probability, String description, double total,
                          List<WordWeight> words) {
    public Explanation {
        words = List.copyOf(words);
    }

    /** Words with a positive weight, strongest first. */
    public List<WordWeight> forWords() {
        return words.stream().filter(w -> w.weight() > 0).toList();
    }

    /** Words with a negative weight, strongest first. */
    public List<WordWeight> againstWords() {
        List<WordWeight> out = new ArrayList<>(words.stream().filter(w -> w.weight() < 0).toList());
        java.util.Collections.reverse(out);
        return List.copyOf(out);
    }
}
