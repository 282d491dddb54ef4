package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Callback;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.ByReference;
import com.sun.jna.ptr.DoubleByReference;
import com.sun.jna.ptr.IntByReference;
import com.sun.jna.ptr.LongByReference;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Every hsc_ function the binding binds (Lib's natives) and every callback
 * has the parameter and return types include/hsclass.h declares, parsed from
 * the header itself; and the constants the binding hard-codes (statuses,
 * option keys, reasons, decisions, row flags) have the header's values.
 */
class PrototypeTest {
    private static final Pattern FUNCTION = Pattern.compile(
            "HSC_API\\s+([^;(#]*?)\\b(hsc_\\w+)\\s*\\(([^)]*)\\)\\s*;");
    private static final Pattern CALLBACK = Pattern.compile(
            "typedef\\s+([^;(]*?)\\(\\s*\\*\\s*(hsc_\\w+_fn)\\s*\\)\\s*\\(([^)]*)\\)\\s*;");
    private static final Pattern DEFINE = Pattern.compile(
            "#define\\s+(HSC_\\w+)\\s+\\(?(-?[0-9.]+)u?\\)?");

    private static String header() throws IOException {
        String text = Files.readString(TestSupport.property("hsclass.header"));
        return text.replaceAll("(?s)/\\*.*?\\*/", " ");
    }

    /** Parameter types of "const char *text, size_t len" without their names. */
    static List<String> parameterTypes(String params) {
        List<String> out = new ArrayList<>();
        String p = params.trim();
        if (p.equals("void") || p.isEmpty()) {
            return out;
        }
        for (String one : p.split(",")) {
            List<String> tokens = new ArrayList<>(List.of(one.replace("*", " * ").trim()
                    .split("\\s+")));
            tokens.remove(tokens.size() - 1);  // the parameter's name
            StringBuilder words = new StringBuilder();
            StringBuilder stars = new StringBuilder();
            for (String tok : tokens) {
                if (tok.equals("*")) {
                    stars.append('*');
                } else {
                    words.append(words.length() > 0 ? " " : "").append(tok);
                }
            }
            out.add(stars.length() > 0 ? words + " " + stars : words.toString());
        }
        return out;
    }

    /** The Java type a C type is bound as (see Lib's comment). */
    static Class<?> javaType(String c, boolean callbackArg) {
        String t = c.replace("const ", "").trim();
        switch (t) {
            case "size_t": case "uint64_t": return long.class;
            case "uint32_t": case "int32_t": case "hsc_status": case "int": return int.class;
            case "double": return double.class;
            case "void": return void.class;
            case "size_t *": case "uint64_t *": return LongByReference.class;
            case "uint32_t *": return IntByReference.class;
            case "double *": return DoubleByReference.class;
            case "char *": case "void *":
                if (t.equals("void *") && !c.startsWith("const")) {
                    return Pointer.class;  // user pointers, buffers the library allocated
                }
                return callbackArg ? Pointer.class : byte[].class;
            case "hsc_row_error_fn": return Lib.RowErrorFn.class;
            case "hsc_progress_fn": return Lib.ProgressFn.class;
            case "hsc_read_progress_fn": return Lib.ReadProgressFn.class;
            default: break;
        }
        if (t.endsWith("**")) {
            return PointerByReference.class;
        }
        if (t.matches("hsc_\\w+ \\*")) {
            return Pointer.class;  // an opaque handle
        }
        throw new AssertionError("no Java mapping for C type '" + c + "'");
    }

    @Test
    void parameterParsing() {
        assertEquals(List.of("const char *", "size_t", "char *", "size_t", "size_t *"),
                parameterTypes("const char *text, size_t len, char *digits, size_t cap,\n"
                        + " size_t *n_digits"));
        assertEquals(List.of("const hsc_model *", "const char **"),
                parameterTypes("const hsc_model *model, const char **out"));
        assertEquals(List.of(), parameterTypes("void"));
    }

    @Test
    void everyNativeMatchesTheHeader() throws IOException {
        Map<String, String[]> declared = new HashMap<>();  // name -> {return type, parameters}
        Matcher m = FUNCTION.matcher(header());
        while (m.find()) {
            declared.put(m.group(2), new String[] {m.group(1).trim(), m.group(3)});
        }
        assertTrue(declared.size() > 70, "parsed only " + declared.size() + " declarations");
        int checked = 0;
        for (Method method : Lib.class.getDeclaredMethods()) {
            if (!Modifier.isNative(method.getModifiers())) {
                continue;
            }
            String[] decl = declared.get(method.getName());
            assertNotNull(decl, method.getName() + " is not declared in hsclass.h");
            String where = method.getName() + ": ";
            // a returned pointer is a borrowed string: Pointer, read by Text.read
            Class<?> ret = decl[0].contains("*") ? Pointer.class : javaType(decl[0], false);
            assertEquals(ret, method.getReturnType(),
                    where + "return type " + decl[0]);
            List<String> cTypes = parameterTypes(decl[1]);
            Class<?>[] jTypes = method.getParameterTypes();
            assertEquals(cTypes.size(), jTypes.length, where + "parameter count");
            for (int i = 0; i < jTypes.length; i++) {
                String what = where + "parameter " + i + " (" + cTypes.get(i) + ")";
                Lib.Out out = method.getParameters()[i].getAnnotation(Lib.Out.class);
                if (out != null) {  // an out-parameter in scratch memory: its declared C type
                    assertEquals(Pointer.class, jTypes[i], what);
                    assertEquals(cTypes.get(i), out.value(), what);
                    assertTrue(ByReference.class.isAssignableFrom(javaType(cTypes.get(i), false)),
                            what + " is not an out-parameter");
                } else {
                    assertEquals(javaType(cTypes.get(i), false), jTypes[i], what);
                }
            }
            checked++;
        }
        assertTrue(checked >= 60, "only " + checked + " natives");
    }

    @Test
    void everyCallbackMatchesItsTypedef() throws IOException {
        Map<String, Class<? extends Callback>> callbacks = Map.of(
                "hsc_row_error_fn", Lib.RowErrorFn.class, "hsc_progress_fn", Lib.ProgressFn.class,
                "hsc_read_progress_fn", Lib.ReadProgressFn.class);
        Matcher m = CALLBACK.matcher(header());
        int checked = 0;
        while (m.find()) {
            Class<? extends Callback> cls = callbacks.get(m.group(2));
            if (cls == null) {
                continue;  // the allocator callbacks: not bound
            }
            Method invoke = cls.getDeclaredMethods()[0];
            assertEquals(javaType(m.group(1).trim(), true), invoke.getReturnType(), m.group(2));
            List<String> cTypes = parameterTypes(m.group(3));
            Class<?>[] jTypes = invoke.getParameterTypes();
            assertEquals(cTypes.size(), jTypes.length, m.group(2) + " parameter count");
            for (int i = 0; i < jTypes.length; i++) {
                Class<?> want = javaType(cTypes.get(i), true);
                assertEquals(want, jTypes[i], m.group(2) + " parameter " + i);
            }
            checked++;
        }
        assertEquals(3, checked);
    }

    @Test
    void constantsMatchTheHeader() throws IOException {
        Map<String, String> defines = new HashMap<>();
        Matcher m = DEFINE.matcher(header());
        while (m.find()) {
            defines.put(m.group(1), m.group(2));
        }
        int statuses = 0;
        for (String name : defines.keySet()) {
            if (name.startsWith("HSC_E_") || name.equals("HSC_OK")) {
                Status s = Status.valueOf(name.equals("HSC_OK") ? "OK" : name.substring(6));
                assertEquals(Integer.parseInt(defines.get(name)), s.code(), name);
                assertEquals(name, s.cName());
                statuses++;
            }
        }
        assertEquals(Status.values().length, statuses, "every status and only those");
        int options = 0;
        for (String name : defines.keySet()) {
            if (name.startsWith("HSC_CFG_")) {
                Option o = Option.valueOf(name.substring(8));
                assertEquals(Integer.parseInt(defines.get(name)), o.key(), name);
                options++;
            }
        }
        assertEquals(Option.values().length, options, "every option and only those");
        for (Reason r : Reason.values()) {
            assertEquals(defines.get("HSC_REASON_" + r.name()), String.valueOf(r.code()));
        }
        for (Verdict v : Verdict.values()) {
            assertEquals(defines.get("HSC_DECISION_" + v.name()), String.valueOf(v.code()));
        }
        assertEquals(defines.get("HSC_ROWS_NOMENCLATURE"),
                String.valueOf(Trainer.RowKind.NOMENCLATURE.flags()));
        assertEquals(defines.get("HSC_ROWS_SYNTHETIC"),
                String.valueOf(Trainer.RowKind.SYNTHETIC.flags()));
        assertEquals(defines.get("HSC_CODE_MAX_DIGITS"), String.valueOf(HsCode.MAX_DIGITS));
        assertEquals(defines.get("HSC_ADAPT_EPOCHS"), String.valueOf(Trainer.ADAPT_EPOCHS));
        // Model.info() reads the keys 1..11 in ModelInfo's order
        assertEquals(11, defines.keySet().stream().filter(n -> n.startsWith("HSC_INFO_")).count());
        assertEquals("11", defines.get("HSC_INFO_CREATED_BY"));
        assertFalse(defines.isEmpty());
    }
}
