/* test_tokenize.c - normalization and tokenization through the analyzer:
 * EN/FR/PT/ES cases (accents, elisions, units, percent, codes, part
 * numbers, stopwords), other scripts, source spans, bad UTF-8 (error and
 * replacement), empty text, the length cap, a 1 MB text, regex bait under
 * a time limit, the match limit, and an allocation-failure sweep. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "text.h"

/* The first tokens of the last text, unpacked (the analyzer keeps them packed). */
static const hsc__token *tokens(const hsc__analyzer *an)
{
    static hsc__token t[512];
    hsc__tok_iter it;
    hsc__analyzer_seek(an, 0, &it);
    for (size_t i = 0; i < 512 && hsc__analyzer_next(an, &it, &t[i]); i++)
        ;
    return t;
}

/* Render tokens as "T:norm" items: W word, w stopword, N number,
 * Q quantity, C code, A alnum. */
static const char *render(const hsc__analyzer *an)
{
    static char out[4096];
    static const char types[] = "?WNQCA";
    const hsc__token *t = tokens(an);
    const char *pool = hsc__analyzer_pool(an);
    size_t n = 0;
    out[0] = '\0';
    for (size_t i = 0; i < hsc__analyzer_token_count(an); i++) {
        char c = types[t[i].type];
        if (t[i].flags & HSC_TOKEN_FLAG_STOPWORD)
            c = 'w';
        n += (size_t)snprintf(out + n, sizeof out - n, "%s%c:%s", i ? " " : "", c,
                              pool + t[i].norm_off);
        assert_true(n < sizeof out);
        /* Pool strings are NUL-terminated at their recorded lengths. */
        assert_int_equal(strlen(pool + t[i].norm_off), t[i].norm_len);
        /* Stems (if any) are the text itself or follow its NUL, with as many '|'-joined
         * parts as counted. */
        const char *stems = hsc__token_stems(pool, &t[i]);
        size_t parts = *stems != '\0';
        for (const char *p = stems; *p != '\0'; p++)
            parts += *p == '|';
        assert_int_equal(parts, t[i].n_stems);
        if (t[i].n_stems > 0 && stems != pool + t[i].norm_off)
            assert_ptr_equal(stems, pool + t[i].norm_off + t[i].norm_len + 1);
    }
    return out;
}

static hsc__analyzer *make(const char *langs, uint32_t strip, uint32_t max_bytes)
{
    hsc_config cfg;
    hsc__analyzer *an = NULL;
    hsc__config_defaults(&cfg);
    if (langs != NULL)
        assert_int_equal(hsc__parse_languages(langs, cfg.spec.langs, &cfg.spec.n_langs), HSC_OK);
    cfg.spec.strip_accents = strip;
    if (max_bytes)
        cfg.rt.max_text_bytes = max_bytes;
    assert_int_equal(hsc__analyzer_new(NULL, &cfg.spec, &cfg.rt, &an), HSC_OK);
    return an;
}

static const struct {
    const char *text;
    const char *want;
} cases[] = {
    /* English */
    {"FROZEN BONELESS BEEF CUTS 20KG CTNS", "W:frozen W:boneless W:beef W:cuts Q:20kg W:ctns"},
    {"Men's cotton T-shirts, 100% cotton", "W:men W:cotton W:tshirts Q:100% W:cotton"},
    {"whole milk 3.5% fat", "W:whole W:milk Q:3.5% W:fat"},
    {"frozen shrimp 500g bag", "W:frozen W:shrimp Q:500g W:bag"},
    {"Olive oil 5 L or 1.5l bottles", "W:olive W:oil Q:5l W:or Q:1.5l W:bottles"},
    {"the oil of the olive", "w:the W:oil w:of w:the W:olive"},
    {"205/55R16 tyres for cars, RTX-3080 card, model X200",
     "A:205/55r16 W:tyres w:for W:cars A:rtx-3080 W:card W:model A:x200"},
    {"HS 0201.30, 0201.30.00 and 8703 23", "W:hs C:020130 C:02013000 w:and C:870323"},
    {"code 8703.23.90.00 / 0201 30 00", "W:code C:8703239000 C:02013000"},
    {"pack 2x5kg, 4 x 100 g, 10x20x30 cm", "W:pack Q:2x5kg Q:4x100g Q:10x20x30cm"},
    {"1,000 pcs; 2.5 kg; 85 %; 12.500.000 kgs", "Q:1000pcs Q:2.5kg Q:85% Q:12500000kg"},
    {"3 in 1 printer, 15in screen", "N:3 w:in N:1 W:printer Q:15in W:screen"},
    {"x-ray e-mail o-rings", "W:xray W:email W:orings"},
    {"12/2023 20-30 1.1.1", "N:12 N:2023 N:20 N:30 N:1.1.1"},
    {"3.5-4.5 mm 0.500 kg", "N:3.5 N:4.5 W:mm Q:0.500kg"},
    {"220V 50Hz 1.5kW, 500gsm, 200 g/m2, 12v/24v",
     "Q:220v Q:50hz Q:1.5kw Q:500g/m2 Q:200g/m2 Q:12v Q:24v"},
    {"10m\xC2\xB3 5\xC2\xB5m 40\xE2\x84\x83 m\xC2\xB2", "Q:10m3 Q:5um Q:40degc A:m2"},
    {"polyester/cotton 65/35 blend", "W:polyester W:cotton N:65 N:35 W:blend"},
    {"5 t-shirts, 2 t", "N:5 W:tshirts N:2 W:t"},
    {"2x 5xl 50x50", "A:2x A:5xl A:50x50"},
    {"2 bar stools, 10bar, 3 ct, 18k", "N:2 W:bar W:stools Q:10bar Q:3ct A:18k"},
    /* French */
    {"Viande bovine d\xC3\xA9soss\xC3\xA9" "e congel\xC3\xA9" "e",
     "W:viande W:bovine W:desossee W:congelee"},
    {"L'huile d'olive vierge extra, 5 L", "W:huile W:olive W:vierge W:extra Q:5l"},
    {"Cr\xC3\xA8me fra\xC3\xAE" "che 35% M.G., pot de 20 cl",
     "W:creme W:fraiche Q:35% W:m W:g W:pot w:de Q:20cl"},
    {"lingots d\xE2\x80\x99or et d'argent", "W:lingots W:or w:et W:argent"},
    {"Os de b\xC5\x93uf, sans os", "W:os w:de W:boeuf W:sans W:os"},
    {"jusqu'\xC3\xA0 3,5 kg; qu'il", "w:a Q:3.5kg W:il"},
    {"L\xE2\x80\x99" "EAU MIN\xC3\x89RALE 1,5 L", "W:eau W:minerale Q:1.5l"},
    /* Portuguese */
    {"Carne bovina desossada congelada", "W:carne W:bovina W:desossada W:congelada"},
    {"\xC3\x93leo de soja refinado, em garrafas de 900 ml",
     "W:oleo w:de W:soja W:refinado w:em W:garrafas w:de Q:900ml"},
    {"Tecidos de l\xC3\xA3 penteada", "W:tecidos w:de W:la W:penteada"},
    {"A\xC3\xA7\xC3\xBA" "car de cana, 50 quilos", "W:acucar w:de W:cana Q:50kg"},
    {"pelos finos, para-xileno", "W:pelos W:finos W:para W:xileno"},
    {"milho (ma\xC3\xAFs) em gr\xC3\xA3o", "W:milho W:mais w:em W:grao"},
    /* Spanish */
    {"Carne de bovino congelada y deshuesada",
     "W:carne w:de W:bovino W:congelada w:y W:deshuesada"},
    {"Aceite de oliva virgen extra 1 litro", "W:aceite w:de W:oliva W:virgen W:extra Q:1l"},
    {"Pi\xC3\xB1" "a en alm\xC3\xAD" "bar, latas de 500 gr",
     "W:pina w:en W:almibar W:latas w:de Q:500g"},
    {"pelo fino de cabra; de 10 a 20 kg", "W:pelo W:fino w:de W:cabra w:de N:10 w:a Q:20kg"},
    /* other scripts */
    {"\xCE\x9A\xCE\xB1\xCF\x84\xCE\xB5\xCF\x88\xCF\x85\xCE\xB3\xCE\xBC\xCE\xAD\xCE\xBD\xCE\xBF "
     "\xCE\xBA\xCF\x81\xCE\xAD\xCE\xB1\xCF\x82",
     "W:\xCE\xBA\xCE\xB1\xCF\x84\xCE\xB5\xCF\x88\xCF\x85\xCE\xB3\xCE\xBC\xCE\xB5\xCE\xBD\xCE\xBF "
     "W:\xCE\xBA\xCF\x81\xCE\xB5\xCE\xB1\xCF\x83"},                       /* Greek, final sigma */
    {"\xD0\x93\xD0\xBE\xD0\xB2\xD1\x8F\xD0\xB4\xD0\xB8\xD0\xBD\xD0\xB0 5\xD0\xBA\xD0\xB3",
     "W:\xD0\xB3\xD0\xBE\xD0\xB2\xD1\x8F\xD0\xB4\xD0\xB8\xD0\xBD\xD0\xB0 "
     "A:5\xD0\xBA\xD0\xB3"},                                              /* Cyrillic */
    {"\xE5\x86\xB7\xE5\x86\xBB\xE7\x89\x9B\xE8\x82\x89",
     "W:\xE5\x86\xB7\xE5\x86\xBB\xE7\x89\x9B\xE8\x82\x89"},              /* CJK */
    {"\xE0\xB9\x80\xE0\xB8\x99\xE0\xB8\xB7\xE0\xB9\x89\xE0\xB8\xAD",
     "W:\xE0\xB9\x80\xE0\xB8\x99\xE0\xB8\xB7\xE0\xB9\x89\xE0\xB8\xAD"},  /* Thai keeps marks */
    {"\xD9\x84\xD8\xAD\xD9\x85 \xD8\xA8\xD9\x82\xD8\xB1\xD9\x8A",
     "W:\xD9\x84\xD8\xAD\xD9\x85 W:\xD8\xA8\xD9\x82\xD8\xB1\xD9\x8A"},   /* Arabic */
    {"\xED\x95\x9C\xEA\xB5\xAD \xEC\x86\x8C\xEA\xB3\xA0\xEA\xB8\xB0",
     "W:\xED\x95\x9C\xEA\xB5\xAD W:\xEC\x86\x8C\xEA\xB3\xA0\xEA\xB8\xB0"}, /* Hangul composed */
    /* width, ligatures, punctuation, controls */
    {"\xEF\xBC\xA6\xEF\xBC\xB2\xEF\xBC\xAF\xEF\xBC\xBA\xEF\xBC\xA5\xEF\xBC\xAE\xE3\x80\x80"
     "\xEF\xBC\xA2\xEF\xBC\xA5\xEF\xBC\xA5\xEF\xBC\xA6 "
     "\xEF\xBC\x92\xEF\xBC\x90\xEF\xBC\xAB\xEF\xBC\xA7",
     "W:frozen W:beef Q:20kg"},
    {"\xEF\xAC\x81let Stra\xC3\x9F" "e \xC3\x86" "BLE", "W:filet W:strasse W:aeble"},
    {"beef!!! (frozen) [cuts]; \xC2\xABveau\xC2\xBB \xE2\x80\x94 \xE2\x80\x9Clamb\xE2\x80\x9D",
     "W:beef W:frozen W:cuts W:veau W:lamb"},
    {"\xF0\x9F\x8D\x8E apples \xF0\x9F\x8D\x8F", "W:apples"},
    {"20\tkg\nbeef\r\n", "Q:20kg W:beef"},
    {"soft\xC2\xAD" "hyphen zero\xE2\x80\x8Bwidth", "W:softhyphen W:zerowidth"},
    {"cafe\xCC\x81 noir", "W:cafe W:noir"},
};

static void test_cases(void **state)
{
    hsc__analyzer *an = make(NULL, 1, 0);
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = hsc__analyze(an, cases[i].text, strlen(cases[i].text));
        if (rc != HSC_OK || strcmp(render(an), cases[i].want) != 0)
            print_error("case %zu: \"%s\"\n  got  %s\n  want %s\n", i, cases[i].text, render(an),
                        cases[i].want);
        assert_int_equal(rc, HSC_OK);
        assert_string_equal(render(an), cases[i].want);
    }
    hsc__analyzer_free(an);
}

static void test_accents_kept(void **state)
{
    hsc__analyzer *an = make(NULL, 0, 0);
    const char *t = "Viande d\xC3\xA9soss\xC3\xA9" "e jusqu'\xC3\xA0 5 kg, B\xC5\x93UF";
    (void)state;
    assert_int_equal(hsc__analyze(an, t, strlen(t)), HSC_OK);
    assert_string_equal(render(an), "W:viande W:d\xC3\xA9soss\xC3\xA9" "e w:\xC3\xA0 Q:5kg "
                                    "W:b\xC5\x93uf");
    hsc__analyzer_free(an);
}

static void test_spans(void **state)
{
    static const struct {
        const char *text;
        size_t index, off, len;
    } spans[] = {
        {"L'huile d'olive", 0, 2, 5},
        {"L'huile d'olive", 1, 10, 5},
        {"Viande d\xC3\xA9soss\xC3\xA9" "e congel\xC3\xA9" "e", 1, 7, 10},
        {"Viande d\xC3\xA9soss\xC3\xA9" "e congel\xC3\xA9" "e", 2, 18, 9},
        {"\xEF\xBC\xA6\xEF\xBC\xB2\xEF\xBC\xAF\xEF\xBC\xBA\xEF\xBC\xA5\xEF\xBC\xAE x", 0, 0, 18},
        {"a T-shirt", 1, 2, 7},
        {"net 20 kg.", 1, 4, 5},
        {"cafe\xCC\x81 noir", 0, 0, 6},
        {"cafe\xCC\x81 noir", 1, 7, 4},
        {"\xEF\xAC\x81" "let", 0, 0, 6},
        {"HS 0201.30", 1, 3, 7},
        {"soft\xC2\xAD" "hyphen", 0, 0, 12},
    };
    hsc__analyzer *an = make(NULL, 1, 0);
    (void)state;
    for (size_t i = 0; i < sizeof spans / sizeof spans[0]; i++) {
        const hsc__token *t;
        assert_int_equal(hsc__analyze(an, spans[i].text, strlen(spans[i].text)), HSC_OK);
        assert_true(hsc__analyzer_token_count(an) > spans[i].index);
        t = &tokens(an)[spans[i].index];
        if (t->src_off != spans[i].off || t->src_len != spans[i].len)
            print_error("span %zu: got %zu+%zu\n", i, (size_t)t->src_off, (size_t)t->src_len);
        assert_int_equal(t->src_off, spans[i].off);
        assert_int_equal(t->src_len, spans[i].len);
    }
    hsc__analyzer_free(an);
}

/* s normalized (whole, or in windows of w bytes cut where hsc__norm_cut
 * allows) into n. */
static void normalize_in(const char *s, size_t len, size_t w, int strip, hsc__norm *n)
{
    hsc__norm_reset(n);
    for (size_t from = 0; from < len || from == 0;) {
        size_t to = from + w < len ? hsc__norm_cut(s, len, from + w) : len;
        assert_int_equal(hsc__norm_add(NULL, s, from, to, (uint32_t)strip, n), HSC_OK);
        if (to == from)
            break;
        from = to;
    }
}

/* ASCII runs folded at once give the text and offset map that folding
 * them byte by byte gives: runs across the map's 64-byte marks, before a
 * combining mark, around dropped characters and NFKC expansions, upper
 * case, controls, whole or in windows, with and without accent stripping. */
static void test_ascii_runs_as_byte_by_byte(void **state)
{
    static const char *const pieces[] = {
        "frozen", " ", "BEEF", "e\xCC\x81", "\xC2\xAD", "\xEF\xAC\x81", "\t", "\x01",
        "caf\xC3\xA9", "\xEF\xB7\xBA", "2,5 KG", "a\xCC\x88\xCC\x81", "\xE7\x89\x9B", "x",
        "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ!?",
    };
    static const size_t windows[] = {5, 64, 1u << 20};
    hsc__norm run, one;
    char text[1200];
    uint32_t x = 2024;
    (void)state;
    memset(&run, 0, sizeof run);
    memset(&one, 0, sizeof one);
    one.byte_at_a_time = 1;
    for (int round = 0; round < 3000; round++) {
        size_t len = 0;
        int parts = 1 + round % 24;
        for (int k = 0; k < parts; k++) {
            x = x * 1103515245u + 12345u;
            const char *p = pieces[(x >> 16) % (sizeof pieces / sizeof *pieces)];
            size_t l = strlen(p);
            if (len + l >= sizeof text)
                break;
            memcpy(text + len, p, l);
            len += l;
        }
        int strip = round % 2;
        size_t w = windows[round % 3];
        normalize_in(text, len, w, strip, &run);
        normalize_in(text, len, w, strip, &one);
        assert_int_equal(run.text.len, one.text.len);
        assert_memory_equal(run.text.data, one.text.data, run.text.len + 1);
        for (size_t i = 0; i <= run.text.len; i++) {
            assert_int_equal(hsc__norm_src(&run, i), hsc__norm_src(&one, i));
            assert_int_equal(hsc__norm_seg_start(&run, i), hsc__norm_seg_start(&one, i));
        }
    }
    hsc__norm_free(NULL, &run);
    hsc__norm_free(NULL, &one);
}

/* Spans across long runs of dropped characters (soft hyphens): steps of
 * the offset map too large for its byte, before and after its 64-byte marks. */
static void test_spans_over_long_gaps(void **state)
{
    static const char shy[] = "\xC2\xAD";
    char text[1024];
    hsc__analyzer *an = make(NULL, 1, 0);
    const hsc__token *t;
    (void)state;
    /* "beef" 200 x SHY " pork": pork at 4 + 400 + 1 */
    strcpy(text, "beef");
    for (int i = 0; i < 200; i++)
        strcat(text, shy);
    strcat(text, " pork");
    assert_int_equal(hsc__analyze(an, text, strlen(text)), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), 2);
    t = tokens(an);
    assert_int_equal(t[0].src_off, 0);
    assert_int_equal(t[0].src_len, 404);   /* up to the next byte that maps elsewhere */
    assert_int_equal(t[1].src_off, 405);
    assert_int_equal(t[1].src_len, 4);
    /* 70 x "x", " po" 200 x SHY "rk x": one token across the gap */
    memset(text, 'x', 70);
    strcpy(text + 70, " po");
    for (int i = 0; i < 200; i++)
        strcat(text, shy);
    strcat(text, "rk x");
    assert_int_equal(hsc__analyze(an, text, strlen(text)), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), 3);
    t = tokens(an);
    assert_string_equal(hsc__analyzer_pool(an) + t[1].norm_off, "pork");
    assert_int_equal(t[1].src_off, 71);
    assert_int_equal(t[1].src_len, 404);
    assert_int_equal(t[2].src_off, 71 + 404 + 1);
    assert_int_equal(t[2].src_len, 1);
    hsc__analyzer_free(an);
}

/* A long text is normalized and tokenized a window at a time: every window
 * size must give the tokens (spans, texts, stems, flags, phrase breaks) and
 * the features (bigrams across the cuts, head phrases) of the text in one
 * piece. Texts mix what a cut could break: combining marks and long runs
 * of them, NFKC expansions with and without spaces (U+FDFA, U+3316), CJK,
 * codes and quantities with inner spaces, punctuation, ignorables, invalid
 * UTF-8 (replaced). */
static char *mixed_text(uint32_t seed, size_t n, size_t *len)
{
    static const char *const pieces[] = {
        "frozen", "beef", "x", "1", "22", "8703 23 90", "0201.30", "2 x 5 kg", "5 %", "3,5",
        "1.000,50", ",", ";", "(", ")", ":", "t-shirt", "l'huile", "men's", "e\xCC\x81", "\xCC\x81",
        "b\xC5\x93uf", "d\xC3\xA9soss\xC3\xA9", "\xEF\xB7\xBA", "\xEF\xB7\xBB", "\xE3\x8C\x96",
        "\xE7\x89\x9B\xE8\x82\x89", "\xC2\xAD", "\xE2\x80\x8B", "\t", "\xEF\xBC\xA6\xEF\xBC\xB5",
        "\xE2\x85\xAB", "\xC2\xBD", "x200", "205/55r16", "for", "pour", "sacs", "de", "riz", "the",
        "\xE0\xA4\x95\xE0\xA4\xBF", "\xEF\xAC\x83", "\xC4\xB0", "\xC3\x9F", "\xE1\x84\x80\xE1\x85\xA1",
        "A\xCC\x8A", "5kg", "10 kgs", "4 x", "x 5", "\xE2\x82", "\xFF", "KG", "0201",
        "5 \xCE\xBCm", "3 \xC2\xB0" "c", "2 \xC3\x97 3", "2 * 3", "\xC3\x97", "7 ", "m2", "%",
        "\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80"
        "\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80"
        "\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80\xCC\x80",
    };
    static const char *const seps[] = {" ", " ", "", ", ", "  ", " ; "};
    char *t = malloc(n + 128);
    size_t at = 0;
    uint32_t r = seed;
    assert_non_null(t);
    while (at < n) {
        r = r * 1103515245u + 12345u;
        const char *p = pieces[(r >> 8) % (sizeof pieces / sizeof pieces[0])];
        const char *sep = seps[(r >> 24) % (sizeof seps / sizeof seps[0])];
        memcpy(t + at, p, strlen(p));
        at += strlen(p);
        memcpy(t + at, sep, strlen(sep));
        at += strlen(sep);
    }
    t[at] = '\0';
    *len = at;
    return t;
}

static void assert_same_analysis(const hsc__analyzer *a, const hsc__analyzer *b)
{
    const char *pa = hsc__analyzer_pool(a), *pb = hsc__analyzer_pool(b);
    hsc__tok_iter ia, ib;
    hsc__token ta, tb;
    assert_int_equal(hsc__analyzer_token_count(a), hsc__analyzer_token_count(b));
    hsc__analyzer_seek(a, 0, &ia);
    hsc__analyzer_seek(b, 0, &ib);
    while (hsc__analyzer_next(a, &ia, &ta)) {
        assert_true(hsc__analyzer_next(b, &ib, &tb));
        assert_int_equal(ta.src_off, tb.src_off);
        assert_int_equal(ta.src_len, tb.src_len);
        assert_int_equal(ta.type, tb.type);
        assert_int_equal(ta.flags, tb.flags);
        assert_int_equal(ta.phrase_break, tb.phrase_break);
        assert_int_equal(ta.unit_len, tb.unit_len);
        assert_string_equal(pa + ta.norm_off, pb + tb.norm_off);
        assert_string_equal(hsc__token_stems(pa, &ta), hsc__token_stems(pb, &tb));
    }
    size_t nf = hsc__analyzer_feature_count(a);
    const hsc__feature *fa = hsc__analyzer_features(a), *fb = hsc__analyzer_features(b);
    assert_int_equal(nf, hsc__analyzer_feature_count(b));
    for (size_t i = 0; i < nf; i++) {
        assert_int_equal(fa[i].bucket, fb[i].bucket);
        assert_int_equal(fa[i].token, fb[i].token);
        assert_int_equal(fa[i].key, fb[i].key);
    }
}

static void test_windows_give_the_whole_analysis(void **state)
{
    static const size_t windows[] = {1, 2, 3, 5, 8, 13, 64, 700, 4096};
    (void)state;
    for (uint32_t strip = 0; strip < 2; strip++) {
        hsc_config cfg;
        hsc__analyzer *whole = NULL, *win = NULL;
        hsc__config_defaults(&cfg);
        cfg.spec.strip_accents = strip;
        cfg.rt.utf8_replace = 1;
        cfg.rt.max_text_bytes = 1u << 20;
        assert_int_equal(hsc__analyzer_new(NULL, &cfg.spec, &cfg.rt, &whole), HSC_OK);
        assert_int_equal(hsc__analyzer_new(NULL, &cfg.spec, &cfg.rt, &win), HSC_OK);
        hsc__analyzer_set_window(whole, SIZE_MAX);
        for (uint32_t seed = 1; seed <= 6; seed++) {
            size_t len;
            char *t = mixed_text(seed + 10 * strip, 6000, &len);
            assert_int_equal(hsc__analyze(whole, t, len), HSC_OK);
            assert_true(hsc__analyzer_token_count(whole) > 500);
            for (size_t w = 0; w < sizeof windows / sizeof windows[0]; w++) {
                hsc__analyzer_set_window(win, windows[w]);
                assert_int_equal(hsc__analyze(win, t, len), HSC_OK);
                assert_same_analysis(whole, win);
            }
            free(t);
        }
        hsc__analyzer_free(whole);
        hsc__analyzer_free(win);
    }
}

/* A short text keeps its tokens unpacked too, a long one only packed: the
 * same text, and the same text padded past 1 KiB with spaces (no token),
 * give the same tokens and features. */
static void test_short_and_long_texts_alike(void **state)
{
    hsc_config cfg;
    hsc__analyzer *a = NULL, *b = NULL;
    (void)state;
    hsc__config_defaults(&cfg);
    cfg.rt.utf8_replace = 1;
    assert_int_equal(hsc__analyzer_new(NULL, &cfg.spec, &cfg.rt, &a), HSC_OK);
    assert_int_equal(hsc__analyzer_new(NULL, &cfg.spec, &cfg.rt, &b), HSC_OK);
    for (uint32_t seed = 1; seed <= 20; seed++) {
        size_t len;
        char *t = mixed_text(seed, 500, &len);
        char padded[2048];
        assert_true(len < 1000);
        memcpy(padded, t, len);
        memset(padded + len, ' ', sizeof padded - len);
        assert_int_equal(hsc__analyze(a, t, len), HSC_OK);
        assert_int_equal(hsc__analyze(b, padded, sizeof padded), HSC_OK);
        assert_same_analysis(a, b);
        free(t);
    }
    hsc__analyzer_free(a);
    hsc__analyzer_free(b);
}

static void test_bad_utf8(void **state)
{
    const char *t = "beef \xFF\xFE cuts \xC3";
    hsc_config cfg;
    hsc__analyzer *an = make(NULL, 1, 0);
    (void)state;
    assert_int_equal(hsc__analyze(an, t, strlen(t)), HSC_E_BAD_UTF8);
    assert_string_equal(hsc__analyzer_error_detail(an), "invalid UTF-8 at byte 5");
    assert_int_equal(hsc__analyzer_token_count(an), 0);
    assert_int_equal(hsc__analyzer_feature_count(an), 0);
    /* Replacement mode: U+FFFD separates tokens; spans stay in the
     * caller's bytes. */
    hsc__config_defaults(&cfg);
    cfg.rt.utf8_replace = 1;
    hsc__analyzer_set_runtime(an, &cfg.rt);
    assert_int_equal(hsc__analyze(an, t, strlen(t)), HSC_OK);
    assert_string_equal(render(an), "W:beef W:cuts");
    assert_int_equal(hsc__analyzer_token(an, 1).src_off, 8);
    assert_int_equal(hsc__analyzer_token(an, 1).src_len, 4);
    assert_string_equal(hsc__analyzer_error_detail(an), "");
    /* Bad bytes glued to a word split it. */
    assert_int_equal(hsc__analyze(an, "ab\x80" "cd", 5), HSC_OK);
    assert_string_equal(render(an), "W:ab W:cd");
    hsc__analyzer_free(an);
}

static void test_empty(void **state)
{
    static const char *const blank[] = {"", " ", " \t\r\n ", "!!! ??? ... ---", "\xE2\x80\x83",
                                        "\xC2\xA0\xC2\xA0", "\xCC\x81\xCC\x81"};
    hsc__analyzer *an = make(NULL, 1, 0);
    (void)state;
    for (size_t i = 0; i < sizeof blank / sizeof blank[0]; i++) {
        assert_int_equal(hsc__analyze(an, blank[i], strlen(blank[i])), HSC_OK);
        assert_int_equal(hsc__analyzer_token_count(an), 0);
        assert_int_equal(hsc__analyzer_feature_count(an), 0);
    }
    assert_int_equal(hsc__analyze(an, NULL, 0), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), 0);
    assert_int_equal(hsc__analyze(an, NULL, 1), HSC_E_INVALID_ARG);
    hsc__analyzer_free(an);
}

/* A text longer than the normalization buffers an analyzer keeps (256
 * KiB) frees them after tokenizing: the next texts, short or long, come
 * out as on a fresh analyzer. */
static void test_long_text_then_short(void **state)
{
    const size_t n = 300000;
    const char *v = "Viande d\xC3\xA9soss\xC3\xA9" "e congel\xC3\xA9" "e";
    char *t = malloc(n);
    hsc__analyzer *an = make(NULL, 1, (uint32_t)n);
    (void)state;
    assert_non_null(t);
    for (size_t i = 0; i < n; i++)
        t[i] = "Beef pork "[i % 10];
    assert_int_equal(hsc__analyze(an, t, n), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), n / 5);
    assert_int_equal(hsc__analyze(an, v, strlen(v)), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), 3);
    assert_int_equal(hsc__analyzer_token(an, 2).src_off, 18);
    assert_int_equal(hsc__analyzer_token(an, 2).src_len, 9);
    assert_int_equal(hsc__analyze(an, t, n), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), n / 5);
    assert_int_equal(hsc__analyzer_token(an, n / 5 - 1).src_off, n - 5);
    assert_string_equal(hsc__analyzer_pool(an) + hsc__analyzer_token(an, n / 5 - 1).norm_off,
                        "pork");
    free(t);
    hsc__analyzer_free(an);
}

static void test_length_cap(void **state)
{
    size_t n = 65536;
    char *t = malloc(n + 1);
    hsc__analyzer *an = make(NULL, 1, 0);
    (void)state;
    assert_non_null(t);
    memset(t, 'a', n + 1);
    for (size_t i = 7; i < n + 1; i += 8)
        t[i] = ' ';
    assert_int_equal(hsc__analyze(an, t, n), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), n / 8);
    assert_int_equal(hsc__analyze(an, t, n + 1), HSC_E_TEXT_TOO_LONG);
    assert_int_equal(hsc__analyzer_token_count(an), 0);
    assert_non_null(strstr(hsc__analyzer_error_detail(an), "65536"));
    free(t);
    hsc__analyzer_free(an);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* A hang guard, not a speed test: 10 s, scaled under valgrind
 * (HSCLASS_TIME_SCALE). Linear input takes milliseconds. */
static double hang_limit(void)
{
    const char *scale = getenv("HSCLASS_TIME_SCALE");
    double k = scale ? atof(scale) : 1.0;
    return 10.0 * (k >= 1.0 ? k : 1.0);
}

static char *repeat(const char *unit, size_t times, size_t *len)
{
    size_t u = strlen(unit);
    char *s = malloc(u * times + 1);
    assert_non_null(s);
    for (size_t i = 0; i < times; i++)
        memcpy(s + i * u, unit, u);
    s[u * times] = '\0';
    *len = u * times;
    return s;
}

static void test_megabyte(void **state)
{
    size_t len;
    char *t = repeat("frozen boneless beef 20kg ", 40330, &len); /* ~1 MB */
    hsc__analyzer *an = make(NULL, 1, 2u << 20);
    double t0 = now();
    (void)state;
    assert_true(len > 1000000);
    assert_int_equal(hsc__analyze(an, t, len), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), 4 * 40330);
    assert_true(now() - t0 < hang_limit());
    assert_string_equal(hsc__analyzer_pool(an) + hsc__analyzer_token(an, 4 * 40330 - 1).norm_off,
                        "20kg");
    assert_int_equal(hsc__analyzer_token(an, 4 * 40330 - 1).src_off, len - 5);
    free(t);
    hsc__analyzer_free(an);
}

/* Inputs that make naive patterns backtrack or rescan: each must finish
 * quickly (linear), whatever it yields. */
static void test_regex_bait(void **state)
{
    static const struct {
        const char *unit;
        size_t times;
        size_t tokens; /* expected token count, SIZE_MAX: unchecked */
    } bait[] = {         /* a word is cut every ~64 KiB of normalized text */
        {"1", 100000, 2},
        {"a", 200000, 3},
        {"1.", 100000, SIZE_MAX},
        {"1,", 100000, 25000},   /* "1,1,1,1": up to 3 separators */
        {"1 x ", 50000, 100000},
        {"1x", 100000, 3},
        {"0201 ", 50000, 50000},
        {"0201.", 50000, SIZE_MAX},
        {"1,000", 40000, SIZE_MAX},
        {"a-", 100000, SIZE_MAX},
        {"l'", 100000, SIZE_MAX},
        {"9 ", 100000, 100000},
        {"12 kg", 100000, SIZE_MAX},
        {"e\xCC\x81", 100000, 2},
        {"\xCC\x81", 100000, 0},
        {"\xEF\xB7\xBA", 30000, SIZE_MAX}, /* U+FDFA: 18 code points each */
        {"%", 100000, 0},
        {"\xE7\x89\x9B", 100000, 5},
    };
    hsc__analyzer *an = make(NULL, 1, 4u << 20);
    (void)state;
    for (size_t i = 0; i < sizeof bait / sizeof bait[0]; i++) {
        size_t len;
        char *t = repeat(bait[i].unit, bait[i].times, &len);
        double t0 = now();
        int rc = hsc__analyze(an, t, len);
        double dt = now() - t0;
        if (rc != HSC_OK || dt > hang_limit())
            print_error("bait %zu (\"%s\" x %zu): rc %d, %.2f s\n", i, bait[i].unit,
                        bait[i].times, rc, dt);
        assert_int_equal(rc, HSC_OK);
        assert_true(dt < hang_limit());
        if (bait[i].tokens != SIZE_MAX)
            assert_int_equal(hsc__analyzer_token_count(an), bait[i].tokens);
        free(t);
    }
    hsc__analyzer_free(an);
}

/* Every match of s[0..len) as "kind:begin-end[unit]" items. */
static void walk_matches(hsc__tokenizer *tk, const char *s, size_t len, char *out, size_t cap)
{
    size_t start = 0, n = 0;
    out[0] = '\0';
    for (;;) {
        hsc__match m;
        int found;
        assert_int_equal(hsc__tokenizer_next(tk, s, len, start, &m, &found), HSC_OK);
        if (!found)
            return;
        n += (size_t)snprintf(out + n, cap - n, "%u:%zu-%zu[%zu,%zu] ", m.kind, m.begin, m.end,
                              m.unit_begin, m.unit_end);
        assert_true(n < cap);
        assert_true(m.end > start);
        start = m.end;
    }
}

/* The ASCII fast path finds exactly what the pattern finds: tricky
 * inputs (words against joiners, digits, units, codes, accents and marks,
 * upper case, other scripts, window ends inside a word), then 20,000
 * strings drawn from such pieces. */
static void test_fast_path_equals_regex(void **state)
{
    static const char *const tricky[] = {
        "", " ", "frozen beef", "  frozen   beef  ", "t-shirt", "l'huile d'olive", "a.b.c",
        "x_y", "abc,def", "1,5 kg", "abc1,5", "abc,5", "x200", "rtx-3080", "205/55r16",
        "abc123def", "ABC Def", "caf\xC3\xA9 cr\xC3\xA8me", "cafe\xCC\x81", "na\xC3\xAFve",
        "beef\xE2\x80\x94pork", "\xE7\x89\x9B beef", "20kg rice", "2 x 5kg", "5 %",
        "50% cotton", "cotton 50%", "0201.30 beef", "8703 23 90", "beef 0201", "beef0201",
        "kg", "in 3 in 1", "3in", "mm2 m2 g/m2", "abc-", "abc'", "abc.", "abc_", "abc/",
        "-abc", "'abc", ".5", "a", "z9", "9z", "\xCE\xBCm 5\xCE\xBCm", "10\xC2\xB0" "c",
        "abc\x01" "def", "tab\there", "a!b?c;d:e(f)g[h]i", "\"quoted\" words", "e\xCC\x81t\xC3\xA9",
    };
    static const char *const pieces[] = {
        "beef", "x", "t", "kg", "20", "1,5", "0201", "-", "/", ".", "'", "_", ",", " ", "  ",
        "%", "\xC3\xA9", "\xCC\x81", "\xE7\x89\x9B", "\xC2\xB0", "ABC", "3", "(", "!",
    };
    hsc__tokenizer *fast = NULL, *slow = NULL;
    char a[2048], b[2048], text[256];
    (void)state;
    assert_int_equal(hsc__tokenizer_new(NULL, 10000000, &fast), HSC_OK);
    assert_int_equal(hsc__tokenizer_new(NULL, 10000000, &slow), HSC_OK);
    hsc__tokenizer_regex_only(slow, 1);
    for (size_t i = 0; i < sizeof tricky / sizeof *tricky; i++) {
        size_t len = strlen(tricky[i]);
        for (size_t cut = 0; cut <= len; cut++) {   /* every window end */
            if (cut < len && ((unsigned char)tricky[i][cut] & 0xC0) == 0x80)
                continue;   /* windows end between characters */
            walk_matches(fast, tricky[i], cut, a, sizeof a);
            walk_matches(slow, tricky[i], cut, b, sizeof b);
            if (strcmp(a, b) != 0)
                fail_msg("\"%.*s\": fast %s, regex %s", (int)cut, tricky[i], a, b);
        }
    }
    uint32_t x = 12345;
    for (int round = 0; round < 20000; round++) {
        size_t n = 0;
        text[0] = '\0';
        for (int k = 0; k < 12; k++) {
            x = x * 1103515245u + 12345u;
            const char *p = pieces[(x >> 16) % (sizeof pieces / sizeof *pieces)];
            size_t l = strlen(p);
            if (n + l >= sizeof text)
                break;
            memcpy(text + n, p, l + 1);
            n += l;
        }
        walk_matches(fast, text, n, a, sizeof a);
        walk_matches(slow, text, n, b, sizeof b);
        if (strcmp(a, b) != 0)
            fail_msg("\"%s\": fast %s, regex %s", text, a, b);
    }
    hsc__tokenizer_free(fast);
    hsc__tokenizer_free(slow);
}

static void test_match_limit(void **state)
{
    hsc_config cfg;
    hsc__analyzer *an = NULL;
    (void)state;
    hsc__config_defaults(&cfg);
    cfg.rt.match_limit = 1;
    assert_int_equal(hsc__analyzer_new(NULL, &cfg.spec, &cfg.rt, &an), HSC_OK);
    /* plain ASCII words never reach the regex engine (the fast path);
     * a quantity, another script or a joined word does */
    assert_int_equal(hsc__analyze(an, "frozen beef", 11), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), 2);
    static const char *const limited[] = {"20kg frozen beef", "frozen \xE7\x89\x9B", "t-shirt"};
    for (size_t i = 0; i < sizeof limited / sizeof *limited; i++) {
        assert_int_equal(hsc__analyze(an, limited[i], strlen(limited[i])), HSC_E_REGEX_LIMIT);
        assert_int_equal(hsc__analyzer_token_count(an), 0);
        assert_non_null(strstr(hsc__analyzer_error_detail(an), "limit"));
    }
    cfg.rt.match_limit = 100000;
    hsc__analyzer_set_runtime(an, &cfg.rt);
    assert_int_equal(hsc__analyze(an, "20kg frozen beef", 16), HSC_OK);
    assert_int_equal(hsc__analyzer_token_count(an), 3);
    hsc__analyzer_free(an);
}

static void test_bad_spec(void **state)
{
    hsc_config cfg;
    hsc__analyzer *an = NULL;
    (void)state;
    hsc__config_defaults(&cfg);
    cfg.spec.buckets = 0;
    assert_int_equal(hsc__analyzer_new(NULL, &cfg.spec, &cfg.rt, &an), HSC_E_INVALID_ARG);
    hsc__config_defaults(&cfg);
    cfg.spec.langs[1] = 42;
    assert_int_equal(hsc__analyzer_new(NULL, &cfg.spec, &cfg.rt, &an), HSC_E_BAD_LANGUAGE);
    hsc__config_defaults(&cfg);
    cfg.spec.tokenizer_version = HSC__TOKENIZER_VERSION + 1;
    assert_int_equal(hsc__analyzer_new(NULL, &cfg.spec, &cfg.rt, &an), HSC_E_MODEL_MISMATCH);
    assert_null(an);
    hsc__analyzer_free(NULL);
}

/* ---- allocation failures ---------------------------------------------------- */

static struct {
    long budget;   /* allocations left; < 0 unlimited */
    long live;
} oom;

static void *oom_calloc(void *u, size_t n, size_t s)
{
    void *p;
    (void)u;
    if (oom.budget == 0)
        return NULL;
    if (oom.budget > 0)
        oom.budget--;
    if ((p = calloc(n, s)) != NULL)
        oom.live++;
    return p;
}

static void *oom_realloc(void *u, void *p, size_t s)
{
    void *q;
    (void)u;
    if (oom.budget == 0)
        return NULL;
    if (oom.budget > 0)
        oom.budget--;
    q = realloc(p, s);
    if (q != NULL && p == NULL)
        oom.live++;
    return q;
}

static void oom_free(void *u, void *p)
{
    (void)u;
    if (p != NULL)
        oom.live--;
    free(p);
}

static void test_oom_sweep(void **state)
{
    const char *t = "Frozen boneless beef cuts 20kg, l'huile d'olive 0201.30 x200 "
                    "\xCE\xBA\xCF\x81\xCE\xAD\xCE\xB1\xCF\x82 3.5%";
    hsc_config cfg;
    (void)state;
    hsc__config_defaults(&cfg);
    cfg.alloc.calloc_fn = oom_calloc;
    cfg.alloc.realloc_fn = oom_realloc;
    cfg.alloc.free_fn = oom_free;
    for (long n = 0;; n++) {
        hsc__analyzer *an = NULL;
        int rc;
        oom.budget = n;
        oom.live = 0;
        rc = hsc__analyzer_new(&cfg.alloc, &cfg.spec, &cfg.rt, &an);
        if (rc == HSC_OK)
            rc = hsc__analyze(an, t, strlen(t));
        if (rc != HSC_OK) {
            assert_int_equal(rc, HSC_E_NOMEM);
            hsc__analyzer_free(an);
            if (oom.live != 0)
                print_error("leak after failing allocation %ld\n", n);
            assert_int_equal(oom.live, 0);
            continue;
        }
        assert_string_equal(render(an), "W:frozen W:boneless W:beef W:cuts Q:20kg W:huile "
                                        "W:olive C:020130 A:x200 "
                                        "W:\xCE\xBA\xCF\x81\xCE\xB5\xCE\xB1\xCF\x83 Q:3.5%");
        hsc__analyzer_free(an);
        assert_int_equal(oom.live, 0);
        assert_true(n > 5);
        break;
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_accents_kept),
        cmocka_unit_test(test_spans),
        cmocka_unit_test(test_spans_over_long_gaps),
        cmocka_unit_test(test_ascii_runs_as_byte_by_byte),
        cmocka_unit_test(test_long_text_then_short),
        cmocka_unit_test(test_bad_utf8),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_length_cap),
        cmocka_unit_test(test_megabyte),
        cmocka_unit_test(test_regex_bait),
        cmocka_unit_test(test_fast_path_equals_regex),
        cmocka_unit_test(test_match_limit),
        cmocka_unit_test(test_bad_spec),
        cmocka_unit_test(test_oom_sweep),
        cmocka_unit_test(test_windows_give_the_whole_analysis),
        cmocka_unit_test(test_short_and_long_texts_alike),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
