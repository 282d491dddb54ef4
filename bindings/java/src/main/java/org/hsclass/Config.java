package org.hsclass;

import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;

/**
 * Options for models, sessions and trainers: an immutable map of
 * {@link Option} to value, built with {@link #with}. Integer options take
 * an int or long in 0..2^32-1 (booleans give 1 or 0), F64 options any
 * number, STR options a String. The library checks ranges when the config
 * is used (InvalidArgument, BadLanguage).
 * <pre>Config cfg = Config.DEFAULT.with(Option.EPOCHS, 5).with(Option.LANGUAGES, "en,fr");</pre>
 */
public final class Config {
    /** No option set: the library's defaults. */
    public static final Config DEFAULT = new Config(new EnumMap<>(Option.class));

    private static final long U32_MAX = 0xFFFFFFFFL;

    private final Map<Option, Object> values;

    private Config(EnumMap<Option, Object> values) {
        this.values = Collections.unmodifiableMap(values);
    }

    /** A copy with option set to value (checked against the option's type). */
    public Config with(Option option, Object value) {
        EnumMap<Option, Object> copy = new EnumMap<>(Option.class);
        copy.putAll(values);
        copy.put(option, checked(option, value));
        return new Config(copy);
    }

    /** A copy with every option of other set over this one's. */
    public Config with(Config other) {
        EnumMap<Option, Object> copy = new EnumMap<>(Option.class);
        copy.putAll(values);
        copy.putAll(other.values);
        return new Config(copy);
    }

    public Map<Option, Object> values() {
        return values;
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    private static Object checked(Option option, Object value) {
        if (value == null) {
            throw HsclassException.invalidArgument(option + ": null value");
        }
        switch (option.type()) {
            case U32: {
                long v;
                if (value instanceof Boolean) {
                    v = (Boolean) value ? 1 : 0;
                } else if (value instanceof Integer || value instanceof Long
                        || value instanceof Short || value instanceof Byte) {
                    v = ((Number) value).longValue();
                } else {
                    throw HsclassException.invalidArgument(option + " takes an integer, not "
                            + value.getClass().getSimpleName());
                }
                if (v < 0 || v > U32_MAX) {
                    throw HsclassException.invalidArgument(option + " = " + v
                            + " is outside 0.." + U32_MAX);
                }
                return v;
            }
            case F64:
                if (!(value instanceof Number)) {
                    throw HsclassException.invalidArgument(option + " takes a number, not "
                            + value.getClass().getSimpleName());
                }
                return ((Number) value).doubleValue();
            default:
                if (!(value instanceof String)) {
                    throw HsclassException.invalidArgument(option + " takes a String, not "
                            + value.getClass().getSimpleName());
                }
                return value;
        }
    }

    /** A native hsc_config with these options (NULL when none is set); free it with free(). */
    Pointer toNative() {
        if (values.isEmpty()) {
            return null;
        }
        PointerByReference out = new PointerByReference();
        HsclassException.check(Lib.hsc_config_new(out));
        Pointer cfg = out.getValue();
        try {
            for (Map.Entry<Option, Object> e : values.entrySet()) {
                Option o = e.getKey();
                int status;
                switch (o.type()) {
                    case U32:
                        status = Lib.hsc_config_set_u32(cfg, o.key(), (int) (long) (Long) e.getValue());
                        break;
                    case F64:
                        status = Lib.hsc_config_set_f64(cfg, o.key(), (Double) e.getValue());
                        break;
                    default:
                        status = Lib.hsc_config_set_str(cfg, o.key(),
                                Text.cString((String) e.getValue(), o.toString()));
                        break;
                }
                HsclassException.check(status, o + " = " + e.getValue());
            }
        } catch (RuntimeException e) {
            Lib.hsc_config_free(cfg);
            throw e;
        }
        return cfg;
    }

    static void free(Pointer cfg) {
        if (cfg != null) {
            Lib.hsc_config_free(cfg);
        }
    }

    @Override
    public String toString() {
        return "Config" + values;
    }
}
