package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import org.junit.jupiter.api.Test;

/** One Model shared by many threads gives the single-threaded results. */
class ThreadsTest {
    private static final List<String> TEXTS = TestSupport.texts("test.tsv");

    private static List<Classification> singles(Model model) {
        List<Classification> out = new ArrayList<>();
        for (String t : TEXTS) {
            out.add(model.classify(t, 5));
        }
        return out;
    }

    @Test
    void sixteenThreadsTimesTenThousandEqualOneThread() throws Exception {
        Model model = TestSupport.model();
        List<Classification> want = singles(model);
        int threads = 16;
        int calls = 10_000;
        CyclicBarrier start = new CyclicBarrier(threads);
        ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
        List<Thread> pool = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int offset = t * 37;  // threads do different texts at the same moment
            Thread th = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < calls; i++) {
                        int j = (i + offset) % TEXTS.size();
                        Classification got = model.classify(TEXTS.get(j), 5);
                        if (!got.equals(want.get(j))) {
                            throw new AssertionError("text " + j + ": " + got + " != "
                                    + want.get(j));
                        }
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            th.start();
            pool.add(th);
        }
        for (Thread th : pool) {
            th.join();
        }
        assertTrue(failures.isEmpty(), () -> failures.peek().toString());
    }

    @Test
    void classifyManyEqualsSinglesInOrder() {
        Model model = TestSupport.model();
        List<Classification> want = singles(model);
        for (int threads : new int[] {1, 2, 8}) {
            assertEquals(want, model.classifyMany(TEXTS, 5, ClassifyOptions.DEFAULT, threads));
        }
        assertEquals(want, model.classifyMany(TEXTS, 5));
        assertEquals(List.of(), model.classifyMany(List.of(), 5));
    }

    @Test
    void classifyManyThrowsTheFirstError() {
        Model model = TestSupport.model();
        List<String> texts = new ArrayList<>(TEXTS);
        texts.set(40, "bad \udc00 surrogate");
        HsclassException e = assertThrows(HsclassException.BadUtf8.class,
                () -> model.classifyMany(texts, 3, ClassifyOptions.DEFAULT, 4));
        assertEquals(Status.BAD_UTF8, e.status());
        assertThrows(HsclassException.InvalidArgument.class,
                () -> model.classifyMany(TEXTS, 3, ClassifyOptions.DEFAULT, 0));
    }

    @Test
    void oneSessionSharedByThreadsIsSerialized() throws Exception {
        Model model = TestSupport.model();
        List<Classification> want = singles(model);
        try (Session s = model.newSession()) {
            List<List<Classification>> got = new ArrayList<>();
            List<Thread> pool = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                List<Classification> mine = new ArrayList<>();
                got.add(mine);
                Thread th = new Thread(() -> {
                    for (String text : TEXTS) {
                        mine.add(s.classify(text, 5));
                    }
                });
                th.start();
                pool.add(th);
            }
            for (Thread th : pool) {
                th.join();
            }
            for (List<Classification> mine : got) {
                assertEquals(want, mine);
            }
        }
    }
}
