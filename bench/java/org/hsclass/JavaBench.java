package org.hsclass;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The binding's overhead per call (bench/java/run.sh): on each of THREADS
 * threads sharing one Model, rounds of ROUND texts classified by the C loop
 * (classify_loop.c, its own session on the same native model) and by
 * Model.classify(text, k), alternating which goes first, after a warm-up
 * round of each (JIT, session pool, description cache). Figures are the
 * worker threads' CPU time. In package org.hsclass only to reach the native
 * model of a Model (package-private), so both sides use the same one.
 *   JavaBench MODEL TEXTS LOOP_LIBRARY K THREADS
 * Prints: calls c_cpu_seconds java_cpu_seconds median_round_ratio wall_seconds
 */
public final class JavaBench {
    static native int bench_classify(Pointer session, Pointer texts, Pointer lens, long n, int k);

    private static final int ROUND = 1000;

    private JavaBench() {}

    public static void main(String[] args) throws Exception {
        List<String> texts = Files.readAllLines(Path.of(args[1]), StandardCharsets.UTF_8);
        Native.register(JavaBench.class, NativeLibrary.getInstance(args[2]));
        int k = Integer.parseInt(args[3]);
        int threads = Integer.parseInt(args[4]);
        try (Model model = Model.load(Path.of(args[0]))) {
            Pointer modelPointer = modelPointer(model);
            List<Memory[]> rounds = new ArrayList<>();
            for (int i = 0; i < texts.size(); i += ROUND) {
                rounds.add(nativeTexts(texts.subList(i, Math.min(texts.size(), i + ROUND))));
            }
            long[][] cpu = new long[threads][];
            List<List<Double>> ratios = new ArrayList<>();
            Thread[] pool = new Thread[threads];
            long wall = System.nanoTime();
            for (int t = 0; t < threads; t++) {
                int me = t;
                List<Double> mine = new ArrayList<>();
                ratios.add(mine);
                pool[t] = new Thread(() -> cpu[me] = worker(model, modelPointer, texts, rounds, k,
                        mine));
                pool[t].start();
            }
            for (Thread th : pool) {
                th.join();
            }
            double seconds = (System.nanoTime() - wall) * 1e-9;
            long c = 0;
            long j = 0;
            List<Double> all = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                c += cpu[t][0];
                j += cpu[t][1];
                all.addAll(ratios.get(t));
            }
            all.sort(null);
            long calls = (long) texts.size() * threads;
            System.out.printf("%d %.6f %.6f %.6f %.3f%n", calls, c * 1e-9, j * 1e-9,
                    all.get(all.size() / 2), seconds);
        }
    }

    /** {C CPU ns, Java CPU ns} over every round; ratios gets Java/C per round. */
    private static long[] worker(Model model, Pointer modelPointer, List<String> texts,
                                 List<Memory[]> rounds, int k, List<Double> ratios) {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        PointerByReference out = new PointerByReference();
        HsclassException.check(Lib.hsc_session_new(modelPointer, null, out));
        Pointer session = out.getValue();
        long c = 0;
        long j = 0;
        try {
            for (int r = -1; r < rounds.size(); r++) {
                int index = Math.max(r, 0);  // round -1: warm-up, not counted
                Memory[] m = rounds.get(index);
                List<String> chunk = texts.subList(index * ROUND,
                        Math.min(texts.size(), (index + 1) * ROUND));
                long tc = 0;
                long tj = 0;
                for (int side = 0; side < 2; side++) {
                    boolean cFirst = (r & 1) == 0;
                    long start = mx.getCurrentThreadCpuTime();
                    if ((side == 0) == cFirst) {
                        if (bench_classify(session, m[0], m[1], chunk.size(), k) != 0) {
                            throw new IllegalStateException("the C loop failed");
                        }
                        tc = mx.getCurrentThreadCpuTime() - start;
                    } else {
                        for (String text : chunk) {
                            model.classify(text, k);
                        }
                        tj = mx.getCurrentThreadCpuTime() - start;
                    }
                }
                if (r >= 0) {
                    c += tc;
                    j += tj;
                    ratios.add((double) tj / tc);
                }
            }
        } finally {
            Lib.hsc_session_free(session);
        }
        return new long[] {c, j};
    }

    /** {char *texts[], size_t lens[], the UTF-8 bytes} in native memory. */
    private static Memory[] nativeTexts(List<String> chunk) {
        Memory ptrs = new Memory(8L * chunk.size());
        Memory lens = new Memory(8L * chunk.size());
        byte[][] bytes = new byte[chunk.size()][];
        long total = 1;
        for (int i = 0; i < chunk.size(); i++) {
            bytes[i] = chunk.get(i).getBytes(StandardCharsets.UTF_8);
            total += bytes[i].length + 1;
        }
        Memory data = new Memory(total);
        long off = 0;
        for (int i = 0; i < chunk.size(); i++) {
            data.write(off, bytes[i], 0, bytes[i].length);
            data.setByte(off + bytes[i].length, (byte) 0);
            ptrs.setPointer(8L * i, data.share(off));
            lens.setLong(8L * i, bytes[i].length);
            off += bytes[i].length + 1;
        }
        return new Memory[] {ptrs, lens, data};
    }

    private static Pointer modelPointer(Model model) throws ReflectiveOperationException {
        java.lang.reflect.Field f = Model.class.getDeclaredField("data");
        f.setAccessible(true);
        return ((ModelData) f.get(model)).pointer;
    }
}
