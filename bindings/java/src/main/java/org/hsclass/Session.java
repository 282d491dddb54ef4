package org.hsclass;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.DoubleByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Per-thread working state over a model (hsc_session). Most callers never
 * need one: Model's methods borrow sessions from a pool. A Session is for a
 * thread that wants its own (e.g. with its own config); calls from several
 * threads on one Session are serialized. A session keeps its model's native
 * data alive, so Model and Session may be closed in any order.
 */
public final class Session implements AutoCloseable {
    private final ModelData model;
    private final NativeResource resource;
    // Out-parameters reused by every call (the session is used by one thread at a time);
    // the classify path's are two 8-byte slots of scratch memory (see Lib).
    private final Memory scratch = new Memory(16);
    private final Pointer slot0 = scratch.share(0, 8);
    private final Pointer slot1 = scratch.share(8, 8);
    // The same 16 bytes read from Java without a JNI call per value (Pointer.getX is one).
    private final ByteBuffer slots = scratch.getByteBuffer(0, 16).order(ByteOrder.nativeOrder());
    private final LongByReference count = new LongByReference();
    private final LongByReference index = new LongByReference();
    private final PointerByReference str = new PointerByReference();
    private final PointerByReference str2 = new PointerByReference();
    private final PointerByReference str3 = new PointerByReference();
    private final DoubleByReference number = new DoubleByReference();
    private final DoubleByReference number2 = new DoubleByReference();
    private String only = "";
    // Descriptions of the codes this session has suggested, per language (""
    // for the default): a few thousand at most, looked up for every
    // suggestion. The session's own, so no lock (a shared ConcurrentHashMap
    // was a tenth of the binding's time with 8 threads).
    private final HashMap<String, HashMap<String, Optional<String>>> descriptions =
            new HashMap<>();

    Session(ModelData model, Config config) {
        this.model = model;
        Pointer cfg = config.toNative();
        PointerByReference out = new PointerByReference();
        try {
            HsclassException.check(Lib.hsc_session_new(model.pointer, cfg, out));
        } finally {
            Config.free(cfg);
        }
        resource = new NativeResource(this, out.getValue(), Lib::hsc_session_free);
    }

    /** Frees the native session (idempotent). */
    @Override
    public synchronized void close() {
        resource.close();
    }

    public boolean isClosed() {
        return resource.isClosed();
    }

    /** Up to k codes for text at every level (see Classification). */
    public Classification classify(String text, int k) {
        return classify(text, k, ClassifyOptions.DEFAULT);
    }

    /** As classify(text, k), restricted by options.only, descriptions in options.lang. */
    public synchronized Classification classify(String text, int k, ClassifyOptions options) {
        model.checkLevel(options.level());  // every level is returned; a wrong one is still a mistake
        Pointer h = run(text, k, options.only());
        TreeMap<Integer, List<Suggestion>> levels = new TreeMap<>();
        List<Suggestion> labels = results(h, 0, k, options.lang());
        levels.put(0, labels);
        if (model.labelDigits != 0) {
            levels.put(model.labelDigits, labels);
        }
        for (int level : model.levels) {
            levels.put(level, results(h, level, k, options.lang()));
        }
        return new Classification(labels, levels);
    }

    /** Classify text and say whether its best code may be accepted as is. */
    public Decision decide(String text, int k) {
        return decide(text, k, ClassifyOptions.DEFAULT);
    }

    public synchronized Decision decide(String text, int k, ClassifyOptions options) {
        Pointer h = run(text, k, options.only());
        checkSession(h, Lib.hsc_session_decision(h, slot0, slot1));
        int decision = slots.getInt(0);
        int reason = slots.getInt(8);
        checkSession(h, Lib.hsc_session_accept_threshold(h, slot0));
        double threshold = slots.getDouble(0);
        Verdict v = decision == Verdict.ACCEPT.code() ? Verdict.ACCEPT : Verdict.REVIEW;
        Reason r = Reason.of(reason);
        if (r == null) {
            throw HsclassException.of(Status.INTERNAL.code(), "unknown decision reason " + reason);
        }
        return new Decision(v, r, threshold, results(h, 0, k, options.lang()));
    }

    /** The top k codes with each word's weight for and against them (see Explanation). */
    public List<Explanation> explain(String text, int k) {
        return explain(text, k, ClassifyOptions.DEFAULT);
    }

    /** As explain(text, k), at options.level (0: the model's codes; 2, 4...: chapters, headings...). */
    public synchronized List<Explanation> explain(String text, int k, ClassifyOptions options) {
        int level = options.level();
        model.checkLevel(level);
        int[] charIndex = Text.charIndexOfBytes(text);
        Pointer h = run(text, k, options.only());
        int digits = model.digitsArg(level);
        List<Suggestion> suggestions = results(h, level, k, options.lang());
        List<Explanation> out = new ArrayList<>();
        for (int i = 0; i < suggestions.size(); i++) {
            Suggestion s = suggestions.get(i);
            checkSession(h, Lib.hsc_session_explain(h, digits, i));
            checkSession(h, Lib.hsc_session_explain_count(h, count));
            checkSession(h, Lib.hsc_session_explain_total(h, number2));
            long n = count.getValue();
            List<WordWeight> words = new ArrayList<>();
            for (long j = 0; j < n; j++) {
                checkSession(h, Lib.hsc_session_explain_item(h, j, index, number));
                double weight = number.getValue();
                // token_span's outs reuse index and count: n and the weight are read already
                checkSession(h, Lib.hsc_session_token_span(h, index.getValue(), index, count));
                int a = charIndex[(int) index.getValue()];
                int b = charIndex[(int) (index.getValue() + count.getValue())];
                words.add(new WordWeight(text.substring(a, b), weight, a, b));
            }
            out.add(new Explanation(s.code(), s.probability(), s.description(),
                    number2.getValue(), words));
        }
        return out;
    }

    /** The n training rows nearest to text in the model's precedent memory (none without one). */
    public List<Precedent> precedents(String text, int n) {
        return precedents(text, n, ClassifyOptions.DEFAULT);
    }

    public synchronized List<Precedent> precedents(String text, int n, ClassifyOptions options) {
        if (n < 0) {
            throw HsclassException.invalidArgument("n must be >= 0, not " + n);
        }
        Pointer h = run(text, 1, options.only());
        checkSession(h, Lib.hsc_session_precedent_count(h, count));
        long found = Math.min(n, count.getValue());
        List<Precedent> out = new ArrayList<>();
        for (long i = 0; i < found; i++) {
            checkSession(h, Lib.hsc_session_precedent(h, i, str, number, str2, str3));
            out.add(new Precedent(Text.read(str.getValue()), number.getValue(),
                    Text.read(str2.getValue()), Text.read(str3.getValue())));
        }
        return List.copyOf(out);
    }

    /** Sets the constraint if it changed, then classifies (caller holds the lock). */
    private Pointer run(String text, int k, String prefixes) {
        Pointer h = resource.get("session");
        if (text == null) {
            throw HsclassException.invalidArgument("text is null");
        }
        if (k < 1) {
            throw HsclassException.invalidArgument("k must be at least 1, not " + k);
        }
        byte[] data = Text.utf8(text);
        if (!prefixes.equals(only)) {
            byte[] p = Text.utf8(prefixes);
            checkSession(h, Lib.hsc_session_set_constraint(h, p, p.length));
            only = prefixes;
        }
        checkSession(h, Lib.hsc_session_classify(h, data, data.length, k));
        return h;
    }

    private List<Suggestion> results(Pointer h, int level, int k, String lang) {
        int digits = model.digitsArg(level);
        List<Suggestion> out = new ArrayList<>(Math.min(k, 16));
        // Read results until k or HSC_E_NO_RESULT: no count call (JNA calls are
        // most of the binding's cost per classify).
        for (int i = 0; i < k; i++) {
            int status = Lib.hsc_session_result(h, digits, i, slot0, slot1);
            if (status == Status.NO_RESULT.code()) {
                break;
            }
            if (status == Status.INVALID_ARG.code() && digits != 0) {
                throw HsclassException.invalidArgument("the model has no level " + level);
            }
            checkSession(h, status);
            String code = Text.read(new Pointer(slots.getLong(0)));
            out.add(new Suggestion(code, slots.getDouble(8), describe(code, lang)));
        }
        return Collections.unmodifiableList(out);
    }

    private String describe(String code, String lang) {
        HashMap<String, Optional<String>> byCode =
                descriptions.computeIfAbsent(lang == null ? "" : lang, l -> new HashMap<>());
        Optional<String> hit = byCode.get(code);
        if (hit == null) {
            hit = model.describe(code, lang);
            byCode.put(code, hit);
        }
        return hit.orElse(null);
    }

    /** Throws for a failed call, with the session's detail (e.g. the offset of bad UTF-8). */
    private static void checkSession(Pointer h, int status) {
        if (status != 0) {
            throw HsclassException.of(status, Text.read(Lib.hsc_session_last_error_detail(h)));
        }
    }
}
