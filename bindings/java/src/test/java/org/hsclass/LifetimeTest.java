package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Models, sessions, trainers and evaluations closed in any order; never a crash. */
class LifetimeTest {
    private static final String TEXT = "frozen boneless beef cuts";

    @Test
    void modelClosedBeforeItsSessions() {
        Model model = Model.load(TestSupport.modelPath());
        Classification want = model.classify(TEXT, 3);
        Session a = model.newSession();
        Session b = model.newSession(Config.DEFAULT.with(Option.MAX_TEXT_BYTES, 1000));
        model.close();
        assertTrue(model.isClosed());
        // the sessions keep the native model: results and descriptions still work
        assertEquals(want, a.classify(TEXT, 3));
        assertEquals(want, b.classify(TEXT, 3));
        assertFalse(a.explain(TEXT, 1).isEmpty());
        HsclassException e = assertThrows(HsclassException.StateError.class,
                () -> model.classify(TEXT, 3));
        assertEquals("HSC_E_STATE", e.statusName());
        assertThrows(HsclassException.StateError.class, model::newSession);
        assertThrows(HsclassException.StateError.class, () -> model.describe("02"));
        b.close();
        assertEquals(want, a.classify(TEXT, 3));
        a.close();
        assertThrows(HsclassException.StateError.class, () -> a.classify(TEXT, 3));
        model.close();  // idempotent
        a.close();
    }

    @Test
    void sessionsClosedBeforeTheirModel() {
        try (Model model = Model.load(TestSupport.modelPath())) {
            Classification want = model.classify(TEXT, 3);
            for (int i = 0; i < 3; i++) {
                try (Session s = model.newSession()) {
                    assertEquals(want, s.classify(TEXT, 3));
                }
            }
            assertEquals(want, model.classify(TEXT, 3));
        }
    }

    @Test
    void closeWhileOtherThreadsClassify() throws Exception {
        Model model = Model.load(TestSupport.modelPath());
        List<String> texts = TestSupport.texts("test.tsv");
        AtomicInteger done = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        List<Throwable> other = new ArrayList<>();
        List<Thread> pool = new ArrayList<>();
        for (int t = 0; t < 6; t++) {
            Thread th = new Thread(() -> {
                try {
                    for (int i = 0; ; i++) {
                        model.classify(texts.get(i % texts.size()), 3);
                        done.incrementAndGet();
                    }
                } catch (HsclassException.StateError e) {
                    refused.incrementAndGet();  // the model was closed: the only way out
                } catch (Throwable e) {
                    synchronized (other) {
                        other.add(e);
                    }
                }
            });
            th.start();
            pool.add(th);
        }
        while (done.get() < 200) {
            Thread.sleep(5);
        }
        model.close();
        for (Thread th : pool) {
            th.join();
        }
        assertEquals(List.of(), other);
        assertEquals(6, refused.get());
    }

    @Test
    void unclosedObjectsAreCleaned() throws Exception {
        // Dropped without close: the Cleaner frees them; this must neither
        // crash nor fail (a leak would show under valgrind, not here).
        for (int i = 0; i < 20; i++) {
            Model m = Model.load(TestSupport.modelPath());
            m.newSession().classify(TEXT, 1);
            m.classify(TEXT, 1);
            new Evaluation().add(0.5, true);
        }
        System.gc();
        Thread.sleep(100);
        System.gc();
        assertEquals(TestSupport.model().classify(TEXT, 3),
                Model.load(TestSupport.modelPath()).classify(TEXT, 3));
    }

    @Test
    void closedTrainerAndEvaluationRefuse() {
        Trainer t = new Trainer();
        t.close();
        t.close();
        assertThrows(HsclassException.StateError.class, () -> t.addRow("020130", "beef"));
        assertThrows(HsclassException.StateError.class, t::train);
        Evaluation ev = new Evaluation();
        ev.close();
        assertThrows(HsclassException.StateError.class, () -> ev.add(0.5, true));
    }
}
