package org.hsclass;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.DoubleByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * How well calibrated probabilities predict right answers (hsc_eval): add
 * one row per classified text, the probability of its best code and whether
 * that code is right, then read the calibration error, the reliability bins
 * and what a threshold accepts. The same figures as `hsclass eval` and
 * training. Calls are serialized (one thread at a time, as in C).
 */
public final class Evaluation implements AutoCloseable {
    /** Calibration error over equal-width bins, and the mean confidence of all rows. */
    public record Calibration(double ece, double meanConfidence) {}

    /** A reliability bin [low, high): its rows, their mean confidence and accuracy. */
    public record Bin(double low, double high, long rows, double meanConfidence, double accuracy) {}

    /** Rows a threshold accepts, and how many of them are right. */
    public record Accepted(long accepted, long correct) {}

    /** Rows added, those with a suggestion, those whose best code is right. */
    public record Counts(long rows, long suggested, long correct) {}

    /** A row by decreasing confidence (confidence -1 without a suggestion). */
    public record Ranked(double confidence, boolean correct) {}

    private final NativeResource resource;

    public Evaluation() {
        PointerByReference out = new PointerByReference();
        HsclassException.check(Lib.hsc_eval_new(null, out));
        resource = new NativeResource(this, out.getValue(), Lib::hsc_eval_free);
    }

    /**
     * Classifies each text (k = 1) and adds its best code's probability and
     * whether that code is the expected one: the expected code (written as
     * HsCode.parse reads it) cut to the suggested code's length.
     */
    public static Evaluation of(Model model, List<String> texts, List<String> expectedCodes) {
        if (texts.size() != expectedCodes.size()) {
            throw HsclassException.invalidArgument(texts.size() + " texts but "
                    + expectedCodes.size() + " codes");
        }
        Evaluation ev = new Evaluation();
        try {
            List<Classification> got = model.classifyMany(texts, 1);
            for (int i = 0; i < texts.size(); i++) {
                Suggestion best = got.get(i).best();
                if (best == null) {
                    ev.addNoSuggestion();
                } else {
                    String want = HsCode.parse(expectedCodes.get(i));
                    int n = best.code().length();
                    ev.add(best.probability(), want.length() >= n
                            && want.substring(0, n).equals(best.code()));
                }
            }
        } catch (RuntimeException e) {
            ev.close();
            throw e;
        }
        return ev;
    }

    @Override
    public synchronized void close() {
        resource.close();
    }

    private Pointer h() {
        return resource.get("evaluation");
    }

    /** A row: the best code's probability (0..1) and whether it is right. */
    public synchronized void add(double confidence, boolean correct) {
        HsclassException.check(Lib.hsc_eval_add(h(), confidence, correct ? 1 : 0),
                "confidence " + confidence);
    }

    /** A row whose text got no suggestion (never accepted; wrong at confidence 0). */
    public synchronized void addNoSuggestion() {
        HsclassException.check(Lib.hsc_eval_add(h(), -1.0, 0));
    }

    public synchronized Counts counts() {
        LongByReference rows = new LongByReference();
        LongByReference suggested = new LongByReference();
        LongByReference correct = new LongByReference();
        HsclassException.check(Lib.hsc_eval_count(h(), rows, suggested, correct));
        return new Counts(rows.getValue(), suggested.getValue(), correct.getValue());
    }

    /** Expected calibration error over bins bins (15 is usual); empty when no row has a suggestion. */
    public synchronized Optional<Calibration> calibration(int bins) {
        DoubleByReference ece = new DoubleByReference();
        DoubleByReference mean = new DoubleByReference();
        int status = Lib.hsc_eval_calibration(h(), bins, ece, mean);
        if (status == Status.NO_DATA.code()) {
            return Optional.empty();
        }
        HsclassException.check(status, "bins " + bins);
        return Optional.of(new Calibration(ece.getValue(), mean.getValue()));
    }

    /** The reliability diagram over bins bins; empty when no row has a suggestion. */
    public synchronized List<Bin> reliability(int bins) {
        LongByReference rows = new LongByReference();
        DoubleByReference mean = new DoubleByReference();
        DoubleByReference accuracy = new DoubleByReference();
        List<Bin> out = new ArrayList<>();
        for (int b = 0; b < bins; b++) {
            int status = Lib.hsc_eval_reliability(h(), bins, b, rows, mean, accuracy);
            if (status == Status.NO_DATA.code()) {
                return List.of();
            }
            HsclassException.check(status, "bins " + bins);
            out.add(new Bin((double) b / bins, (double) (b + 1) / bins, rows.getValue(),
                    mean.getValue(), accuracy.getValue()));
        }
        return List.copyOf(out);
    }

    /** The rows with a suggestion of confidence >= threshold, and the right ones among them. */
    public synchronized Accepted accepted(double threshold) {
        LongByReference accepted = new LongByReference();
        LongByReference correct = new LongByReference();
        HsclassException.check(Lib.hsc_eval_accepted(h(), threshold, accepted, correct));
        return new Accepted(accepted.getValue(), correct.getValue());
    }

    /**
     * The lowest threshold whose accepted rows (at least minAccepted) are
     * right at least precision of the time; empty when none reaches it or no
     * row has a suggestion.
     */
    public synchronized OptionalDouble threshold(double precision, long minAccepted) {
        DoubleByReference out = new DoubleByReference();
        int status = Lib.hsc_eval_threshold(h(), precision, minAccepted, out);
        if (status == Status.NO_RESULT.code() || status == Status.NO_DATA.code()) {
            return OptionalDouble.empty();
        }
        HsclassException.check(status, "precision " + precision);
        return OptionalDouble.of(out.getValue());
    }

    /** The row of rank rank (0: the most confident). NoResult out of range. */
    public synchronized Ranked ranked(long rank) {
        DoubleByReference confidence = new DoubleByReference();
        IntByReference correct = new IntByReference();
        HsclassException.check(Lib.hsc_eval_ranked(h(), rank, confidence, correct),
                "rank " + rank);
        return new Ranked(confidence.getValue(), correct.getValue() != 0);
    }
}
