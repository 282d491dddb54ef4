package org.hsclass;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.nio.file.Path;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Trains a model (hsc_trainer) from TSV files of "code&lt;TAB&gt;description"
 * rows and rows given one by one:
 * <pre>
 * try (Trainer t = new Trainer(Config.DEFAULT.with(Option.EPOCHS, 10))) {
 *     t.onRowError(e -&gt; log.warn(e.toString()));
 *     t.addFile(Path.of("declarations.tsv"), 3.0, Trainer.RowKind.DECLARATIONS);
 *     t.addNomenclatureFile(Path.of("nomenclature_fr.tsv"), "fr");
 *     try (Model m = t.train()) { m.save(Path.of("model.hscm")); }
 * }
 * </pre>
 * Calls are serialized; callbacks run on the thread that called train or add.
 * An exception thrown by a callback stops the work and is rethrown.
 */
public final class Trainer implements AutoCloseable {
    /** What rows are (HSC_ROWS_* flags). */
    public enum RowKind {
        /** Real declarations, as written by traders. */
        DECLARATIONS(0),
        /** Nomenclature paths ("A; B; Other"), expanded into short phrases. */
        NOMENCLATURE(1),
        /** Rows written for training (e.g. a phrasebook): never held out for validation. */
        SYNTHETIC(2);

        private final int flags;

        RowKind(int flags) {
            this.flags = flags;
        }

        /** The HSC_ROWS_* value. */
        public int flags() {
            return flags;
        }
    }

    /**
     * A malformed row: its file and 1-based line ("" and 0 for rows added
     * one by one), the status naming the problem, and the library's message.
     */
    public record RowError(String file, long line, int statusCode, String message) {
        public Status status() {
            return Status.of(statusCode);
        }
    }

    /** A progress report; validAccuracy is negative until measured. */
    public record Progress(int epoch, int epochs, double done, double loss,
                           double examplesPerSec, double validAccuracy) {}

    /** Receives progress reports; returns false to cancel the training (train throws Cancelled). */
    @FunctionalInterface
    public interface ProgressListener {
        boolean onProgress(Progress progress);
    }

    /** While a file is read: its lines and bytes so far, and its size (0 when unknown). */
    public record ReadProgress(String file, long lines, long bytes, long size) {}

    /** Receives reading reports; returns false to stop reading (addFile throws Cancelled). */
    @FunctionalInterface
    public interface ReadProgressListener {
        boolean onReadProgress(ReadProgress progress);
    }

    private final NativeResource resource;
    private Consumer<RowError> rowErrors;
    private ProgressListener progress;
    private ReadProgressListener readProgress;
    private Throwable pending;  // thrown by a callback, rethrown after the C call
    // Kept as fields: the native side calls them for as long as the trainer lives.
    private final Lib.RowErrorFn rowErrorFn = this::rowError;
    private final Lib.ProgressFn progressFn = this::progress;
    private final Lib.ReadProgressFn readProgressFn = this::readProgress;

    /** A trainer with the library's default options. */
    public Trainer() {
        this(Config.DEFAULT);
    }

    /** A trainer with these options (EPOCHS, DIM, LANGUAGES, CODE_DIGITS, THREADS...). */
    public Trainer(Config config) {
        this(create(config, null));
    }

    /** Epochs used when adapting a model and EPOCHS is not set (HSC_ADAPT_EPOCHS). */
    public static final int ADAPT_EPOCHS = 4;

    /**
     * A trainer that adapts base (e.g. the shipped model) to the rows added:
     * training starts from base's weights, keeps its labels and adds the
     * rows' codes (national lines with CODE_DIGITS 8 or 10), and refits the
     * calibration on the new held-out rows (hsc_trainer_new_from_model).
     * config's training options apply (EPOCHS defaults to ADAPT_EPOCHS, as
     * in the CLI's train --from); its featurization options are ignored.
     * base is not modified and may be closed afterwards.
     */
    public static Trainer fromModel(Model base, Config config) {
        Config cfg = config.values().containsKey(Option.EPOCHS) ? config
                : config.with(Option.EPOCHS, ADAPT_EPOCHS);
        Pointer trainer = base.withModel(p -> create(cfg, p));
        return new Trainer(trainer);
    }

    public static Trainer fromModel(Model base) {
        return fromModel(base, Config.DEFAULT);
    }

    /** A native trainer: a new one, or one adapting base when base is not null. */
    private static Pointer create(Config config, Pointer base) {
        Pointer cfg = config.toNative();
        PointerByReference out = new PointerByReference();
        try {
            HsclassException.check(base == null ? Lib.hsc_trainer_new(cfg, out)
                    : Lib.hsc_trainer_new_from_model(cfg, base, out));
        } finally {
            Config.free(cfg);
        }
        return out.getValue();
    }

    private Trainer(Pointer h) {
        resource = new NativeResource(this, h, Lib::hsc_trainer_free);
        HsclassException.check(Lib.hsc_trainer_set_row_error_callback(h, rowErrorFn, null));
        HsclassException.check(Lib.hsc_trainer_set_progress_callback(h, progressFn, null));
        HsclassException.check(Lib.hsc_trainer_set_read_progress_callback(h, readProgressFn,
                null));
    }

    @Override
    public synchronized void close() {
        resource.close();
    }

    private Pointer h() {
        return resource.get("trainer");
    }

    /** Receives each malformed row (skipped, unless the STRICT option makes it an error). */
    public synchronized Trainer onRowError(Consumer<RowError> listener) {
        rowErrors = listener;
        return this;
    }

    public synchronized Trainer onProgress(ProgressListener listener) {
        progress = listener;
        return this;
    }

    /**
     * Reports while addFile reads (every 16,384 lines and at the end of the
     * file); returning false stops reading, the rows read so far staying added.
     */
    public synchronized Trainer onReadProgress(ReadProgressListener listener) {
        readProgress = listener;
        return this;
    }

    /**
     * Writes the training state to path after every epoch (atomically, with a
     * checksum), so that an interrupted run can resume; null for none. A path
     * that cannot be written throws FileError now, not after an epoch.
     */
    public synchronized Trainer checkpoint(Path path) {
        call(Lib.hsc_trainer_set_checkpoint(h(), optionalPath(path)), String.valueOf(path));
        return this;
    }

    /**
     * Continues the run that wrote the checkpoint at path: add the same rows
     * with the same options, then train trains only the remaining epochs
     * (with THREADS 1, the model is byte for byte the uninterrupted one).
     * A damaged file throws CHECKPOINT_CORRUPT here; one written for other
     * rows or options throws CHECKPOINT_MISMATCH from train. Null: start afresh.
     */
    public synchronized Trainer resume(Path path) {
        call(Lib.hsc_trainer_set_resume(h(), optionalPath(path)), String.valueOf(path));
        return this;
    }

    private static byte[] optionalPath(Path path) {
        return path == null ? null : Text.cString(path.toString(), "path");
    }

    /** Adds a TSV file's rows; weight (&gt; 0) scales each of them. */
    public synchronized Trainer addFile(Path path, double weight, RowKind kind) {
        call(Lib.hsc_trainer_add_file(h(), Text.cString(path.toString(), "path"), weight,
                kind.flags()), path.toString());
        return this;
    }

    public Trainer addFile(Path path) {
        return addFile(path, 1.0, RowKind.DECLARATIONS);
    }

    /** Adds one row (code written as HsCode.parse reads it). */
    public synchronized Trainer addRow(String code, String text, double weight, RowKind kind) {
        byte[] c = Text.utf8(code);
        byte[] t = Text.utf8(text);
        call(Lib.hsc_trainer_add_row(h(), c, c.length, t, t.length, weight, kind.flags()), code);
        return this;
    }

    public Trainer addRow(String code, String text) {
        return addRow(code, text, 1.0, RowKind.DECLARATIONS);
    }

    /** Code descriptions in lang ("en", "fr") that the model will carry (Model.describe). */
    public synchronized Trainer addNomenclatureFile(Path path, String lang) {
        call(Lib.hsc_trainer_add_nomenclature_file(h(), Text.cString(path.toString(), "path"),
                Text.cString(lang, "lang")), path.toString());
        return this;
    }

    /** National tariff lines of a scheme ("TEC-CEDEAO") in lang (Model.nationalLines). */
    public synchronized Trainer addNationalFile(Path path, String scheme, String lang) {
        call(Lib.hsc_trainer_add_national_file(h(), Text.cString(path.toString(), "path"),
                Text.cString(scheme, "scheme"), Text.cString(lang, "lang")), path.toString());
        return this;
    }

    /**
     * A correlation table (e.g. HS 2017 to HS 2022) of "old&lt;TAB&gt;new[&lt;TAB&gt;share]"
     * rows: training rows with an old code learn the new one(s), a one-to-many
     * code splitting its rows' weight by the shares (hsc_trainer_add_code_map).
     */
    public synchronized Trainer addCodeMap(Path path) {
        call(Lib.hsc_trainer_add_code_map(h(), Text.cString(path.toString(), "path")),
                path.toString());
        return this;
    }

    /** Rows accepted and rejected so far: {accepted, rejected}. */
    public synchronized long[] rowCounts() {
        LongByReference accepted = new LongByReference();
        LongByReference rejected = new LongByReference();
        HsclassException.check(Lib.hsc_trainer_row_counts(h(), accepted, rejected));
        return new long[] {accepted.getValue(), rejected.getValue()};
    }

    /** Description rows and national lines accepted, and rows of those files rejected. */
    public synchronized long[] nomenclatureCounts() {
        LongByReference descriptions = new LongByReference();
        LongByReference lines = new LongByReference();
        LongByReference rejected = new LongByReference();
        HsclassException.check(Lib.hsc_trainer_nomenclature_counts(h(), descriptions, lines,
                rejected));
        return new long[] {descriptions.getValue(), lines.getValue(), rejected.getValue()};
    }

    /**
     * Trains on everything added and returns the new model (the caller
     * closes it). NoData, OneClass (training data errors), Cancelled, BadRow
     * (STRICT), or the exception a callback threw.
     */
    public synchronized Model train() {
        PointerByReference out = new PointerByReference();
        int status = Lib.hsc_trainer_train(h(), out);
        if (status == 0 && pending != null) {
            Lib.hsc_model_free(out.getValue());  // a row-error callback failed: no model
        }
        call(status, "");
        return Model.adopt(out.getValue());
    }

    /** Rethrows a callback's exception first, then the status's. */
    private void call(int status, String detail) {
        Throwable e = pending;
        pending = null;
        if (e instanceof RuntimeException) {
            throw (RuntimeException) e;
        }
        if (e instanceof Error) {
            throw (Error) e;
        }
        HsclassException.check(status, detail);
    }

    private void rowError(Pointer user, Pointer file, long line, int status, Pointer message) {
        Consumer<RowError> listener = rowErrors;
        if (listener != null) {
            answer(() -> {
                listener.accept(new RowError(Text.read(file), line, status, Text.read(message)));
                return true;
            });
        }
    }

    private int readProgress(Pointer user, Pointer file, long lines, long bytes, long size) {
        ReadProgressListener listener = readProgress;
        return answer(() -> listener == null
                || listener.onReadProgress(new ReadProgress(Text.read(file), lines, bytes, size)));
    }

    private int progress(Pointer user, int epoch, int epochs, double done, double loss,
                         double examplesPerSec, double validAccuracy) {
        ProgressListener listener = progress;
        return answer(() -> listener == null || listener.onProgress(
                new Progress(epoch, epochs, done, loss, examplesPerSec, validAccuracy)));
    }

    /**
     * A listener's answer as C wants it: 0 to go on, 1 to stop. An exception
     * is kept for rethrowing after the C call (never unwound through C), and
     * once one is kept every later call says stop.
     */
    private int answer(BooleanSupplier goOn) {
        if (pending != null) {
            return 1;
        }
        try {
            return goOn.getAsBoolean() ? 0 : 1;
        } catch (RuntimeException | Error e) {
            pending = e;
            return 1;
        }
    }
}
