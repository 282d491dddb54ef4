package org.hsclass;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Text the library must refuse is refused with its status; text it takes goes through intact. */
class TextTest {
    @Test
    void unpairedSurrogatesAreDetected() {
        Model model = TestSupport.model();
        // Java's encoder would turn each into '?' and classify something else.
        for (String bad : new String[] {"beef \ud83e", "beef \udd69 cuts", "\udd69\ud83e beef",
                "beef \ud83e"}) {
            HsclassException.BadUtf8 e = assertThrows(HsclassException.BadUtf8.class,
                    () -> model.classify(bad, 3));
            assertEquals("HSC_E_BAD_UTF8", e.statusName());
            assertEquals(20, e.statusCode());
            assertTrue(e.detail().contains("unpaired surrogate"), e.detail());
            assertTrue(e.getMessage().startsWith("HSC_E_BAD_UTF8"), e.getMessage());
        }
        HsclassException.BadUtf8 e = assertThrows(HsclassException.BadUtf8.class,
                () -> model.decide("ab\udc00", 1));
        assertTrue(e.detail().contains("index 2"), e.detail());
        assertThrows(HsclassException.BadUtf8.class, () -> model.explain("x\ud800", 1));
        assertThrows(HsclassException.BadUtf8.class, () -> HsCode.parse("02\ud800"));
        // a valid pair (an emoji) is text like any other
        assertEquals(model.classify("frozen beef", 3).suggestions().size(),
                model.classify("frozen beef \ud83e\udd69", 3).suggestions().size());
    }

    @Test
    void textOverTheLimitThrowsTextTooLong() {
        Model model = TestSupport.model();
        String longText = "beef ".repeat(65536 / 5 + 1);  // over the default 65536 bytes
        HsclassException e = assertThrows(HsclassException.TextTooLong.class,
                () -> model.classify(longText, 3));
        assertEquals(Status.TEXT_TOO_LONG, e.status());
        assertEquals("HSC_E_TEXT_TOO_LONG", e.statusName());
        try (Model small = Model.load(TestSupport.modelPath(),
                Config.DEFAULT.with(Option.MAX_TEXT_BYTES, 16))) {
            assertFalse(small.classify("frozen beef cuts", 1).suggestions().isEmpty());  // 16 bytes
            assertThrows(HsclassException.TextTooLong.class,
                    () -> small.classify("frozen beef cutsé", 1));                      // 18 bytes
            try (Session s = small.newSession(Config.DEFAULT.with(Option.MAX_TEXT_BYTES, 100))) {
                assertFalse(s.classify("frozen beef cutsé", 1).suggestions().isEmpty());
            }
        }
    }

    @Test
    void badArgumentsAreInvalidArgument() {
        Model model = TestSupport.model();
        assertThrows(HsclassException.InvalidArgument.class, () -> model.classify(null, 3));
        assertThrows(HsclassException.InvalidArgument.class, () -> model.classify("beef", 0));
        assertThrows(HsclassException.InvalidArgument.class, () -> model.precedents("beef", -1));
        assertThrows(HsclassException.InvalidArgument.class,
                () -> model.classify("beef", 3, ClassifyOptions.DEFAULT.level(3)));
        assertThrows(HsclassException.InvalidArgument.class, () -> model.describe("02", "f\0r"));
        assertThrows(HsclassException.InvalidArgument.class,
                () -> Config.DEFAULT.with(Option.EPOCHS, -1));
        assertThrows(HsclassException.InvalidArgument.class,
                () -> Config.DEFAULT.with(Option.LANGUAGES, 3));
        assertThrows(HsclassException.InvalidArgument.class,
                () -> Config.DEFAULT.with(Option.LEARNING_RATE, "fast"));
    }

    @Test
    void textsKeepTheirCharacters() {
        Model model = TestSupport.model();
        String text = "viande bovine désossée congelée";
        Explanation ex = model.explain(text, 1).get(0);
        assertFalse(ex.words().isEmpty());
        for (WordWeight w : ex.words()) {
            assertEquals(w.word(), text.substring(w.start(), w.end()));
        }
        assertTrue(ex.words().stream().anyMatch(w -> w.word().equals("désossée")));
        // a NUL inside a text is a character like another (texts are passed with their length)
        assertEquals(model.classify("frozen beef", 3).suggestions().size(),
                model.classify("frozen\0beef", 3).suggestions().size());
    }

    @Test
    void hsCodesParseAsTheLibraryReadsThem() {
        assertEquals("870323", HsCode.parse("8703.23"));
        assertEquals("870323", HsCode.parse("8703 23"));
        assertEquals("", HsCode.parse(" . "));
        HsclassException e = assertThrows(HsclassException.BadCode.class, () -> HsCode.parse("87x"));
        assertEquals(Status.BAD_CODE, e.status());
        assertThrows(HsclassException.BadCode.class, () -> HsCode.parse("1234567890123"));
    }
}
