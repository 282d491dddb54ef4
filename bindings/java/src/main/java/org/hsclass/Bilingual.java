package org.hsclass;

import java.util.Locale;

/** A display text in English and French: French for a French locale, else English. */
record Bilingual(String english, String french) {
    String text(Locale locale) {
        return isFrench(locale) ? french : english;
    }

    static boolean isFrench(Locale locale) {
        return locale != null && "fr".equals(locale.getLanguage());
    }
}
