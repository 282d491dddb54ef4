/* test_features.c - the frozen feature hash (golden vectors), the features
 * of whole descriptions (golden digests), and each extractor: stems,
 * character n-grams, skeletons, bigrams, class features, stopwords,
 * numbers. Changing any golden value breaks every trained model. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

/* ---- the hash ----------------------------------------------------------- */

static void test_hash_golden(void **state)
{
    /* Computed once by an independent implementation, then frozen. */
    static const struct {
        uint32_t seed;
        uint8_t kind;
        const char *data;
        uint64_t hash;
        uint32_t bucket; /* mod 2097152, the default */
    } golden[] = {
        {0x00000000u, 0, "", UINT64_C(0xE4BC4FD9252BE94F), 780623u},
        {0x00000000u, 1, "beef", UINT64_C(0x81AAE94296EEFA7A), 981626u},
        {0x00000001u, 1, "beef", UINT64_C(0xB126A814C45B364D), 1783373u},
        {0xDEADBEEFu, 3, "<be", UINT64_C(0xD403AD5EA06A4AFD), 674557u},
        {0x01020304u, 5, "#hs4:0201", UINT64_C(0xBF157F570D20838F), 33679u},
        {0x00000000u, 2, "frozen beef", UINT64_C(0xC3DCF51C995F1E67), 2039399u},
        {0x00000000u, 1, "d\xC3\xA9soss\xC3\xA9", UINT64_C(0x196ED7F693BD9DF8), 1940984u},
        {0xFFFFFFFFu, 4, "frzn", UINT64_C(0x6653658A05EC90E7), 823527u},
    };
    (void)state;
    for (size_t i = 0; i < sizeof golden / sizeof golden[0]; i++) {
        uint64_t h = hsc__hash(golden[i].seed, golden[i].kind, golden[i].data,
                               strlen(golden[i].data));
        assert_true(h == golden[i].hash);
        assert_int_equal(h % 2097152u, golden[i].bucket);
        assert_int_equal(hsc__mod_fast(h, 2097152u, hsc__mod_magic(2097152u)), golden[i].bucket);
    }
}

/* The bucket is taken without a division: the same remainder for every
 * divisor shape (1, powers of two, primes, the largest) and for hashes
 * at the edges (0, d - 1, multiples of d and one less, 2^64 - 1). */
static void test_bucket_remainder(void **state)
{
    static const uint32_t divisors[] = {1u, 2u, 3u, 7u, 1000u, 65536u, 100000u, 2097152u,
                                        2000003u, 16777213u, 0x7FFFFFFFu, 0x80000000u,
                                        0xFFFFFFFBu, 0xFFFFFFFFu};
    uint64_t x = UINT64_C(0x243F6A8885A308D3);
    (void)state;
    for (size_t i = 0; i < sizeof divisors / sizeof divisors[0]; i++) {
        uint32_t d = divisors[i];
        uint64_t magic = hsc__mod_magic(d);
        uint64_t top = UINT64_MAX / d * d;
        const uint64_t edge[] = {0, 1, d - 1u, d, (uint64_t)d + 1u, top, top - 1u, top - d,
                                 UINT64_MAX, UINT64_MAX - 1u, UINT64_MAX - d};
        for (size_t k = 0; k < sizeof edge / sizeof edge[0]; k++)
            assert_int_equal(hsc__mod_fast(edge[k], d, magic), edge[k] % d);
        for (int k = 0; k < 100000; k++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            uint64_t h = k % 2 ? x : x >> (k % 61);
            assert_int_equal(hsc__mod_fast(h, d, magic), h % d);
        }
    }
}

/* ---- helpers ------------------------------------------------------------- */

static hsc__analyzer *make_spec(const hsc__textspec *spec)
{
    hsc_config cfg;
    hsc__analyzer *an = NULL;
    hsc__config_defaults(&cfg);
    assert_int_equal(hsc__analyzer_new(NULL, spec, &cfg.rt, &an), HSC_OK);
    return an;
}

/* The default options with feature version 1: the exact lists below are
 * version 1's; the head features of version 2 are tested on their own. */
static hsc__textspec default_spec(void)
{
    hsc_config cfg;
    hsc__config_defaults(&cfg);
    cfg.spec.feature_version = 1;
    return cfg.spec;
}

static void analyze(hsc__analyzer *an, const char *text)
{
    assert_int_equal(hsc__analyze(an, text, strlen(text)), HSC_OK);
}

typedef struct want {
    uint8_t kind;
    const char *s;
} want;

static uint32_t bucket_of(const hsc__textspec *sp, uint8_t kind, const char *s)
{
    return (uint32_t)(hsc__hash(sp->hash_seed, kind, s, strlen(s)) % sp->buckets);
}

/* The features of text are exactly these, in this order. */
static void expect_exact(const hsc__textspec *sp, const char *text, const want *w, size_t n)
{
    hsc__analyzer *an = make_spec(sp);
    const hsc__feature *f;
    analyze(an, text);
    f = hsc__analyzer_features(an);
    if (hsc__analyzer_feature_count(an) != n)
        print_error("\"%s\": %zu features, want %zu\n", text, hsc__analyzer_feature_count(an), n);
    assert_int_equal(hsc__analyzer_feature_count(an), n);
    for (size_t i = 0; i < n; i++) {
        if (f[i].bucket != bucket_of(sp, w[i].kind, w[i].s))
            print_error("\"%s\": feature %zu is not %d \"%s\"\n", text, i, w[i].kind, w[i].s);
        assert_int_equal(f[i].bucket, bucket_of(sp, w[i].kind, w[i].s));
    }
    hsc__analyzer_free(an);
}

static int has_feature(const hsc__analyzer *an, const hsc__textspec *sp, uint8_t kind,
                       const char *s)
{
    uint32_t b = bucket_of(sp, kind, s);
    for (size_t i = 0; i < hsc__analyzer_feature_count(an); i++)
        if (hsc__analyzer_features(an)[i].bucket == b)
            return 1;
    return 0;
}

#define W(s) {HSC__FK_WORD, s}
#define B(s) {HSC__FK_BIGRAM, s}
#define G(s) {HSC__FK_CHARGRAM, s}
#define K(s) {HSC__FK_SKELETON, s}
#define C(s) {HSC__FK_CLASS, s}
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* ---- exact feature lists ------------------------------------------------------ */

static void test_word_features_exact(void **state)
{
    hsc__textspec sp = default_spec();
    static const want frozen_beef[] = {
        W("frozen"), W("froz"),
        G("<fr"), G("<fro"), G("<froz"), G("fro"), G("froz"), G("froze"), G("roz"), G("roze"),
        G("rozen"), G("oze"), G("ozen"), G("ozen>"), G("zen"), G("zen>"), G("en>"),
        K("frzn"),
        W("beef"),
        G("<be"), G("<bee"), G("<beef"), G("bee"), G("beef"), G("beef>"), G("eef"), G("eef>"),
        G("ef>"),
        K("bf"),
        B("frozen beef"),
    };
    static const want viande_de_boeuf[] = {
        W("viand"),
        G("<vi"), G("<via"), G("<vian"), G("via"), G("vian"), G("viand"), G("ian"), G("iand"),
        G("iande"), G("and"), G("ande"), G("ande>"), G("nde"), G("nde>"), G("de>"),
        K("vnd"),
        /* "de" is a stopword: no features, transparent for the bigram */
        W("boeuf"),
        G("<bo"), G("<boe"), G("<boeu"), G("boe"), G("boeu"), G("boeuf"), G("oeu"), G("oeuf"),
        G("oeuf>"), G("euf"), G("euf>"), G("uf>"),
        K("bf"),
        B("viand boeuf"),
    };
    (void)state;
    expect_exact(&sp, "Frozen BEEF", frozen_beef, N(frozen_beef));
    sp.n_langs = 1;
    sp.langs[0] = HSC__LANG_FR;
    expect_exact(&sp, "viande de b\xC5\x93uf", viande_de_boeuf, N(viande_de_boeuf));
}

static void test_class_features_exact(void **state)
{
    static const struct {
        const char *text;
        want w[5];
        size_t n;
    } cases[] = {
        {"20 KG", {W("20kg"), C("#qty:kg"), C("#qty:mass:1")}, 3},
        {"500g", {W("500g"), C("#qty:g"), C("#qty:mass:-1")}, 3},
        {"2 x 5kg", {W("2x5kg"), C("#qty:multi"), C("#qty:kg"), C("#qty:mass:0")}, 4},
        {"85 %", {W("85%"), C("#pct"), C("#pct:8")}, 3},
        {"150%", {W("150%"), C("#pct"), C("#pct:10")}, 3},
        {"1.5 L", {W("1.5l"), C("#qty:l"), C("#qty:vol:0")}, 3},
        {"3.5mm", {W("3.5mm"), C("#qty:mm"), C("#qty:len:-3")}, 3},
        {"0 kg", {W("0kg"), C("#qty:kg"), C("#qty:mass:z")}, 3},
        {"12 pcs", {W("12pcs"), C("#qty:pcs")}, 2},
        {"0201.30", {C("#hs2:02"), C("#hs4:0201"), C("#hs6:020130")}, 3},
        {"8703 23 90 10", {C("#hs2:87"), C("#hs4:8703"), C("#hs6:870323"),
                           C("#hs8:87032390")}, 4},
        {"x200", {W("x200"), C("#alnum"), C("#shape:a9")}, 3},
        {"205/55R16", {W("205/55r16"), C("#alnum"), C("#shape:9/9a9")}, 3},
        {"3,5", {W("3.5"), C("#num"), C("#num:0")}, 3},
        {"1,000,000", {W("1000000"), C("#num"), C("#num:6")}, 3},
        {"0.001", {W("0.001"), C("#num"), C("#num:-3")}, 3},
        {"0", {W("0"), C("#num"), C("#num:z")}, 3},
        {"the of and", {{0, NULL}}, 0},
    };
    hsc__textspec sp = default_spec();
    (void)state;
    for (size_t i = 0; i < N(cases); i++)
        expect_exact(&sp, cases[i].text, cases[i].w, cases[i].n);
}

/* ---- extractors under options ------------------------------------------------ */

static size_t count(const hsc__textspec *sp, const char *text)
{
    hsc__analyzer *an = make_spec(sp);
    size_t n;
    analyze(an, text);
    n = hsc__analyzer_feature_count(an);
    hsc__analyzer_free(an);
    return n;
}

static void test_counts_under_options(void **state)
{
    hsc__textspec sp = default_spec();
    (void)state;
    /* frozen: 2 stems + 15 grams + 1 skeleton; beef: 1 + 9 + 1; bigram 1 */
    assert_int_equal(count(&sp, "frozen beef"), 30);
    sp.word_ngrams = 1;
    assert_int_equal(count(&sp, "frozen beef"), 29);
    sp.skeletons = 0;
    assert_int_equal(count(&sp, "frozen beef"), 27);
    sp.char_min = 0;
    assert_int_equal(count(&sp, "frozen beef"), 3);
    sp.char_min = 4; /* max < min: no n-grams */
    sp.char_max = 3;
    assert_int_equal(count(&sp, "frozen beef"), 3);
    sp.char_min = 1; /* single characters, never a lone marker */
    sp.char_max = 1;
    assert_int_equal(count(&sp, "frozen beef"), 3 + 6 + 4);
    sp = default_spec();
    sp.n_langs = 1;
    sp.langs[0] = HSC__LANG_NONE;
    assert_int_equal(count(&sp, "frozen beef"), 29); /* one stem: the word */
    sp = default_spec();
    /* one-letter words: stem, no n-grams, no skeleton */
    sp.word_ngrams = 1;
    assert_int_equal(count(&sp, "x"), 1);
    /* multibyte n-grams count code points, not bytes: <été> has 3+2+1 */
    sp.strip_accents = 0;
    sp.skeletons = 0;
    sp.n_langs = 1;
    sp.langs[0] = HSC__LANG_NONE;
    assert_int_equal(count(&sp, "\xC3\xA9t\xC3\xA9"), 1 + 3 + 2 + 1);
}

static void test_chargrams_multibyte(void **state)
{
    hsc__textspec sp = default_spec();
    static const want ete[] = {
        W("\xC3\xA9t\xC3\xA9"),
        G("<\xC3\xA9t"), G("\xC3\xA9t\xC3\xA9"), G("t\xC3\xA9>"),
    };
    (void)state;
    sp.strip_accents = 0;
    sp.n_langs = 1;
    sp.langs[0] = HSC__LANG_NONE;
    sp.char_min = sp.char_max = 3;
    expect_exact(&sp, "\xC3\x89T\xC3\x89", ete, N(ete));
}

static void test_skeletons(void **state)
{
    static const struct {
        const char *word, *skeleton;
    } cases[] = {
        {"frozen", "frzn"},  {"frzn", "frzn"},       {"cotton", "ctn"},    {"cttn", "ctn"},
        {"sanitary", "sntr"}, {"sntry", "sntr"},     {"polyester", "plstr"}, {"polyest", "plst"},
        {"acid", "acd"},     {"beef", "bf"},         {"a", "a"},           {"yyy", "y"},
        {"bbb", "b"},        {"\xC3\xA9t\xC3\xA9", ""}, {"x200", ""},       {"Frozen", ""},
    };
    hsc__textspec sp = default_spec();
    hsc__analyzer *an;
    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        char out[64];
        size_t n = hsc__skeleton(cases[i].word, strlen(cases[i].word), out);
        assert_int_equal(n, strlen(cases[i].skeleton));
        if (n > 0)
            assert_string_equal(out, cases[i].skeleton);
    }
    /* "polyester" and "polyest" meet on the 4-letter prefix. */
    an = make_spec(&sp);
    analyze(an, "polyester");
    assert_true(has_feature(an, &sp, HSC__FK_SKELETON, "plstr"));
    assert_true(has_feature(an, &sp, HSC__FK_SKELETON, "plst"));
    analyze(an, "polyest");
    assert_true(has_feature(an, &sp, HSC__FK_SKELETON, "plst"));
    assert_false(has_feature(an, &sp, HSC__FK_SKELETON, "plstr"));
    hsc__analyzer_free(an);
}

static void test_bigrams(void **state)
{
    hsc__textspec sp = default_spec();
    hsc__analyzer *an = make_spec(&sp);
    (void)state;
    analyze(an, "tyre 205/55R16");
    assert_true(has_feature(an, &sp, HSC__FK_BIGRAM, "tyre 205/55r16"));
    /* numbers, quantities and codes break the chain; stopwords do not */
    analyze(an, "beef 20kg cuts");
    assert_false(has_feature(an, &sp, HSC__FK_BIGRAM, "beef cut"));
    analyze(an, "beef of the cuts");
    assert_true(has_feature(an, &sp, HSC__FK_BIGRAM, "beef cut"));
    /* first stem in language order (en first) */
    analyze(an, "carne congelada");
    assert_true(has_feature(an, &sp, HSC__FK_BIGRAM, "carn congelada"));
    /* every feature points at its token; a bigram at its first token */
    analyze(an, "frozen beef");
    for (size_t i = 0; i < hsc__analyzer_feature_count(an); i++)
        assert_int_equal(hsc__analyzer_features(an)[i].token, i < 18 ? 0 : i < 29 ? 1 : 0);
    hsc__analyzer_free(an);
}

static void test_seed_and_buckets(void **state)
{
    hsc__textspec sp = default_spec();
    hsc__analyzer *a, *b;
    size_t same = 0, n;
    (void)state;
    a = make_spec(&sp);
    sp.hash_seed = 7;
    b = make_spec(&sp);
    analyze(a, "frozen boneless beef");
    analyze(b, "frozen boneless beef");
    n = hsc__analyzer_feature_count(a);
    assert_int_equal(hsc__analyzer_feature_count(b), n);
    for (size_t i = 0; i < n; i++)
        same += hsc__analyzer_features(a)[i].bucket == hsc__analyzer_features(b)[i].bucket;
    assert_true(same < 3);
    hsc__analyzer_free(b);
    sp.buckets = 1;
    b = make_spec(&sp);
    analyze(b, "frozen boneless beef");
    for (size_t i = 0; i < hsc__analyzer_feature_count(b); i++)
        assert_int_equal(hsc__analyzer_features(b)[i].bucket, 0);
    hsc__analyzer_free(a);
    hsc__analyzer_free(b);
}

/* The memo of short words' n-grams changes no feature: an analyzer with it
 * and one without give the same list for texts whose words come back
 * (hits), collide and are evicted (8,000 distinct words for 4,096 slots),
 * are 16 bytes long or longer than the memo keeps, or are not ASCII; and
 * under a spec with more n-grams a word than an entry holds. */
static void test_gram_memo_same_features(void **state)
{
    static const char *const fixed[] = {"beef", "boeuf", "cr\xC3\xA8me", "\xE7\x89\x9B\xE8\x82\x89",
                                        "\xC3\xB1" "and\xC3\xBA", "abcdefghijklmnop", "abcdefghijklmnopq",
                                        "x", "t-shirt", "x200", "frozen", "\xC3\xA9"};
    hsc__textspec specs[2];
    specs[0] = default_spec();
    specs[1] = default_spec();
    specs[1].char_min = 1;
    specs[1].char_max = 6;
    (void)state;
    for (int sp = 0; sp < 2; sp++) {
        hsc__analyzer *with = make_spec(&specs[sp]), *without = make_spec(&specs[sp]);
        hsc__analyzer_gram_memo(without, 0);
        uint32_t x = 99;
        for (int round = 0; round < 2; round++) {   /* the second round meets every word again */
            x = 99;
            for (int t = 0; t < 1500; t++) {
                char text[512];
                size_t n = 0;
                for (int w = 0; w < 8; w++) {
                    x = x * 1103515245u + 12345u;
                    uint32_t r = x >> 8;
                    if (r % 5 == 0) {
                        n += (size_t)snprintf(text + n, sizeof text - n, "%s ",
                                              fixed[r / 5 % (sizeof fixed / sizeof *fixed)]);
                    } else {   /* a word of 2-20 letters from its number */
                        uint32_t id = r % 8000u, len = 2 + id % 19;
                        for (uint32_t i = 0; i < len; i++)
                            text[n++] = (char)('a' + (id / (i + 1) + i * 7) % 26);
                        text[n++] = ' ';
                    }
                }
                text[n] = '\0';
                analyze(with, text);
                analyze(without, text);
                size_t c = hsc__analyzer_feature_count(with);
                assert_int_equal(hsc__analyzer_feature_count(without), c);
                const hsc__feature *a = hsc__analyzer_features(with), *b = hsc__analyzer_features(without);
                for (size_t i = 0; i < c; i++) {
                    assert_int_equal(a[i].bucket, b[i].bucket);
                    assert_int_equal(a[i].token, b[i].token);
                    assert_int_equal(a[i].key, b[i].key);
                }
            }
        }
        hsc__analyzer_free(with);
        hsc__analyzer_free(without);
    }
}

/* ---- whole descriptions: golden digests --------------------------------------- */

static uint64_t digest(const hsc__analyzer *an)
{
    uint64_t h = UINT64_C(14695981039346656037);
    for (size_t i = 0; i < hsc__analyzer_feature_count(an); i++) {
        uint32_t v[2] = {hsc__analyzer_features(an)[i].bucket, hsc__analyzer_features(an)[i].token};
        for (int k = 0; k < 2; k++)
            for (int byte = 0; byte < 4; byte++) {
                h ^= (uint8_t)(v[k] >> (8 * byte));
                h *= UINT64_C(1099511628211);
            }
    }
    return h;
}

static void test_descriptions_golden(void **state)
{
    static const struct {
        const char *text;
        size_t n;
        uint32_t first_bucket;
        uint64_t digest;
    } golden[] = {
        {"FROZEN BONELESS BEEF CUTS 20KG CTNS", 82, 756038u, UINT64_C(0x7B08461C6C266BA2)},
        {"viande bovine d\xC3\xA9soss\xC3\xA9" "e congel\xC3\xA9" "e", 83, 1917174u,
         UINT64_C(0x58A95710863B407A)},
        {"carne bovina desossada congelada", 92, 1590724u, UINT64_C(0x4971B88B3EC05DEB)},
        {"Aceite de oliva virgen extra, 5 L (0201.30) x200", 76, 2059990u,
         UINT64_C(0x626B94AB5281E743)},
    };
    hsc__textspec sp = default_spec();
    hsc__analyzer *an = make_spec(&sp), *again = make_spec(&sp);
    (void)state;
    for (size_t i = 0; i < N(golden); i++) {
        analyze(an, golden[i].text);
        assert_int_equal(hsc__analyzer_feature_count(an), golden[i].n);
        assert_int_equal(hsc__analyzer_features(an)[0].bucket, golden[i].first_bucket);
        assert_true(digest(an) == golden[i].digest);
        /* the same with a warm stem memo, and in a second analyzer */
        analyze(an, golden[i].text);
        assert_true(digest(an) == golden[i].digest);
        analyze(again, golden[i].text);
        assert_true(digest(again) == golden[i].digest);
    }
    hsc__analyzer_free(an);
    hsc__analyzer_free(again);
}

/* ---- numbers ---------------------------------------------------------------- */

static void test_numbers(void **state)
{
    static const struct {
        const char *in, *canon;
        double value;
    } cases[] = {
        {"12", "12", 12},           {"1,000", "1000", 1000},    {"1.000", "1000", 1000},
        {"3,5", "3.5", 3.5},        {"0,500", "0.500", 0.5},    {"2.500", "2500", 2500},
        {"1,00", "1.00", 1},        {"1234,567", "1234.567", 1234.567},
        {"1,000,000.50", "1000000.50", 1000000.5},
        {"1.000.000,5", "1000000.5", 1e6 + 0.5},
        {"12.500.000", "12500000", 12500000},                   {"1.1.1", "1.1.1", 1.1},
        {"10,000,00", "10,000,00", 10},                         {"007", "007", 7},
    };
    (void)state;
    for (size_t i = 0; i < N(cases); i++) {
        char out[32];
        size_t n = hsc__number_canon(cases[i].in, strlen(cases[i].in), out);
        double v;
        out[n] = '\0';
        assert_string_equal(out, cases[i].canon);
        v = hsc__number_value(out, n);
        assert_true(v > cases[i].value - 1e-9 && v < cases[i].value + 1e-9);
    }
    assert_true(hsc__number_value("", 0) == 0.0);
}

/* The head phrase (feature version 2): which words get a HEAD feature.
 * want: the normalized words that must, space-separated; every other word
 * must not. */
static void expect_head(const char *text, const char *heads)
{
    hsc__textspec sp = default_spec();
    sp.feature_version = 2;
    hsc__analyzer *an = make_spec(&sp);
    analyze(an, text);
    const hsc__feature *f = hsc__analyzer_features(an);
    size_t nf = hsc__analyzer_feature_count(an);
    char got[256] = "";
    for (size_t i = 0; i < hsc__analyzer_token_count(an); i++) {
        hsc__token t = hsc__analyzer_token(an, i);
        const char *stems = hsc__token_stems(hsc__analyzer_pool(an), &t);
        size_t len = strcspn(stems, "|");
        uint32_t b = (uint32_t)(hsc__hash(sp.hash_seed, HSC__FK_HEAD, stems, len) % sp.buckets);
        int head = 0;
        for (size_t k = 0; k < nf; k++)
            head |= f[k].token == i && f[k].bucket == b && len > 0;
        if (head) {
            strcat(got, got[0] ? " " : "");
            strncat(got, hsc__analyzer_pool(an) + t.norm_off, 40);
        }
    }
    if (strcmp(got, heads) != 0)
        print_error("\"%s\": head \"%s\", want \"%s\"\n", text, got, heads);
    assert_string_equal(got, heads);
    hsc__analyzer_free(an);
}

static void test_head_phrase(void **state)
{
    (void)state;
    expect_head("riz brisé en sacs de 25kg", "riz brise");
    expect_head("SACS 50KG RIZ BRISE", "riz brise");
    expect_head("sacs de riz", "riz");
    expect_head("sacs pour riz", "sacs");
    expect_head("frozen shrimp 500g bag", "frozen shrimp");
    expect_head("120 CTNS frozen chicken", "frozen chicken");
    expect_head("beer lager 330ml bottles", "beer lager");
    expect_head("spare parts for motorcycles", "spare parts");
    expect_head("pièces détachées pour moto, neuves", "pieces detachees");
    expect_head("tissu de coton, 120g/m2", "tissu coton");
    expect_head("carne bovina desossada congelada cx 20kg", "carne bovina desossada congelada");
    expect_head("goods", "");
    expect_head("25 kg", "");
    /* version 1 has no head features */
    hsc__textspec v1 = default_spec();
    hsc__analyzer *an = make_spec(&v1);
    analyze(an, "riz brise");
    size_t n1 = hsc__analyzer_feature_count(an);
    hsc__analyzer_free(an);
    v1.feature_version = 2;
    an = make_spec(&v1);
    analyze(an, "riz brise");
    assert_int_equal(hsc__analyzer_feature_count(an), n1 + 2);
    hsc__analyzer_free(an);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_golden),
        cmocka_unit_test(test_bucket_remainder),
        cmocka_unit_test(test_gram_memo_same_features),
        cmocka_unit_test(test_head_phrase),
        cmocka_unit_test(test_word_features_exact),
        cmocka_unit_test(test_class_features_exact),
        cmocka_unit_test(test_counts_under_options),
        cmocka_unit_test(test_chargrams_multibyte),
        cmocka_unit_test(test_skeletons),
        cmocka_unit_test(test_bigrams),
        cmocka_unit_test(test_seed_and_buckets),
        cmocka_unit_test(test_descriptions_golden),
        cmocka_unit_test(test_numbers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
