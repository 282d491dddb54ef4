package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The library is found by the system property hsclass.library, then the
 * environment variable HSCLASS_LIBRARY, then the installed soname; a failure
 * names what was tried. Each case runs in a fresh JVM (a JVM loads it once).
 */
class LoaderTest {
    private static String probe(Map<String, String> env, String... properties) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xshare:auto");
        cmd.add("-XX:TieredStopAtLevel=1");
        for (String p : properties) {
            cmd.add("-D" + p);
        }
        cmd.addAll(List.of("-cp", System.getProperty("hsclass.classpath"),
                LoaderProbe.class.getName()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().remove("HSCLASS_LIBRARY");
        pb.environment().remove("LD_LIBRARY_PATH");
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertEquals(0, p.waitFor(), out);
        return out;
    }

    private static final String BUILT = System.getProperty("hsclass.library");

    @Test
    void propertyThenEnvironmentThenSoname() throws Exception {
        assertEquals("loaded 020130", probe(Map.of(), "hsclass.library=" + BUILT));
        assertEquals("loaded 020130", probe(Map.of("HSCLASS_LIBRARY", BUILT)));
        // the property wins over the environment
        String out = probe(Map.of("HSCLASS_LIBRARY", "/nonexistent/env.so"),
                "hsclass.library=" + BUILT);
        assertEquals("loaded 020130", out);
    }

    @Test
    void failuresNameWhatWasTried() throws Exception {
        String out = probe(Map.of(), "hsclass.library=/nonexistent/libhsclass.so.1");
        assertTrue(out.startsWith("failed java.lang.UnsatisfiedLinkError"), out);
        assertTrue(out.contains("system property hsclass.library = /nonexistent/libhsclass.so.1"),
                out);
        out = probe(Map.of("HSCLASS_LIBRARY", "/nonexistent/env.so"));
        assertTrue(out.contains("environment variable HSCLASS_LIBRARY = /nonexistent/env.so"), out);
        // a library that is not libhsclass
        out = probe(Map.of(), "hsclass.library=" + foreignLibrary());
        assertTrue(out.contains("is not libhsclass"), out);
        // nothing set and nothing installed (an empty loader path): all three named
        out = probe(Map.of("LD_LIBRARY_PATH", ""), "jna.library.path=/nonexistent");
        if (out.startsWith("loaded")) {
            return;  // libhsclass is installed on this machine: the soname step worked
        }
        assertTrue(out.contains("system property hsclass.library: not set"), out);
        assertTrue(out.contains("environment variable HSCLASS_LIBRARY: not set"), out);
        assertTrue(out.contains("installed libhsclass.so.1"), out);
    }

    /** zlib: a shared library that is not libhsclass. */
    private static String foreignLibrary() {
        for (String p : new String[] {"/lib/x86_64-linux-gnu/libz.so.1", "/usr/lib/x86_64-linux-gnu/libz.so.1",
                "/lib/aarch64-linux-gnu/libz.so.1", "/usr/lib64/libz.so.1"}) {
            if (java.nio.file.Files.exists(Path.of(p))) {
                return p;
            }
        }
        return "/lib/x86_64-linux-gnu/libz.so.1";
    }
}
