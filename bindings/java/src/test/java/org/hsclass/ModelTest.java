package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading (files, bytes, the default model), damaged files, saving, metadata. */
class ModelTest {
    @TempDir
    Path tmp;

    @Test
    void everyCorruptedFileThrowsItsStatus() throws Exception {
        // tests/data/corrupt: 300+ damaged models, each named after the status
        // and offset the loader must report (MANIFEST.tsv)
        Path dir = TestSupport.data("corrupt");
        int checked = 0;
        for (String line : Files.readAllLines(dir.resolve("MANIFEST.tsv"), StandardCharsets.UTF_8)) {
            if (line.startsWith("#") || line.isBlank()) {
                continue;
            }
            String[] f = line.split("\t");
            Path file = dir.resolve(f[0]);
            if (f[1].equals("OK")) {  // damaged in ways the format allows
                try (Model ok = Model.load(file)) {
                    assertFalse(ok.labels().isEmpty(), f[0]);
                }
                checked++;
                continue;
            }
            HsclassException e = assertThrows(HsclassException.class, () -> Model.load(file),
                    f[0]);
            assertEquals("HSC_E_" + f[1], e.statusName(), f[0]);
            assertTrue(e instanceof HsclassException.ModelError, f[0]);
            if (e instanceof HsclassException.CorruptModel) {
                assertEquals(Long.parseLong(f[2]), ((HsclassException.CorruptModel) e).offset(), f[0]);
                assertTrue(e.getMessage().contains(f[0]), e.getMessage());
            }
            // the same from memory
            HsclassException m = assertThrows(HsclassException.class,
                    () -> Model.fromBytes(Files.readAllBytes(file)), f[0]);
            assertEquals(e.statusCode(), m.statusCode(), f[0]);
            checked++;
        }
        assertTrue(checked > 300, "only " + checked + " files");
    }

    @Test
    void missingFileIsFileError() {
        Path missing = tmp.resolve("none.hscm");
        HsclassException.FileError e = assertThrows(HsclassException.FileError.class,
                () -> Model.load(missing));
        assertEquals("HSC_E_IO", e.statusName());
        assertTrue(e.getMessage().contains(missing.toString()), e.getMessage());
    }

    @Test
    void flippedByteIsCorrupt() throws Exception {
        byte[] data = Files.readAllBytes(TestSupport.modelPath());
        data[data.length / 2] ^= 0x40;
        HsclassException.CorruptModel e = assertThrows(HsclassException.CorruptModel.class,
                () -> Model.fromBytes(data));
        assertEquals(Status.MODEL_CRC, e.status());
        assertThrows(HsclassException.CorruptModel.class,
                () -> Model.fromBytes("not a model".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void bytesAndFilesRoundTrip() throws Exception {
        Model model = TestSupport.model();
        byte[] bytes = model.toBytes();
        assertArrayEquals(Files.readAllBytes(TestSupport.modelPath()), bytes);
        Path copy = tmp.resolve("copy.hscm");
        try (Model m = Model.fromBytes(bytes)) {
            m.save(copy);
            assertEquals(model.classify("frozen beef", 5), m.classify("frozen beef", 5));
            assertEquals(model.labels(), m.labels());
        }
        assertArrayEquals(bytes, Files.readAllBytes(copy));
        HsclassException.FileError e = assertThrows(HsclassException.FileError.class,
                () -> model.save(tmp.resolve("no/such/dir/m.hscm")));
        assertTrue(e.getMessage().contains("no/such/dir"), e.getMessage());
    }

    @Test
    void info() {
        Model model = TestSupport.model();
        ModelInfo info = model.info();
        assertEquals("en,fr", info.languages());
        assertEquals(model.labels().size(), info.labelCount());
        assertTrue(info.labelCount() > 100);
        assertFalse(info.fingerprint().isEmpty());
        assertFalse(info.createdBy().isEmpty());
        assertEquals(List.of("en", "fr"), info.nomenclatureLanguages());
        assertEquals(List.of(new NationalScheme("TEC-CEDEAO", "fr")), info.nationalSchemes());
        assertTrue(info.training().contains("epochs=5"), info.training());
        assertEquals("5", info.meta().get("train.epochs"));
        assertEquals(model.acceptThreshold(), info.acceptThreshold());
        assertTrue(info.acceptThreshold() > 0 && info.acceptThreshold() <= 1);
        assertEquals(List.copyOf(new java.util.TreeSet<>(model.labels())), model.labels());
    }

    @Test
    void defaultModel() {
        Path shipped = TestSupport.property("hsclass.defaultModel");
        String before = System.getProperty("hsclass.model");
        System.setProperty("hsclass.model", shipped.toString());
        try (Model m = Model.loadDefault()) {
            assertEquals("02", m.classify("frozen boneless beef cuts", 1).chapters().get(0).code());
        } finally {
            restore(before);
        }
        System.setProperty("hsclass.model", tmp.resolve("absent.hscm").toString());
        try {
            HsclassException e = assertThrows(HsclassException.FileError.class, Model::loadDefault);
            assertTrue(e.getMessage().contains("absent.hscm"), e.getMessage());
        } finally {
            restore(before);
        }
    }

    private static void restore(String before) {
        if (before == null) {
            System.clearProperty("hsclass.model");
        } else {
            System.setProperty("hsclass.model", before);
        }
    }
}
