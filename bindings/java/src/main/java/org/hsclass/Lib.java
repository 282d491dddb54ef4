package org.hsclass;

import com.sun.jna.Callback;
import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.DoubleByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The C functions of include/hsclass.h the binding calls, bound by JNA's
 * direct mapping (static natives: several times cheaper per call than an
 * interface proxy). One Java type per C type, so that PrototypeTest can
 * check every declaration against the header:
 * handles and void * are Pointer; size_t and uint64_t are long; uint32_t,
 * int32_t and hsc_status are int; text in is byte[] (UTF-8, NUL-terminated
 * where the C side expects a C string); out-parameters are the JNA
 * ByReference of their width, except on the classify path, where a
 * ByReference costs a conversion per call (about a third of a JNA call):
 * there they are Pointers into a session's scratch memory, annotated with
 * their C type (@Out, checked against the header too). Borrowed strings
 * returned are Pointer.
 */
final class Lib {
    private Lib() {}

    /** The library loaded (LibraryLoader's search), e.g. to find its file. */
    static final NativeLibrary LIBRARY = LibraryLoader.load();

    static {
        Native.register(Lib.class, LIBRARY);
    }

    /** The C type of an out-parameter passed as a Pointer to scratch memory. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target(ElementType.PARAMETER)
    @interface Out {
        String value();
    }

    interface RowErrorFn extends Callback {
        void invoke(Pointer user, Pointer file, long line, int status, Pointer message);
    }

    interface ProgressFn extends Callback {
        int invoke(Pointer user, int epoch, int epochs, double done, double loss,
                   double examplesPerSec, double validAccuracy);
    }

    interface ReadProgressFn extends Callback {
        int invoke(Pointer user, Pointer file, long lines, long bytes, long size);
    }

    // version and statuses
    static native int hsc_version_number();
    static native Pointer hsc_version_string();
    static native int hsc_model_format_version_max();
    static native Pointer hsc_status_string(int status);

    // HS codes
    static native int hsc_code_parse(byte[] text, long len, byte[] digits, long cap,
                                     LongByReference nDigits);

    // configuration
    static native int hsc_config_new(PointerByReference out);
    static native void hsc_config_free(Pointer cfg);
    static native int hsc_config_set_u32(Pointer cfg, int key, int value);
    static native int hsc_config_set_f64(Pointer cfg, int key, double value);
    static native int hsc_config_set_str(Pointer cfg, int key, byte[] value);

    // model
    static native int hsc_model_load_file(byte[] path, Pointer cfg, PointerByReference out,
                                          LongByReference errOffset);
    static native int hsc_model_load_memory(byte[] data, long len, Pointer cfg,
                                            PointerByReference out, LongByReference errOffset);
    static native void hsc_model_free(Pointer model);
    static native int hsc_model_save_file(Pointer model, byte[] path);
    static native int hsc_model_save_memory(Pointer model, PointerByReference out,
                                            LongByReference outLen);
    static native void hsc_buffer_free(Pointer buf);
    static native int hsc_model_info_str(Pointer model, int key, PointerByReference out);
    static native int hsc_model_meta_count(Pointer model, LongByReference out);
    static native int hsc_model_meta_get(Pointer model, long index, PointerByReference key,
                                         PointerByReference value);
    static native int hsc_model_label_count(Pointer model, LongByReference out);
    static native int hsc_model_label(Pointer model, long index, PointerByReference code);
    static native int hsc_model_accept_threshold(Pointer model, DoubleByReference out);

    // nomenclature and national lines
    static native int hsc_model_nomenclature_languages(Pointer model, PointerByReference out);
    static native int hsc_model_nomenclature_entry(Pointer model, long index, byte[] lang,
                                                   PointerByReference code,
                                                   PointerByReference description);
    static native int hsc_model_nomenclature_find(Pointer model, byte[] prefix, long len,
                                                  LongByReference first, LongByReference count);
    static native int hsc_model_describe(Pointer model, byte[] code, long len, byte[] lang,
                                         PointerByReference out);
    static native int hsc_model_national_scheme_count(Pointer model, LongByReference out);
    static native int hsc_model_national_scheme(Pointer model, long scheme,
                                                PointerByReference name,
                                                PointerByReference lang);
    static native int hsc_model_national_find(Pointer model, long scheme, byte[] prefix, long len,
                                              LongByReference first, LongByReference count);
    static native int hsc_model_national_line(Pointer model, long scheme, long index,
                                              PointerByReference code,
                                              PointerByReference description);

    // session
    static native int hsc_session_new(Pointer model, Pointer cfg, PointerByReference out);
    static native void hsc_session_free(Pointer session);
    static native Pointer hsc_session_last_error_detail(Pointer session);
    static native int hsc_session_classify(Pointer session, byte[] text, long len, int k);
    static native int hsc_session_result(Pointer session, int digits, long index,
                                         @Out("const char **") Pointer code,
                                         @Out("double *") Pointer probability);
    static native int hsc_session_token_span(Pointer session, long index, LongByReference offset,
                                             LongByReference length);
    static native int hsc_session_decision(Pointer session, @Out("uint32_t *") Pointer decision,
                                           @Out("uint32_t *") Pointer reason);
    static native int hsc_session_accept_threshold(Pointer session, @Out("double *") Pointer out);
    static native Pointer hsc_decision_reason_string(int reason);
    static native int hsc_session_set_constraint(Pointer session, byte[] prefixes, long len);
    static native int hsc_session_explain(Pointer session, int digits, long index);
    static native int hsc_session_explain_count(Pointer session, LongByReference out);
    static native int hsc_session_explain_item(Pointer session, long index,
                                               LongByReference tokenIndex,
                                               DoubleByReference weight);
    static native int hsc_session_explain_total(Pointer session, DoubleByReference score);
    static native int hsc_session_precedent_count(Pointer session, LongByReference out);
    static native int hsc_session_precedent(Pointer session, long index, PointerByReference code,
                                            DoubleByReference similarity,
                                            PointerByReference text, PointerByReference source);

    // evaluation
    static native int hsc_eval_new(Pointer cfg, PointerByReference out);
    static native void hsc_eval_free(Pointer eval);
    static native int hsc_eval_add(Pointer eval, double confidence, int correct);
    static native int hsc_eval_count(Pointer eval, LongByReference rows,
                                     LongByReference suggested, LongByReference correct);
    static native int hsc_eval_calibration(Pointer eval, int bins, DoubleByReference ece,
                                           DoubleByReference meanConfidence);
    static native int hsc_eval_reliability(Pointer eval, int bins, int bin, LongByReference rows,
                                           DoubleByReference meanConfidence,
                                           DoubleByReference accuracy);
    static native int hsc_eval_accepted(Pointer eval, double threshold, LongByReference accepted,
                                        LongByReference correct);
    static native int hsc_eval_threshold(Pointer eval, double precision, long minAccepted,
                                         DoubleByReference threshold);
    static native int hsc_eval_ranked(Pointer eval, long rank, DoubleByReference confidence,
                                      IntByReference correct);

    // training
    static native int hsc_trainer_new(Pointer cfg, PointerByReference out);
    static native int hsc_trainer_new_from_model(Pointer cfg, Pointer base,
                                                 PointerByReference out);
    static native int hsc_trainer_add_code_map(Pointer trainer, byte[] path);
    static native void hsc_trainer_free(Pointer trainer);
    static native int hsc_trainer_set_row_error_callback(Pointer trainer, RowErrorFn fn,
                                                         Pointer user);
    static native int hsc_trainer_set_progress_callback(Pointer trainer, ProgressFn fn,
                                                        Pointer user);
    static native int hsc_trainer_set_read_progress_callback(Pointer trainer, ReadProgressFn fn,
                                                             Pointer user);
    static native int hsc_trainer_set_checkpoint(Pointer trainer, byte[] path);
    static native int hsc_trainer_set_resume(Pointer trainer, byte[] path);
    static native int hsc_trainer_add_file(Pointer trainer, byte[] path, double weight,
                                           int flags);
    static native int hsc_trainer_add_row(Pointer trainer, byte[] code, long codeLen, byte[] text,
                                          long textLen, double weight, int flags);
    static native int hsc_trainer_row_counts(Pointer trainer, LongByReference accepted,
                                             LongByReference rejected);
    static native int hsc_trainer_add_nomenclature_file(Pointer trainer, byte[] path,
                                                        byte[] lang);
    static native int hsc_trainer_add_national_file(Pointer trainer, byte[] path, byte[] scheme,
                                                    byte[] lang);
    static native int hsc_trainer_nomenclature_counts(Pointer trainer,
                                                      LongByReference descriptions,
                                                      LongByReference lines,
                                                      LongByReference rejected);
    static native int hsc_trainer_train(Pointer trainer, PointerByReference out);
}
