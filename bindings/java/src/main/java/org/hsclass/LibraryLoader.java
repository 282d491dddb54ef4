package org.hsclass;

import com.sun.jna.Native;
import com.sun.jna.NativeLibrary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds libhsclass, in this order (first hit wins):
 * <ol>
 * <li>the system property {@code hsclass.library} (a path; the meson test
 *     sets it to the build tree's library);</li>
 * <li>the environment variable {@code HSCLASS_LIBRARY} (a path);</li>
 * <li>the installed soname {@code libhsclass.so.1} (the dynamic loader's
 *     search path).</li>
 * </ol>
 * An explicit choice (1 or 2) that cannot be loaded is an error, not a
 * reason to fall back to another copy. Build trees are never searched.
 */
final class LibraryLoader {
    static final String PROPERTY = "hsclass.library";
    static final String ENVIRONMENT = "HSCLASS_LIBRARY";
    static final String SONAME = "libhsclass.so.1";
    static final int SUPPORTED_MAJOR = 1;

    private LibraryLoader() {}

    static NativeLibrary load() {
        if (Native.SIZE_T_SIZE != 8 || Native.POINTER_SIZE != 8) {
            // Lib maps size_t and uint64_t to long and addresses to 8 bytes
            throw new UnsatisfiedLinkError("hsclass: the Java binding needs a 64-bit JVM");
        }
        List<String> tried = new ArrayList<>();
        String prop = System.getProperty(PROPERTY);
        if (prop != null && !prop.isEmpty()) {
            return explicit("system property " + PROPERTY, prop);
        }
        String env = System.getenv(ENVIRONMENT);
        if (env != null && !env.isEmpty()) {
            return explicit("environment variable " + ENVIRONMENT, env);
        }
        try {
            return checked(NativeLibrary.getInstance(SONAME), SONAME);
        } catch (UnsatisfiedLinkError e) {
            tried.add("system property " + PROPERTY + ": not set");
            tried.add("environment variable " + ENVIRONMENT + ": not set");
            tried.add("installed " + SONAME + ": " + e.getMessage());
        }
        throw new UnsatisfiedLinkError("hsclass: libhsclass not found. Tried:\n  "
                + String.join("\n  ", tried)
                + "\nSet -D" + PROPERTY + "=/path/to/" + SONAME + " or " + ENVIRONMENT + ".");
    }

    private static NativeLibrary explicit(String how, String path) {
        if (sanitized(Path.of(path))) {
            // dlopen of an ASan/TSan build into the JVM aborts the process.
            throw new UnsatisfiedLinkError("hsclass: " + how + " = " + path
                    + " is a sanitizer build, which a JVM cannot load");
        }
        try {
            // absolute: JNA takes a relative path for a library name
            return checked(NativeLibrary.getInstance(Path.of(path).toAbsolutePath().toString()),
                    path);
        } catch (UnsatisfiedLinkError e) {
            throw new UnsatisfiedLinkError("hsclass: cannot load " + how + " = " + path + ": "
                    + e.getMessage());
        }
    }

    /** Refuses another major version before any other symbol is bound. */
    private static NativeLibrary checked(NativeLibrary lib, String where) {
        int number;
        try {
            number = lib.getFunction("hsc_version_number").invokeInt(new Object[0]);
        } catch (UnsatisfiedLinkError e) {
            throw new UnsatisfiedLinkError(where + " is not libhsclass (no hsc_version_number)");
        }
        if (number / 10000 != SUPPORTED_MAJOR) {
            throw new UnsatisfiedLinkError(where + " is libhsclass " + number
                    + "; this binding needs major version " + SUPPORTED_MAJOR);
        }
        return lib;
    }

    private static boolean sanitized(Path path) {
        byte[] data;
        try {
            data = Files.readAllBytes(path);
        } catch (IOException | OutOfMemoryError e) {
            return false;  // the loader reports the unreadable file itself
        }
        String bytes = new String(data, StandardCharsets.ISO_8859_1);
        return bytes.contains("__asan_init") || bytes.contains("__tsan_init")
                || bytes.contains("__msan_init");
    }
}
