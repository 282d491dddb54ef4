package org.hsclass;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.DoubleByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * A loaded classifier (hsc_model): immutable, shared by any number of
 * threads. Its classify, decide, explain and precedents methods use a
 * session of the calling thread's own, created on its first call and kept
 * (its buffers stay warm in that thread's cache: a session handed from
 * thread to thread cost 20-40% more per call with 8 threads), so a servlet
 * container's threads can all call one Model without thinking of sessions.
 * A thread's session is freed when the thread ends (by the Cleaner) or when
 * the model is closed. close() waits for the calls in progress, then frees
 * the sessions and the model; sessions made with newSession() keep working
 * until they are closed.
 */
public final class Model implements AutoCloseable {
    /** The default model's file name, installed in share/hsclass. */
    public static final String DEFAULT_MODEL = "hs6-multi.hscm";

    private final ModelData data;
    private final Config config;
    private final NativeResource resource;
    private final ThreadLocal<Session> threadSession = new ThreadLocal<>();
    // Every thread's session, weakly: a session whose thread has ended is
    // unreachable and its Cleaner frees it; close() frees the others.
    private final Set<Session> sessions =
            Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));
    // Readers: calls in progress; the writer: close(), which frees what they use.
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
    private volatile boolean closed;

    private Model(Pointer pointer, Config config) {
        this.config = config;
        this.resource = new NativeResource(this, pointer, Lib::hsc_model_free);
        try {
            this.data = new ModelData(pointer);
        } catch (RuntimeException e) {
            resource.close();
            throw e;
        }
    }

    /** Takes ownership of a native model (e.g. one just trained). */
    static Model adopt(Pointer pointer) {
        return new Model(pointer, Config.DEFAULT);
    }

    /** Loads a .hscm file. FileError, CorruptModel (the detail gives the byte offset), ModelError. */
    public static Model load(Path path) {
        return load(path, Config.DEFAULT);
    }

    /**
     * Loads a .hscm file; config sets the runtime options of its sessions
     * (MAX_TEXT_BYTES, UTF8_REPLACE, MATCH_LIMIT, ACCEPT_THRESHOLD).
     */
    public static Model load(Path path, Config config) {
        Pointer cfg = config.toNative();
        PointerByReference out = new PointerByReference();
        LongByReference offset = new LongByReference();
        int status;
        try {
            status = Lib.hsc_model_load_file(Text.cString(path.toString(), "path"), cfg, out,
                    offset);
        } finally {
            Config.free(cfg);
        }
        checkLoad(status, offset.getValue(), path.toString());
        return new Model(out.getValue(), config);
    }

    /** Loads a model from the bytes of a .hscm file (they are copied). */
    public static Model fromBytes(byte[] bytes) {
        return fromBytes(bytes, Config.DEFAULT);
    }

    public static Model fromBytes(byte[] bytes, Config config) {
        Pointer cfg = config.toNative();
        PointerByReference out = new PointerByReference();
        LongByReference offset = new LongByReference();
        int status;
        try {
            status = Lib.hsc_model_load_memory(bytes, bytes.length, cfg, out, offset);
        } finally {
            Config.free(cfg);
        }
        checkLoad(status, offset.getValue(), "(memory)");
        return new Model(out.getValue(), config);
    }

    /**
     * Loads the default model: the system property {@code hsclass.model},
     * else the environment variable {@code HSCLASS_MODEL}, else
     * share/hsclass/hs6-multi.hscm under the library's prefix. FileError
     * naming every place tried when none has it.
     */
    public static Model loadDefault() {
        List<String> tried = new ArrayList<>();
        for (Path p : defaultModelCandidates()) {
            if (Files.isRegularFile(p)) {
                return load(p);
            }
            tried.add(p.toString());
        }
        throw HsclassException.of(Status.IO.code(), "no default model; set -Dhsclass.model or "
                + "HSCLASS_MODEL. Tried: " + String.join(", ", tried));
    }

    private static List<Path> defaultModelCandidates() {
        String prop = System.getProperty("hsclass.model");
        if (prop != null && !prop.isEmpty()) {
            return List.of(Path.of(prop));
        }
        String env = System.getenv("HSCLASS_MODEL");
        if (env != null && !env.isEmpty()) {
            return List.of(Path.of(env));
        }
        List<Path> out = new ArrayList<>();
        File lib = Lib.LIBRARY.getFile();
        if (lib != null && lib.getParentFile() != null) {
            Path libdir = lib.toPath().toAbsolutePath().getParent();
            // lib/ or lib/<triplet>/ below the prefix
            for (Path prefix = libdir.getParent(); prefix != null && out.size() < 2;
                    prefix = prefix.getParent()) {
                out.add(prefix.resolve("share/hsclass").resolve(DEFAULT_MODEL));
            }
        }
        for (String prefix : new String[] {"/usr/local", "/usr"}) {
            Path p = Path.of(prefix, "share/hsclass", DEFAULT_MODEL);
            if (!out.contains(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private static void checkLoad(int status, long offset, String where) {
        if (status != 0) {
            HsclassException e = HsclassException.of(status, where);
            if (e instanceof HsclassException.CorruptModel) {
                e = HsclassException.of(status, where + " (at byte " + offset + ")");
                throw ((HsclassException.CorruptModel) e).at(offset);
            }
            throw e;
        }
    }

    // ---- lifetime ---------------------------------------------------------

    /** Waits for the calls in progress, then frees the threads' sessions and the model (idempotent). */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            synchronized (sessions) {
                for (Session s : sessions) {
                    s.close();
                }
                sessions.clear();
            }
            resource.close();
        } finally {
            lock.writeLock().unlock();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** A new session of its own (this model's config, then config's options over it). */
    public Session newSession(Config config) {
        return withModel(p -> new Session(data, this.config.with(config)));
    }

    public Session newSession() {
        return newSession(Config.DEFAULT);
    }

    /** Runs call with the model open; close() waits for it. Trainer.fromModel uses it too. */
    <T> T withModel(Function<Pointer, T> call) {
        lock.readLock().lock();
        try {
            return call.apply(resource.get("model"));
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Runs call on the calling thread's session. */
    private <T> T withSession(Function<Session, T> call) {
        lock.readLock().lock();
        try {
            if (closed) {
                throw HsclassException.closed("model");
            }
            Session s = threadSession.get();
            if (s == null) {
                s = new Session(data, config);
                sessions.add(s);
                threadSession.set(s);
            }
            return call.apply(s);
        } finally {
            lock.readLock().unlock();
        }
    }

    // ---- classification -----------------------------------------------------

    /** Up to k codes for text, best first, with chapter and heading totals. Thread-safe. */
    public Classification classify(String text, int k) {
        return withSession(s -> s.classify(text, k));
    }

    public Classification classify(String text, int k, ClassifyOptions options) {
        return withSession(s -> s.classify(text, k, options));
    }

    /** Accept or review, with the reason and the suggestions. Thread-safe. */
    public Decision decide(String text, int k) {
        return withSession(s -> s.decide(text, k));
    }

    public Decision decide(String text, int k, ClassifyOptions options) {
        return withSession(s -> s.decide(text, k, options));
    }

    /** The top k codes and the words for and against each. Thread-safe. */
    public List<Explanation> explain(String text, int k) {
        return withSession(s -> s.explain(text, k));
    }

    public List<Explanation> explain(String text, int k, ClassifyOptions options) {
        return withSession(s -> s.explain(text, k, options));
    }

    /** The n nearest training rows (empty for a model without a precedent memory). */
    public List<Precedent> precedents(String text, int n) {
        return withSession(s -> s.precedents(text, n));
    }

    public List<Precedent> precedents(String text, int n, ClassifyOptions options) {
        return withSession(s -> s.precedents(text, n, options));
    }

    /** Classifies texts on one thread per CPU; results in input order. */
    public List<Classification> classifyMany(List<String> texts, int k) {
        return classifyMany(texts, k, ClassifyOptions.DEFAULT,
                Runtime.getRuntime().availableProcessors());
    }

    /**
     * Classifies texts on up to threads threads (the calling thread among
     * them), each with its own session; results in input order. The first
     * error stops the others and is thrown.
     */
    public List<Classification> classifyMany(List<String> texts, int k, ClassifyOptions options,
                                             int threads) {
        if (threads < 1) {
            throw HsclassException.invalidArgument("threads must be at least 1, not " + threads);
        }
        Classification[] out = new Classification[texts.size()];
        AtomicInteger next = new AtomicInteger();
        AtomicReference<RuntimeException> failure = new AtomicReference<>();
        Runnable worker = () -> {
            try {
                withSession(s -> {
                    for (int i = next.getAndIncrement(); i < out.length && failure.get() == null;
                            i = next.getAndIncrement()) {
                        out[i] = s.classify(texts.get(i), k, options);
                    }
                    return null;
                });
            } catch (RuntimeException e) {
                failure.compareAndSet(null, e);
            }
        };
        int n = Math.min(threads, texts.size());
        Thread[] pool = new Thread[Math.max(0, n - 1)];
        for (int t = 0; t < pool.length; t++) {
            pool[t] = new Thread(worker, "hsclass-classifyMany-" + t);
            pool[t].setDaemon(true);
            pool[t].start();
        }
        worker.run();
        boolean interrupted = false;
        for (Thread t : pool) {
            while (true) {
                try {
                    t.join();
                    break;
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (failure.get() != null) {
            throw failure.get();
        }
        return List.of(out);
    }

    // ---- metadata -------------------------------------------------------------

    /** The codes this model can suggest, sorted. */
    public List<String> labels() {
        return data.labels;
    }

    /** The model's default accept threshold (fitted at training). */
    public double acceptThreshold() {
        return withModel(p -> {
            DoubleByReference out = new DoubleByReference();
            HsclassException.check(Lib.hsc_model_accept_threshold(p, out));
            return out.getValue();
        });
    }

    /** Languages of the code descriptions the model carries (may be empty). */
    public List<String> nomenclatureLanguages() {
        return withModel(p -> {
            PointerByReference out = new PointerByReference();
            HsclassException.check(Lib.hsc_model_nomenclature_languages(p, out));
            String text = Text.read(out.getValue());
            return text.isEmpty() ? List.of() : List.of(text.split(","));
        });
    }

    /** The national tariff schemes the model carries. */
    public List<NationalScheme> nationalSchemes() {
        return withModel(p -> {
            LongByReference n = new LongByReference();
            HsclassException.check(Lib.hsc_model_national_scheme_count(p, n));
            PointerByReference name = new PointerByReference();
            PointerByReference lang = new PointerByReference();
            List<NationalScheme> out = new ArrayList<>();
            for (long i = 0; i < n.getValue(); i++) {
                HsclassException.check(Lib.hsc_model_national_scheme(p, i, name, lang));
                out.add(new NationalScheme(Text.read(name.getValue()), Text.read(lang.getValue())));
            }
            return List.copyOf(out);
        });
    }

    /** Everything the model says about itself. */
    public ModelInfo info() {
        return withModel(p -> {
            String[] named = new String[11];
            PointerByReference value = new PointerByReference();
            for (int key = 1; key <= named.length; key++) {
                int status = Lib.hsc_model_info_str(p, key, value);
                named[key - 1] = status == 0 ? Text.read(value.getValue()) : "";
            }
            LongByReference n = new LongByReference();
            HsclassException.check(Lib.hsc_model_meta_count(p, n));
            PointerByReference key = new PointerByReference();
            Map<String, String> meta = new LinkedHashMap<>();
            for (long i = 0; i < n.getValue(); i++) {
                HsclassException.check(Lib.hsc_model_meta_get(p, i, key, value));
                meta.put(Text.read(key.getValue()), Text.read(value.getValue()));
            }
            return new ModelInfo(named[0], named[1], named[2], named[3], named[4], named[5],
                    named[6], named[7], named[8], named[9], named[10], data.labels.size(),
                    acceptThreshold(), nomenclatureLanguages(), nationalSchemes(), meta);
        });
    }

    // ---- nomenclature -----------------------------------------------------------

    /** The description of one code (a national line too) in its first language. */
    public Optional<String> describe(String code) {
        return describe(code, null);
    }

    /** The description of one code in lang (null: the first language that has one). */
    public Optional<String> describe(String code, String lang) {
        return withModel(p -> data.describe(code, lang));
    }

    /** The described codes starting with prefix ("0201": the heading and its subheadings). */
    public List<NomenclatureEntry> lookup(String prefix) {
        return lookup(prefix, null);
    }

    /** As lookup(prefix), descriptions in lang ("" where it has none). */
    public List<NomenclatureEntry> lookup(String prefix, String lang) {
        return withModel(p -> {
            byte[] text = Text.utf8(prefix);
            LongByReference first = new LongByReference();
            LongByReference count = new LongByReference();
            HsclassException.check(Lib.hsc_model_nomenclature_find(p, text, text.length, first,
                    count), prefix);
            byte[] l = Text.cString(lang, "lang");
            PointerByReference code = new PointerByReference();
            PointerByReference desc = new PointerByReference();
            List<NomenclatureEntry> out = new ArrayList<>();
            for (long i = first.getValue(); i < first.getValue() + count.getValue(); i++) {
                HsclassException.check(Lib.hsc_model_nomenclature_entry(p, i, l, code, desc));
                out.add(new NomenclatureEntry(Text.read(code.getValue()),
                        Text.read(desc.getValue())));
            }
            return List.copyOf(out);
        });
    }

    /** The national lines under code (an HS6 code gives its national lines), every scheme. */
    public List<NationalLine> nationalLines(String code) {
        return nationalLines(code, null);
    }

    /** As nationalLines(code), of the named scheme only (null: every scheme). */
    public List<NationalLine> nationalLines(String code, String scheme) {
        List<NationalScheme> schemes = nationalSchemes();
        return withModel(p -> {
            byte[] text = Text.utf8(code);
            LongByReference first = new LongByReference();
            LongByReference count = new LongByReference();
            PointerByReference c = new PointerByReference();
            PointerByReference d = new PointerByReference();
            List<NationalLine> out = new ArrayList<>();
            for (int k = 0; k < schemes.size(); k++) {
                String name = schemes.get(k).name();
                if (scheme != null && !scheme.equals(name)) {
                    continue;
                }
                HsclassException.check(Lib.hsc_model_national_find(p, k, text, text.length,
                        first, count), code);
                for (long i = first.getValue(); i < first.getValue() + count.getValue(); i++) {
                    HsclassException.check(Lib.hsc_model_national_line(p, k, i, c, d));
                    out.add(new NationalLine(name, Text.read(c.getValue()),
                            Text.read(d.getValue())));
                }
            }
            return List.copyOf(out);
        });
    }

    // ---- saving -----------------------------------------------------------------

    /** Writes the model to path atomically (deterministic bytes). */
    public void save(Path path) {
        withModel(p -> {
            HsclassException.check(Lib.hsc_model_save_file(p,
                    Text.cString(path.toString(), "path")), path.toString());
            return null;
        });
    }

    /** The bytes of the model's .hscm file. */
    public byte[] toBytes() {
        return withModel(p -> {
            PointerByReference buf = new PointerByReference();
            LongByReference len = new LongByReference();
            HsclassException.check(Lib.hsc_model_save_memory(p, buf, len));
            try {
                return buf.getValue().getByteArray(0, Math.toIntExact(len.getValue()));
            } finally {
                Lib.hsc_buffer_free(buf.getValue());
            }
        });
    }

    @Override
    public String toString() {
        return closed ? "Model(closed)" : "Model(" + data.labels.size() + " labels)";
    }
}
