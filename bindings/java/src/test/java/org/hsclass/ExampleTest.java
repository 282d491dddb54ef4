package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** examples/java/ClearanceDesk run as a user runs it, on its sample declarations. */
class ExampleTest {
    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {}

    private static Run run(Path csv) throws Exception {
        String cp = String.join(":", System.getProperty("hsclass.example"),
                System.getProperty("hsclass.classpath"));
        ProcessBuilder pb = new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Dhsclass.library=" + System.getProperty("hsclass.library"),
                "-Dfile.encoding=UTF-8", "-Dstdout.encoding=UTF-8", "-Dstderr.encoding=UTF-8",
                "-cp", cp, "ClearanceDesk", csv.toString(), TestSupport.modelPath().toString());
        pb.redirectError(tmpErr(csv).toFile());
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int status = p.waitFor();
        return new Run(status, out, Files.readString(tmpErr(csv), StandardCharsets.UTF_8));
    }

    private static Path tmpErr(Path csv) {
        return csv.resolveSibling(csv.getFileName() + ".err");
    }

    @Test
    void sampleDeclarations() throws Exception {
        Path csv = tmp.resolve("declarations.csv");
        Files.copy(TestSupport.property("hsclass.exampleData"), csv);
        Run r = run(csv);
        assertEquals(0, r.status, r.err);
        String out = r.out;
        for (int i = 1; i <= 6; i++) {
            assertTrue(out.contains("DEC-2026-000" + i + "  « "), out);
        }
        // the quoted field with a comma is one description
        assertTrue(out.contains("« Frozen boneless beef cuts, in cartons of 25 kg »"), out);
        // French descriptions and TEC CEDEAO lines of meat codes
        assertTrue(out.contains("Viandes des animaux de l'espèce bovine"), out);
        assertTrue(out.matches("(?s).*TEC-CEDEAO 0202\\d{6}  Viandes.*"), out);
        // decisions in French; a vague declaration goes to review
        String vague = out.substring(out.indexOf("DEC-2026-0005"));
        assertTrue(vague.split("\n")[1].trim().startsWith("À vérifier : trop vague"), vague);
        assertTrue(out.contains("(seuil 0,"), out);
    }

    @Test
    void rejectedRowsAreReportedAndTheOthersPrinted() throws Exception {
        Path csv = tmp.resolve("long.csv");
        Files.writeString(csv, "declaration,description\nD1,\"" + "bœuf ".repeat(20_000)
                + "\"\nD2,fresh apricots\n", StandardCharsets.UTF_8);
        Run r = run(csv);
        assertEquals(1, r.status, r.err);
        assertEquals(List.of("D1: HSC_E_TEXT_TOO_LONG: "), List.of(r.err.split("\n")[0]
                .replaceAll("(TOO_LONG: ).*", "$1")));
        assertTrue(r.out.contains("D2  « fresh apricots »"), r.out);
    }
}
