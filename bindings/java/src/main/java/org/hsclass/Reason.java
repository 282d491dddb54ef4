package org.hsclass;

import java.util.Locale;

/** Why a classification was accepted or sent to review (HSC_REASON_*). */
public enum Reason {
    CONFIDENT(1, "confident: the best code reaches the threshold",
            "confiance suffisante : le meilleur code atteint le seuil"),
    LOW_CONFIDENCE(2, "low confidence: the best code is below the threshold",
            "confiance insuffisante : le meilleur code est sous le seuil"),
    NO_CONTENT(3, "no content word: empty, or only numbers, units or function words",
            "aucun mot utile : vide, ou seulement des nombres, unités ou mots grammaticaux"),
    VAGUE(4, "too vague: only generic words (goods, samples, spare parts)",
            "trop vague : seulement des mots génériques (marchandises, échantillons, pièces)"),
    UNKNOWN_WORDS(5, "unknown words: no content word the model knows",
            "mots inconnus : aucun mot utile connu du modèle"),
    CONSTRAINT(6, "nothing under the filter: no code within the allowed prefixes",
            "rien sous le filtre : aucun code parmi les préfixes autorisés");

    private final int code;
    private final Bilingual label;

    Reason(int code, String english, String french) {
        this.code = code;
        this.label = new Bilingual(english, french);
    }

    /** The HSC_REASON_* value. */
    public int code() {
        return code;
    }

    /** For display: French for a French locale, else English. */
    public String text(Locale locale) {
        return label.text(locale);
    }

    /** The library's own English text (hsc_decision_reason_string). */
    public String libraryText() {
        return Text.read(Lib.hsc_decision_reason_string(code));
    }

    /** The reason of a C value; null for HSC_REASON_NONE or a value newer than this binding. */
    static Reason of(int code) {
        for (Reason r : values()) {
            if (r.code == code) {
                return r;
            }
        }
        return null;
    }
}
