package org.hsclass;

/**
 * The library's options (HSC_CFG_* in hsclass.h), each with its type. Keys
 * are fixed forever by the header (StatusTest checks them). "Model" options
 * are featurization choices a model records at training; loading a model
 * overrides them.
 */
public enum Option {
    // text handling
    MAX_TEXT_BYTES(1, Type.U32), UTF8_REPLACE(2, Type.U32), STRIP_ACCENTS(3, Type.U32),
    LANGUAGES(4, Type.STR), MATCH_LIMIT(5, Type.U32),
    // featurization (model)
    BUCKETS(10, Type.U32), WORD_NGRAMS(11, Type.U32), CHAR_NGRAM_MIN(12, Type.U32),
    CHAR_NGRAM_MAX(13, Type.U32), HASH_SEED(14, Type.U32), SKELETONS(15, Type.U32),
    FEATURE_VERSION(16, Type.U32),
    // training
    DIM(20, Type.U32), EPOCHS(21, Type.U32), LEARNING_RATE(22, Type.F64), THREADS(23, Type.U32),
    SEED(24, Type.U32), CODE_DIGITS(25, Type.U32), VALID_FRACTION(26, Type.F64),
    STRICT(27, Type.U32), MIN_COUNT(28, Type.U32), AUGMENT(29, Type.U32), MAX_ROWS(30, Type.U32),
    HS_EDITION(31, Type.STR), PRECEDENTS(32, Type.U32), KEEP_PRECEDENT_TEXTS(33, Type.U32),
    TRADE_NOISE(34, Type.F64),
    // decisions
    ACCEPT_THRESHOLD(40, Type.F64),
    // model files
    MAX_MODEL_BYTES(50, Type.U32), MODEL_MMAP(51, Type.U32),
    // adapting a model, precedent memory size
    REHEARSAL(60, Type.F64), PRECEDENTS_PER_CODE(61, Type.U32), PRECEDENT_MIX(62, Type.F64),
    // audits of declared codes
    AUDIT_THRESHOLD(70, Type.F64);

    /** The C type of an option's value. */
    public enum Type { U32, F64, STR }

    private final int key;
    private final Type type;

    Option(int key, Type type) {
        this.key = key;
        this.type = type;
    }

    /** The HSC_CFG_* value. */
    public int key() {
        return key;
    }

    public Type type() {
        return type;
    }
}
