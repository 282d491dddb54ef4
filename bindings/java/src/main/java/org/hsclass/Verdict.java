package org.hsclass;

import java.util.Locale;

/** Whether a declaration's best code may be used as is (HSC_DECISION_*). */
public enum Verdict {
    /** The best code may be used as is. */
    ACCEPT(1, "Accept", "Accepter"),
    /** A person must look at the declaration. */
    REVIEW(2, "Review", "À vérifier");

    private final int code;
    private final Bilingual label;

    Verdict(int code, String english, String french) {
        this.code = code;
        this.label = new Bilingual(english, french);
    }

    /** The HSC_DECISION_* value. */
    public int code() {
        return code;
    }

    /** For display: French for a French locale, else English. */
    public String text(Locale locale) {
        return label.text(locale);
    }
}
