package org.hsclass;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What the tests share: the repository's test data (the system property
 * hsclass.testData, set by the meson test) and one small model trained on it
 * with this binding's Trainer, once per JVM, with descriptions in English and
 * French, TEC CEDEAO national lines and a precedent memory that keeps texts.
 */
final class TestSupport {
    private TestSupport() {}

    /** Small and quick: the test machine's cores are shared with other suites. */
    static final Config SMALL = Config.DEFAULT
            .with(Option.EPOCHS, 5).with(Option.DIM, 32).with(Option.BUCKETS, 1 << 18)
            .with(Option.THREADS, 1).with(Option.SEED, 7).with(Option.LANGUAGES, "en,fr")
            .with(Option.KEEP_PRECEDENT_TEXTS, 1);

    static Path data(String name) {
        String dir = System.getProperty("hsclass.testData");
        if (dir == null) {
            throw new IllegalStateException("set -Dhsclass.testData=<source>/tests/data");
        }
        return Path.of(dir, name);
    }

    /** A system property the meson test sets (a path). */
    static Path property(String name) {
        String value = System.getProperty(name);
        if (value == null) {
            throw new IllegalStateException("set -D" + name);
        }
        return Path.of(value);
    }

    /** The (code, text) rows of a test TSV file. */
    static List<String[]> rows(String name) {
        try {
            List<String[]> out = new ArrayList<>();
            for (String line : Files.readAllLines(data(name), StandardCharsets.UTF_8)) {
                int tab = line.indexOf('\t');
                if (tab > 0) {
                    out.add(new String[] {line.substring(0, tab), line.substring(tab + 1)});
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<String> texts(String name) {
        return rows(name).stream().map(r -> r[1]).toList();
    }

    private static final class Holder {
        static final Path PATH = train();
        static final Model MODEL = Model.load(PATH);
    }

    /** The small model's file (a temporary file, deleted at exit). */
    static Path modelPath() {
        return Holder.PATH;
    }

    /** The small model, shared by the tests and never closed. */
    static Model model() {
        return Holder.MODEL;
    }

    private static Path train() {
        try (Trainer t = new Trainer(SMALL)) {
            t.addFile(data("train_real.tsv"), 3.0, Trainer.RowKind.DECLARATIONS);
            t.addFile(data("train_nomenclature.tsv"), 1.0, Trainer.RowKind.NOMENCLATURE);
            t.addNomenclatureFile(data("nomenclature_en.tsv"), "en");
            t.addNomenclatureFile(data("nomenclature_fr.tsv"), "fr");
            t.addNationalFile(data("tec_cedeao_slice.tsv"), "TEC-CEDEAO", "fr");
            Path out = Files.createTempFile("hsclass-java-test", ".hscm");
            out.toFile().deleteOnExit();
            try (Model m = t.train()) {
                m.save(out);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
