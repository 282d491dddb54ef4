/* test_stem.c - Snowball stemming per language, the multilingual stem set,
 * language "none", stopword lists and their union, and the stem memo. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static hsc__analyzer *make(const char *langs, uint32_t strip)
{
    hsc_config cfg;
    hsc__analyzer *an = NULL;
    hsc__config_defaults(&cfg);
    assert_int_equal(hsc__parse_languages(langs, cfg.spec.langs, &cfg.spec.n_langs), HSC_OK);
    cfg.spec.strip_accents = strip;
    assert_int_equal(hsc__analyzer_new(NULL, &cfg.spec, &cfg.rt, &an), HSC_OK);
    return an;
}

/* Token i's stems after analyzing text. */
static const char *stems_of(hsc__analyzer *an, const char *text, size_t i, uint32_t *n)
{
    hsc__token tok;
    const hsc__token *t = &tok;
    assert_int_equal(hsc__analyze(an, text, strlen(text)), HSC_OK);
    assert_true(hsc__analyzer_token_count(an) > i);
    tok = hsc__analyzer_token(an, i);
    if (n != NULL)
        *n = t->n_stems;
    return hsc__token_stems(hsc__analyzer_pool(an), t);
}

static void test_single_languages(void **state)
{
    static const struct {
        const char *lang, *word, *stem;
    } cases[] = {
        {"en", "cuts", "cut"},          {"en", "running", "run"},
        {"en", "frozen", "frozen"},     {"en", "generations", "generat"},
        {"en", "Polyester", "polyest"}, {"fr", "viande", "viand"},
        {"fr", "bovines", "bovin"},     {"fr", "chaussures", "chaussur"},
        {"pt", "congelada", "congel"},  {"pt", "desossada", "desoss"},
        {"pt", "sapatos", "sapat"},     {"es", "deshuesada", "deshues"},
        {"es", "zapatos", "zapat"},     {"es", "congelados", "congel"},
        {"none", "running", "running"}, {"none", "Viandes", "viandes"},
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hsc__analyzer *an = make(cases[i].lang, 1);
        uint32_t n = 0;
        assert_string_equal(stems_of(an, cases[i].word, 0, &n), cases[i].stem);
        assert_int_equal(n, 1);
        hsc__analyzer_free(an);
    }
}

/* Every configured language stems every word; distinct stems in language
 * order. */
static void test_multilingual(void **state)
{
    static const struct {
        const char *langs, *word, *stems;
        uint32_t n;
    } cases[] = {
        {"en,fr,pt,es", "congelada", "congelada|congelad|congel", 3},
        {"en,fr,pt,es", "cuts", "cut|cuts", 2},
        {"en,fr,pt,es", "beef", "beef", 1},
        {"es,pt", "zapatos", "zapat", 1},
        {"fr,en", "generations", "gener|generat", 2},
        {"en,fr,pt,es", "\xCE\xBA\xCF\x81\xCE\xAD\xCE\xB1\xCF\x82",
         "\xCE\xBA\xCF\x81\xCE\xB5\xCE\xB1\xCF\x83", 1}, /* foreign script: unchanged */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hsc__analyzer *an = make(cases[i].langs, 1);
        uint32_t n = 0;
        assert_string_equal(stems_of(an, cases[i].word, 0, &n), cases[i].stems);
        assert_int_equal(n, cases[i].n);
        hsc__analyzer_free(an);
    }
}

static void test_non_words_have_no_stems(void **state)
{
    hsc__analyzer *an = make("en,fr", 1);
    hsc__token t[5];
    (void)state;
    assert_int_equal(hsc__analyze(an, "the 20kg x200 0201.30 12", 24), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), 5);
    for (size_t i = 0; i < 5; i++)
        t[i] = hsc__analyzer_token(an, i);
    for (size_t i = 0; i < 5; i++) {
        assert_int_equal(t[i].n_stems, 0);
        assert_string_equal(hsc__token_stems(hsc__analyzer_pool(an), &t[i]), "");
    }
    assert_true(t[0].flags & HSC_TOKEN_FLAG_STOPWORD);
    hsc__analyzer_free(an);
}

static int is_stop(hsc__analyzer *an, const char *word)
{
    assert_int_equal(hsc__analyze(an, word, strlen(word)), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), 1);
    return (hsc__analyzer_token(an, 0).flags & HSC_TOKEN_FLAG_STOPWORD) != 0;
}

static void test_stopword_union(void **state)
{
    static const struct {
        const char *langs, *word;
        int stop;
    } cases[] = {
        {"en", "the", 1},       {"en", "de", 0},        {"fr", "de", 1},
        {"fr", "the", 0},       {"pt", "dos", 1},       {"es", "del", 1},
        {"en,fr", "de", 1},     {"en,fr", "The", 1},    {"none", "the", 0},
        {"none", "de", 0},      {"es", "\xC3\xA0", 1},  {"fr", "\xC3\xA0", 1}, /* à -> a */
        {"fr", "A", 1},         {"pt", "\xC3\x80S", 1}, /* "ÀS" folds to "as" */
    };
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hsc__analyzer *an = make(cases[i].langs, 1);
        if (is_stop(an, cases[i].word) != cases[i].stop)
            print_error("%s: \"%s\"\n", cases[i].langs, cases[i].word);
        assert_int_equal(is_stop(an, cases[i].word), cases[i].stop);
        hsc__analyzer_free(an);
    }
}

/* Words that are goods (or meaning) in one of our languages must never be
 * stopwords, whatever the language set and accent mode. */
static void test_content_words_kept(void **state)
{
    static const char *const content[] = {
        "or",      /* fr gold */
        "os",      /* fr bone */
        "la",      /* pt "lã" wool, accent-stripped */
        "l\xC3\xA3", "mais", "ma\xC3\xAFs", "pelo", "pelos", "son", "para",
        "other",   "others", "not", "without", "sans", "sem", "sin", "non",
        "autres",  "outros", "otros", "sous", "per", "each", "all", "only",
    };
    static const char *const configs[] = {"en,fr,pt,es", "en", "fr", "pt", "es"};
    (void)state;
    for (size_t c = 0; c < sizeof configs / sizeof configs[0]; c++) {
        for (uint32_t strip = 0; strip <= 1; strip++) {
            hsc__analyzer *an = make(configs[c], strip);
            for (size_t i = 0; i < sizeof content / sizeof content[0]; i++) {
                uint32_t n = 0;
                if (is_stop(an, content[i]))
                    print_error("%s (strip %u): \"%s\" is a stopword\n", configs[c], strip,
                                content[i]);
                assert_false(is_stop(an, content[i]));
                (void)stems_of(an, content[i], 0, &n);
                assert_true(n >= 1);
            }
            hsc__analyzer_free(an);
        }
    }
}

static void test_lists_well_formed(void **state)
{
    (void)state;
    assert_null(hsc__stopword_list(HSC__LANG_NONE));
    assert_null(hsc__stopword_list(99));
    for (uint32_t lang = HSC__LANG_EN; lang < HSC__LANG_COUNT; lang++) {
        const char *const *list = hsc__stopword_list(lang);
        size_t n = 0;
        assert_non_null(list);
        for (; list[n] != NULL; n++) {
            size_t len = strlen(list[n]);
            assert_true(len > 0 && len < 16);
            assert_int_equal(hsc__utf8_validate(list[n], len, NULL), HSC_OK);
            for (size_t k = 0; k < len; k++)
                assert_false(list[n][k] >= 'A' && list[n][k] <= 'Z');
            for (size_t j = 0; j < n; j++)
                assert_string_not_equal(list[j], list[n]);
        }
        /* short lists: function words only */
        assert_true(n >= 20 && n <= 60);
    }
}

/* The memo returns what the stemmers return: compare a warm analyzer with
 * fresh ones, across evictions and for words too long to memoize. */
static void test_memo_consistent(void **state)
{
    static const char *const words[] = {
        "congelada", "cuts", "viandes",
        "hydroxypropylmethylcellulosesolutions", /* longer than a memo slot */
        "generations"};
    hsc__analyzer *warm = make("en,fr,pt,es", 1);
    char buf[64];
    (void)state;
    for (int round = 0; round < 3; round++) {
        for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
            hsc__analyzer *fresh = make("en,fr,pt,es", 1);
            uint32_t n1 = 0, n2 = 0;
            char s1[256];
            snprintf(s1, sizeof s1, "%s", stems_of(warm, words[i], 0, &n1));
            assert_string_equal(s1, stems_of(fresh, words[i], 0, &n2));
            assert_int_equal(n1, n2);
            hsc__analyzer_free(fresh);
        }
        /* Evict: thousands of distinct words through the warm analyzer. */
        for (int k = 0; k < 3000; k++) {
            snprintf(buf, sizeof buf, "w%cx%cyz%c", 'a' + k % 26, 'a' + (k / 26) % 26,
                     'a' + (k / 676) % 26);
            assert_int_equal(hsc__analyze(warm, buf, strlen(buf)), HSC_OK);
        }
    }
    /* Same word twice in one text: same stems. */
    assert_int_equal(hsc__analyze(warm, "congelada congelada", 19), HSC_OK);
    hsc__token t0 = hsc__analyzer_token(warm, 0), t1 = hsc__analyzer_token(warm, 1);
    assert_string_equal(hsc__token_stems(hsc__analyzer_pool(warm), &t0),
                        hsc__token_stems(hsc__analyzer_pool(warm), &t1));
    hsc__analyzer_free(warm);
}

/* Words beyond 100 bytes skip Snowball: the stem is the word. */
static void test_long_word(void **state)
{
    char w[151];
    hsc__analyzer *an = make("en,fr", 1);
    uint32_t n = 0;
    (void)state;
    memset(w, 'a', 150);
    memcpy(w + 144, "ations", 6);
    w[150] = '\0';
    assert_string_equal(stems_of(an, w, 0, &n), w);
    assert_int_equal(n, 1);
    hsc__analyzer_free(an);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_single_languages),
        cmocka_unit_test(test_multilingual),
        cmocka_unit_test(test_non_words_have_no_stems),
        cmocka_unit_test(test_stopword_union),
        cmocka_unit_test(test_content_words_kept),
        cmocka_unit_test(test_lists_well_formed),
        cmocka_unit_test(test_memo_consistent),
        cmocka_unit_test(test_long_word),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
