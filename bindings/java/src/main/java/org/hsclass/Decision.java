package org.hsclass;

import java.util.List;
import java.util.Locale;

/**
 * Accept or review, for one text: the verdict, its reason, the probability
 * the best code had to reach, and the suggestions at the model's level
 * (best first). Texts with nothing classifiable ("goods", "", "20 kg") always
 * go to review.
 */
public record Decision(Verdict verdict, Reason reason, double threshold,
                       List<Suggestion> suggestions) {
    public Decision {
        suggestions = List.copyOf(suggestions);
    }

    public boolean accepted() {
        return verdict == Verdict.ACCEPT;
    }

    /** The best code, or null when there is none. */
    public Suggestion best() {
        return suggestions.isEmpty() ? null : suggestions.get(0);
    }

    /** "Accepter : confiance suffisante : ..." for display in the locale's language. */
    public String text(Locale locale) {
        String sep = Bilingual.isFrench(locale) ? " : " : ": ";
        return verdict.text(locale) + sep + reason.text(locale);
    }
}
