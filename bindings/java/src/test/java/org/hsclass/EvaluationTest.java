package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** The library's evaluation API over the binding's classifications. */
class EvaluationTest {
    @Test
    void calibrationOfTheTestSet() {
        Model model = TestSupport.model();
        List<String[]> rows = TestSupport.rows("test.tsv");
        List<String> texts = rows.stream().map(r -> r[1]).toList();
        List<String> codes = rows.stream().map(r -> r[0]).toList();
        try (Evaluation ev = Evaluation.of(model, texts, codes)) {
            Evaluation.Counts counts = ev.counts();
            assertEquals(rows.size(), counts.rows());
            // the same counts by hand
            long suggested = 0;
            long right = 0;
            double confidence = 0;
            for (String[] r : rows) {
                Suggestion best = model.classify(r[1], 1).best();
                if (best != null) {
                    suggested++;
                    right += best.code().equals(r[0]) ? 1 : 0;
                    confidence += best.probability();
                }
            }
            assertEquals(new Evaluation.Counts(rows.size(), suggested, right), counts);
            Evaluation.Calibration cal = ev.calibration(15).orElseThrow();
            assertEquals(confidence / rows.size(), cal.meanConfidence(), 1e-9);
            assertTrue(cal.ece() >= 0 && cal.ece() <= 1);
            List<Evaluation.Bin> bins = ev.reliability(10);
            assertEquals(10, bins.size());
            assertEquals(rows.size(), bins.stream().mapToLong(Evaluation.Bin::rows).sum());
            assertEquals(new Evaluation.Accepted(suggested, right), ev.accepted(0.0));
            Evaluation.Ranked top = ev.ranked(0);
            assertTrue(top.confidence() >= ev.ranked(1).confidence());
            assertThrows(HsclassException.NoResult.class, () -> ev.ranked(rows.size()));
            OptionalDouble t = ev.threshold(0.5, 1);
            if (t.isPresent()) {
                Evaluation.Accepted a = ev.accepted(t.getAsDouble());
                assertTrue(a.correct() >= 0.5 * a.accepted());
            }
        }
    }

    @Test
    void handMadeRows() {
        try (Evaluation ev = new Evaluation()) {
            assertEquals(Optional.empty(), ev.calibration(15));
            assertEquals(List.of(), ev.reliability(5));
            assertEquals(OptionalDouble.empty(), ev.threshold(0.9, 1));
            ev.add(0.9, true);
            ev.add(0.9, true);
            ev.add(0.2, false);
            ev.addNoSuggestion();
            assertEquals(new Evaluation.Counts(4, 3, 2), ev.counts());
            // bins of 0.5: [0, 0.5) holds 0.2 and the no-suggestion row (wrong, 0),
            // [0.5, 1] the two right 0.9s: ECE = (2*|0-0.1| + 2*|1-0.9|)/4 = 0.1
            assertEquals(0.1, ev.calibration(2).orElseThrow().ece(), 1e-12);
            assertEquals(new Evaluation.Accepted(2, 2), ev.accepted(0.5));
            assertEquals(0.9, ev.threshold(1.0, 2).getAsDouble(), 1e-12);
            assertEquals(new Evaluation.Ranked(-1.0, false), ev.ranked(3));
            assertThrows(HsclassException.InvalidArgument.class, () -> ev.add(1.5, true));
            assertThrows(HsclassException.InvalidArgument.class, () -> ev.add(Double.NaN, true));
            assertThrows(HsclassException.InvalidArgument.class, () -> ev.calibration(0));
            assertFalse(ev.reliability(2).isEmpty());
        }
        assertThrows(HsclassException.InvalidArgument.class,
                () -> Evaluation.of(TestSupport.model(), List.of("a"), List.of()));
    }
}
