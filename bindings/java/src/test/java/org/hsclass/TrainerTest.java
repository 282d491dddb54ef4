package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Training through the binding: rows, files, callbacks, errors. */
class TrainerTest {
    private static final Config QUICK = Config.DEFAULT.with(Option.EPOCHS, 2)
            .with(Option.DIM, 16).with(Option.BUCKETS, 1 << 16).with(Option.THREADS, 1)
            .with(Option.LANGUAGES, "en").with(Option.PRECEDENTS, 0);

    @TempDir
    Path tmp;

    @Test
    void rowErrorsAreReportedWithTheirLine() throws Exception {
        Path file = tmp.resolve("rows.tsv");
        Files.writeString(file, "020130\tfrozen boneless beef\nno tab here\n0201x\tbad code\n"
                + "080910\tfresh apricots\n020130\t\n", StandardCharsets.UTF_8);
        List<Trainer.RowError> errors = new ArrayList<>();
        try (Trainer t = new Trainer(QUICK)) {
            t.onRowError(errors::add);
            t.addFile(file, 1.0, Trainer.RowKind.DECLARATIONS);
            t.addRow("0201", "", 1.0, Trainer.RowKind.DECLARATIONS);
            assertArrayEquals(new long[] {2, 4}, t.rowCounts());
        }
        // line 0: the row added through the API
        assertEquals(List.of(2L, 3L, 5L, 0L), errors.stream().map(Trainer.RowError::line).toList());
        assertTrue(errors.get(0).file().endsWith("rows.tsv"), errors.get(0).file());
        assertEquals("", errors.get(3).file());
        assertTrue(errors.stream().allMatch(e -> e.status() != null && !e.message().isEmpty()));
    }

    @Test
    void strictModeStopsAtABadRow() throws Exception {
        Path file = tmp.resolve("bad.tsv");
        Files.writeString(file, "020130\tbeef\nno tab\n", StandardCharsets.UTF_8);
        try (Trainer t = new Trainer(QUICK.with(Option.STRICT, 1))) {
            HsclassException e = assertThrows(HsclassException.TrainingDataError.class,
                    () -> t.addFile(file, 1.0, Trainer.RowKind.DECLARATIONS));
            assertEquals(Status.BAD_ROW, e.status());
            assertTrue(e.getMessage().contains("bad.tsv"), e.getMessage());
        }
    }

    @Test
    void trainingDataErrors() {
        try (Trainer t = new Trainer(QUICK)) {
            HsclassException e = assertThrows(HsclassException.TrainingDataError.class, t::train);
            assertEquals(Status.NO_DATA, e.status());
        }
        try (Trainer t = new Trainer(QUICK)) {
            t.addRow("020130", "frozen beef").addRow("020130", "chilled beef");
            assertEquals(Status.ONE_CLASS,
                    assertThrows(HsclassException.class, t::train).status());
        }
        try (Trainer t = new Trainer(QUICK)) {
            assertEquals(Status.IO, assertThrows(HsclassException.FileError.class,
                    () -> t.addFile(tmp.resolve("missing.tsv"))).status());
            assertThrows(HsclassException.InvalidArgument.class,
                    () -> t.addNomenclatureFile(TestSupport.data("nomenclature_fr.tsv"), "FR!"));
        }
        assertEquals(Status.BAD_LANGUAGE, assertThrows(HsclassException.class,
                () -> new Trainer(Config.DEFAULT.with(Option.LANGUAGES, "xx"))).status());
    }

    @Test
    void progressCanCancelAndCallbackErrorsAreRethrown() {
        List<Trainer.Progress> seen = new ArrayList<>();
        try (Trainer t = new Trainer(QUICK)) {
            t.addFile(TestSupport.data("train_real.tsv"));
            t.onProgress(p -> {
                seen.add(p);
                return false;
            });
            HsclassException e = assertThrows(HsclassException.Cancelled.class, t::train);
            assertEquals("HSC_E_CANCELLED", e.statusName());
        }
        assertEquals(1, seen.size());
        assertTrue(seen.get(0).epochs() == 2 && seen.get(0).done() >= 0);
        IllegalStateException boom = new IllegalStateException("stop");
        try (Trainer t = new Trainer(QUICK)) {
            t.addFile(TestSupport.data("train_real.tsv"));
            t.onProgress(p -> {
                throw boom;
            });
            assertSame(boom, assertThrows(IllegalStateException.class, t::train));
        }
        try (Trainer t = new Trainer(QUICK)) {
            t.onRowError(err -> {
                throw boom;
            });
            assertSame(boom, assertThrows(IllegalStateException.class,
                    () -> t.addRow("bad", "row")));
            t.onRowError(null);
            t.addRow("bad", "row");  // reported to nobody, skipped
            assertArrayEquals(new long[] {0, 2}, t.rowCounts());
        }
    }

    @Test
    void adaptsAnExistingModelToNationalLines() {
        Model base = TestSupport.model();
        Config cfg = Config.DEFAULT.with(Option.CODE_DIGITS, 10).with(Option.THREADS, 1)
                .with(Option.SEED, 5);
        try (Trainer t = Trainer.fromModel(base, cfg)) {
            t.addFile(TestSupport.data("tec_cedeao_slice.tsv"), 1.0,
                    Trainer.RowKind.DECLARATIONS);
            try (Model m = t.train()) {
                Map<String, String> meta = m.info().meta();
                assertEquals(base.info().fingerprint(), meta.get("train.from_fingerprint"));
                assertEquals(String.valueOf(Trainer.ADAPT_EPOCHS), meta.get("train.epochs"));
                assertTrue(m.labels().contains("0201300000"), "the rows' national lines");
                assertTrue(m.labels().contains("080910"), "base's labels are kept");
                assertEquals(base.nationalLines("020130"), m.nationalLines("020130"));
            }
        }
        assertFalse(base.isClosed());
    }

    @Test
    void codeMapsRelabelOldCodes() throws Exception {
        Path map = tmp.resolve("map.tsv");
        Files.writeString(map, "020110\t020130\n", StandardCharsets.UTF_8);
        try (Trainer t = new Trainer(QUICK)) {
            t.addCodeMap(map);
            t.addRow("020110", "beef carcasses").addRow("080910", "apricots")
                    .addRow("020130", "boneless beef");
            try (Model m = t.train()) {
                assertEquals(List.of("020130", "080910"), m.labels());
                assertEquals("1", m.info().meta().get("train.rows_mapped"));
            }
            assertEquals(Status.IO, assertThrows(HsclassException.FileError.class,
                    () -> t.addCodeMap(tmp.resolve("missing.tsv"))).status());
        }
    }

    @Test
    void trainsAModelFromRowsAndFiles() {
        List<Trainer.Progress> seen = new ArrayList<>();
        try (Trainer t = new Trainer(QUICK.with(Option.SEED, 3))) {
            t.onProgress(seen::add);
            t.addFile(TestSupport.data("train_real.tsv"), 3.0, Trainer.RowKind.DECLARATIONS);
            t.addFile(TestSupport.data("train_nomenclature.tsv"), 1.0,
                    Trainer.RowKind.NOMENCLATURE);
            t.addRow("0201.30", "boneless beef, fresh", 2.0, Trainer.RowKind.SYNTHETIC);
            t.addNationalFile(TestSupport.data("tec_cedeao_slice.tsv"), "TEC-CEDEAO", "fr");
            assertEquals(139, t.nomenclatureCounts()[1]);
            try (Model m = t.train()) {
                assertTrue(m.labels().contains("020130"));
                assertFalse(m.classify("fresh apricots", 1).suggestions().isEmpty());
                assertEquals(1, m.nationalLines("020130").size());
            }
        }
        assertFalse(seen.isEmpty());
        assertEquals(1.0, seen.get(seen.size() - 1).done(), 1e-9);
    }

    @Test
    void resumedRunWritesTheSameModel() throws Exception {
        Config run = QUICK.with(Option.EPOCHS, 5).with(Option.SEED, 7);
        Path data = TestSupport.data("train_real.tsv");
        Path full = tmp.resolve("full.hscm");
        try (Trainer t = new Trainer(run); Model m = t.addFile(data).train()) {
            m.save(full);
        }
        Path ck = tmp.resolve("run.ckpt");
        List<Integer> seen = new ArrayList<>();
        try (Trainer t = new Trainer(run)) {
            t.addFile(data).checkpoint(ck).onProgress(p -> seen.add(p.epoch()) && p.epoch() < 2);
            assertThrows(HsclassException.Cancelled.class, t::train);
        }
        assertEquals(List.of(1, 2), seen);
        assertTrue(Files.size(ck) > 0);
        seen.clear();
        Path resumed = tmp.resolve("resumed.hscm");
        try (Trainer t = new Trainer(run)) {
            t.addFile(data).resume(ck).checkpoint(ck).onProgress(p -> seen.add(p.epoch()));
            try (Model m = t.train()) {
                m.save(resumed);
            }
        }
        assertEquals(List.of(3, 4, 5), seen);
        assertArrayEquals(Files.readAllBytes(full), Files.readAllBytes(resumed));

        // other options, a damaged file, no file
        try (Trainer t = new Trainer(run.with(Option.SEED, 8))) {
            t.addFile(data).resume(ck);
            assertEquals(Status.CHECKPOINT_MISMATCH,
                    assertThrows(HsclassException.class, t::train).status());
        }
        Path bad = tmp.resolve("bad.ckpt");
        byte[] bytes = Files.readAllBytes(ck);
        Files.write(bad, java.util.Arrays.copyOf(bytes, bytes.length / 2));
        try (Trainer t = new Trainer(run)) {
            assertEquals(Status.CHECKPOINT_CORRUPT,
                    assertThrows(HsclassException.class, () -> t.resume(bad)).status());
            assertEquals(Status.IO, assertThrows(HsclassException.FileError.class,
                    () -> t.resume(tmp.resolve("missing.ckpt"))).status());
        }
    }

    @Test
    void readProgressReportsAndCanStop() throws Exception {
        Path file = tmp.resolve("many.tsv");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 40_000; i++) {
            rows.append(i % 2 == 0 ? "020130\tfrozen boneless beef lot " : "080910\tfresh apricots lot ")
                    .append(i).append('\n');
        }
        Files.writeString(file, rows, StandardCharsets.UTF_8);
        List<Trainer.ReadProgress> seen = new ArrayList<>();
        try (Trainer t = new Trainer(QUICK)) {
            t.onReadProgress(seen::add).addFile(file);
            assertEquals(40_000, t.rowCounts()[0]);
        }
        Trainer.ReadProgress last = seen.get(seen.size() - 1);
        assertEquals(new Trainer.ReadProgress(file.toString(), 40_000, Files.size(file),
                Files.size(file)), last);
        assertTrue(seen.size() >= 3 && seen.get(0).lines() < 40_000, seen.toString());
        try (Trainer t = new Trainer(QUICK)) {
            t.onReadProgress(p -> false);
            assertThrows(HsclassException.Cancelled.class, () -> t.addFile(file));
            long kept = t.rowCounts()[0];
            assertTrue(kept > 0 && kept < 40_000, "rows read before stopping stay: " + kept);
        }
    }
}
