package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What an officer's screen shows: suggestions, totals, decisions, reasons, explanations. */
class ClassifyTest {
    private static final String BEEF = "frozen boneless beef cuts";

    @Test
    void suggestionsAreRankedWithDescriptions() {
        Model model = TestSupport.model();
        Classification c = model.classify(BEEF, 5);
        List<Suggestion> s = c.suggestions();
        assertEquals(5, s.size());
        for (int i = 1; i < s.size(); i++) {
            assertTrue(s.get(i - 1).probability() >= s.get(i).probability());
        }
        assertTrue(s.stream().mapToDouble(Suggestion::probability).sum() <= 1 + 1e-9);
        assertEquals("02", c.best().code().substring(0, 2));
        // English by default (the first language), French on request
        assertEquals(model.describe(c.best().code(), "en").orElseThrow(), c.best().description());
        Suggestion fr = model.classify(BEEF, 1, ClassifyOptions.DEFAULT.lang("fr")).best();
        assertEquals(model.describe(fr.code(), "fr").orElseThrow(), fr.description());
        assertTrue(fr.description().startsWith("Viandes"), fr.description());
        assertThrows(UnsupportedOperationException.class, () -> s.add(s.get(0)));
    }

    @Test
    void chapterAndHeadingTotals() {
        Model model = TestSupport.model();
        Classification all = model.classify(BEEF, model.labels().size());
        Classification c = model.classify(BEEF, 3);
        assertEquals("02", c.chapters().get(0).code());
        for (Suggestion heading : c.headings()) {
            assertEquals(4, heading.code().length());
            double below = all.suggestions().stream()
                    .filter(s -> s.code().startsWith(heading.code()))
                    .mapToDouble(Suggestion::probability).sum();
            assertEquals(below, heading.probability(), 1e-6);
        }
        assertEquals(c.suggestions(), c.level(6));
        assertEquals(List.of(), c.level(8));
        assertEquals(c.headings(),
                model.explain(BEEF, 3, ClassifyOptions.DEFAULT.level(4)).stream()
                        .map(e -> new Suggestion(e.code(), e.probability(), e.description()))
                        .toList());
    }

    @Test
    void decisionsWithReasonsInFrenchAndEnglish() {
        Model model = TestSupport.model();
        Decision empty = model.decide("", 3);
        assertEquals(Verdict.REVIEW, empty.verdict());
        assertEquals(Reason.NO_CONTENT, empty.reason());
        assertTrue(empty.suggestions().isEmpty());
        assertNull(empty.best());
        assertEquals(Reason.VAGUE, model.decide("goods", 3).reason());
        assertEquals(Reason.NO_CONTENT, model.decide("20 kg", 3).reason());
        Decision beef = model.decide(BEEF, 3);
        assertEquals(beef.verdict() == Verdict.ACCEPT, beef.reason() == Reason.CONFIDENT);
        assertEquals(beef.best().probability() >= beef.threshold(), beef.accepted());
        assertEquals(model.acceptThreshold(), beef.threshold());
        // a threshold of 0 accepts any classifiable text
        try (Session s = model.newSession(Config.DEFAULT.with(Option.ACCEPT_THRESHOLD, 0.0))) {
            Decision d = s.decide(BEEF, 3);
            assertEquals(Verdict.ACCEPT, d.verdict());
            assertEquals(Reason.CONFIDENT, d.reason());
            assertEquals("Accepter : confiance suffisante : le meilleur code atteint le seuil",
                    d.text(Locale.FRENCH));
            assertEquals("Accept: confident: the best code reaches the threshold",
                    d.text(Locale.ENGLISH));
        }
        assertEquals("À vérifier", Verdict.REVIEW.text(Locale.CANADA_FRENCH));
        for (Reason r : Reason.values()) {
            assertFalse(r.text(Locale.FRENCH).equals(r.text(Locale.ENGLISH)));
            assertFalse(r.libraryText().isEmpty());
        }
    }

    @Test
    void constraintsRestrictEveryLevel() {
        Model model = TestSupport.model();
        ClassifyOptions only = ClassifyOptions.DEFAULT.only("04", "0901");
        Classification c = model.classify(BEEF, 5, only);
        assertFalse(c.suggestions().isEmpty());
        assertTrue(c.suggestions().stream().allMatch(
                s -> s.code().startsWith("04") || s.code().startsWith("0901")), c.toString());
        assertTrue(c.chapters().stream().allMatch(s -> s.code().equals("04")
                || s.code().equals("09")));
        // the constraint is per call: the next call without one is unconstrained
        assertEquals("02", model.classify(BEEF, 1).chapters().get(0).code());
        Decision none = model.decide(BEEF, 3, ClassifyOptions.DEFAULT.only("99"));
        assertEquals(Reason.CONSTRAINT, none.reason());
        assertThrows(HsclassException.BadCode.class,
                () -> model.classify(BEEF, 3, ClassifyOptions.DEFAULT.only("8x")));
        assertEquals(model.classify(BEEF, 3), model.classify(BEEF, 3, ClassifyOptions.DEFAULT));
    }

    @Test
    void explanationsAddUpToTheirTotal() {
        Model model = TestSupport.model();
        List<Explanation> ex = model.explain("frozen boneless beef cuts in cartons", 3);
        assertEquals(3, ex.size());
        assertEquals(model.classify("frozen boneless beef cuts in cartons", 3).suggestions(),
                ex.stream().map(e -> new Suggestion(e.code(), e.probability(), e.description()))
                        .toList());
        for (Explanation e : ex) {
            double sum = e.words().stream().mapToDouble(WordWeight::weight).sum();
            assertEquals(e.total(), sum, 1e-6 * Math.max(1, Math.abs(sum)));
            for (int i = 1; i < e.words().size(); i++) {
                assertTrue(e.words().get(i - 1).weight() >= e.words().get(i).weight());
            }
            assertEquals(e.words().stream().filter(w -> w.weight() > 0).count(),
                    e.forWords().size());
        }
        assertTrue(ex.get(0).forWords().stream().anyMatch(w -> w.word().equals("boneless")));
        for (Explanation e : ex) {
            List<WordWeight> against = e.againstWords();
            if (!against.isEmpty()) {  // strongest against first: the last of words
                assertEquals(e.words().get(e.words().size() - 1), against.get(0));
            }
        }
    }

    @Test
    void precedentsWithTheirTexts() {
        Model model = TestSupport.model();
        List<Precedent> p = model.precedents("apricots fresh", 3);
        assertFalse(p.isEmpty());
        assertTrue(p.size() <= 3);
        for (int i = 1; i < p.size(); i++) {
            assertTrue(p.get(i - 1).similarity() >= p.get(i).similarity());
        }
        Precedent best = p.get(0);
        assertTrue(best.similarity() > 0 && best.similarity() <= 1);
        assertNotNull(best.text());
        assertTrue(best.text().toLowerCase(Locale.ROOT).contains("apricot"), best.text());
        assertTrue(best.source().endsWith(".tsv"), best.source());
        assertTrue(model.precedents("", 3).isEmpty());
        assertTrue(model.precedents("apricots fresh", 3, ClassifyOptions.DEFAULT.only("87"))
                .stream().allMatch(x -> x.code().startsWith("87")));
    }

    @Test
    void nomenclatureAndNationalLines() {
        Model model = TestSupport.model();
        assertEquals(Optional.of("Meat and edible meat offal"), model.describe("02"));
        assertEquals(Optional.of("Viandes et abats comestibles"), model.describe("02", "fr"));
        assertEquals(model.describe("020130"), model.describe("0201.30"));
        assertEquals(Optional.empty(), model.describe("9999"));
        assertThrows(HsclassException.BadCode.class, () -> model.describe("02x"));
        List<NomenclatureEntry> heading = model.lookup("0201", "fr");
        assertEquals("0201", heading.get(0).code());
        assertTrue(heading.size() > 1);
        assertTrue(heading.stream().allMatch(e -> e.code().startsWith("0201")));
        assertTrue(model.lookup("").size() > 1000);
        assertEquals(List.of(), model.lookup("99"));
        List<NationalLine> lines = model.nationalLines("020130");
        assertEquals(1, lines.size());
        assertEquals(new NationalLine("TEC-CEDEAO", "0201300000", lines.get(0).description()),
                lines.get(0));
        assertTrue(lines.get(0).description().contains("Désossées"));
        assertEquals(lines, model.nationalLines("0201.30", "TEC-CEDEAO"));
        assertEquals(List.of(), model.nationalLines("020130", "OTHER"));
        assertTrue(model.nationalLines("02").size() > 10);
        assertTrue(model.describe("0201300000").orElseThrow().contains("Désossées"));
    }
}
