package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The binding's answers equal the C API's on the same texts: the C program
 * classify_reference (built by meson) prints every result of
 * hsc_session_classify with its exact probability (%a), and the decision.
 */
class ReferenceTest {
    private static final int K = 5;

    /** Per text: "T status decision reason" and its "R digits code probability" lines. */
    private static List<List<String>> reference(List<String> texts) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(TestSupport.property("hsclass.reference").toString(),
                TestSupport.modelPath().toString(), String.valueOf(K));
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Process p = pb.start();
        Thread writer = new Thread(() -> {
            try (OutputStream out = p.getOutputStream()) {
                for (String t : texts) {
                    out.write((t + "\n").getBytes(StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
        writer.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        writer.join();
        assertEquals(0, p.waitFor(), "classify_reference failed");
        List<List<String>> out = new ArrayList<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("T ")) {
                out.add(new ArrayList<>());
            }
            out.get(out.size() - 1).add(line);
        }
        return out;
    }

    /** The same lines from the binding. */
    private static List<String> binding(Model model, String text) {
        List<String> out = new ArrayList<>();
        Decision d = model.decide(text, K);
        Classification c = model.classify(text, K);
        out.add("T 0 " + d.verdict().code() + " " + d.reason().code());
        for (int level : new int[] {0, 2, 4}) {
            for (Suggestion s : c.level(level)) {
                out.add("R " + level + " " + s.code() + " " + Double.toHexString(s.probability()));
            }
        }
        return out;
    }

    /** %a and Double.toHexString write the same double differently: compare values. */
    private static String canonical(String line) {
        if (!line.startsWith("R ")) {
            return line;
        }
        String[] f = line.split(" ");
        return f[0] + " " + f[1] + " " + f[2] + " " + Double.doubleToLongBits(Double.parseDouble(f[3]));
    }

    @Test
    void resultsEqualTheCApi() throws Exception {
        List<String> texts = new ArrayList<>(TestSupport.texts("test.tsv"));
        // empty and blank: no result, review for no content; vague; accents; a second script
        texts.addAll(List.of("", "   ", "goods", "spare parts", "viande bovine désossée congelée",
                "20 kg", "Frozen BONELESS beef", "chaussures en cuir pour hommes", "ß ö 日本茶"));
        List<List<String>> want = reference(texts);
        assertEquals(texts.size(), want.size());
        Model model = TestSupport.model();
        int results = 0;
        for (int i = 0; i < texts.size(); i++) {
            List<String> got = binding(model, texts.get(i));
            assertEquals(want.get(i).stream().map(ReferenceTest::canonical).toList(),
                    got.stream().map(ReferenceTest::canonical).toList(), "text: " + texts.get(i));
            results += got.size() - 1;
        }
        assertTrue(results > texts.size() * 5, "too few results compared: " + results);
        // the empty text: nothing at any level, review for no content
        Decision empty = model.decide("", K);
        assertEquals(Verdict.REVIEW, empty.verdict());
        assertEquals(Reason.NO_CONTENT, empty.reason());
        assertTrue(model.classify("", K).suggestions().isEmpty());
        assertTrue(model.classify("", K).chapters().isEmpty());
    }
}
