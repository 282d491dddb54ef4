/* test_nomenclature.c - code descriptions and national tariff lines: given
 * to the trainer, stored in the NOMN/NATL sections, looked up by prefix;
 * rows outside the nomenclature are refused; training on 10-digit national
 * codes. White-box where the section payloads are checked directly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <unistd.h>

#include <cmocka.h>
#include <zlib.h>

#include "bytes.h"
#include "model_format.h"
#include "nomen.h"
#include "test_util.h"

static hsc_model *model;

typedef struct errors {
    int n, outside, line0;
    char last[256];
} errors;

static errors train_errors;

static void on_error(void *user, const char *file, uint64_t line, hsc_status st, const char *msg)
{
    errors *e = user;
    (void)file;
    e->n++;
    if (st == HSC_E_BAD_CODE && strstr(msg, "not in the nomenclature")) {
        e->outside++;
        e->line0 += line == 0;
    }
    snprintf(e->last, sizeof e->last, "%s", msg);
}

static const char *tmp_file(const char *name, const char *content)
{
    static char path[8][512];
    static int k;
    char *p = path[k++ % 8];
    const char *dir = getenv("TMPDIR");
    snprintf(p, 512, "%s/hsc_nomen_%d_%s", dir ? dir : "/tmp", (int)getpid(), name);
    FILE *f = fopen(p, "wb");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
    return p;
}

static hsc_config *small_config(void)
{
    hsc_config *cfg = NULL;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_DIM, 16), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 5), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 1u << 17), HSC_OK);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "en,fr"), HSC_OK);
    return cfg;
}

static int setup(void **state)
{
    (void)state;
    hsc_config *cfg = small_config();
    hsc_trainer *t = NULL;
    int st = hsc_trainer_new(cfg, &t);
    if (!st)
        st = hsc_trainer_set_row_error_callback(t, on_error, &train_errors);
    /* rows first, nomenclature after: the check happens when training */
    if (!st)
        st = hsc_trainer_add_file(t, test_data_path("train_nomenclature.tsv"), 1.0,
                                  HSC_ROWS_NOMENCLATURE);
    if (!st)
        st = hsc_trainer_add_file(t, test_data_path("train_real.tsv"), 3.0, 0);
    if (!st)
        st = hsc_trainer_add_file(t, tmp_file("outside.tsv", "999999\tmystery goods from nowhere\n"
                                                             "020130\tchilled boneless beef\n"),
                                  1.0, 0);
    if (!st)
        st = hsc_trainer_add_nomenclature_file(t, test_data_path("nomenclature_en.tsv"), "en");
    if (!st)
        st = hsc_trainer_add_nomenclature_file(t, test_data_path("nomenclature_fr.tsv"), "fr");
    if (!st)
        st = hsc_trainer_add_national_file(t, test_data_path("tec_cedeao_slice.tsv"), "TEC-CEDEAO",
                                           "fr");
    if (!st)
        st = hsc_trainer_train(t, &model);
    hsc_trainer_free(t);
    hsc_config_free(cfg);
    return st == HSC_OK ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    hsc_model_free(model);
    return 0;
}

static const char *describe(const hsc_model *m, const char *code, const char *lang)
{
    const char *d = NULL;
    hsc_status st = hsc_model_describe(m, code, strlen(code), lang, &d);
    return st == HSC_OK ? d : NULL;
}

static void test_descriptions(void **state)
{
    (void)state;
    const char *s;
    assert_int_equal(hsc_model_nomenclature_languages(model, &s), HSC_OK);
    assert_string_equal(s, "en,fr");
    assert_string_equal(describe(model, "0201", "en"), "Meat of bovine animals; fresh or chilled");
    assert_string_equal(describe(model, "0201", NULL), "Meat of bovine animals; fresh or chilled");
    assert_string_equal(describe(model, "0201", ""), "Meat of bovine animals; fresh or chilled");
    assert_string_equal(describe(model, "0201", "fr"),
                        "Viandes des animaux de l'esp\xc3\xa8" "ce bovine, fra\xc3\xae" "ches ou "
                        "r\xc3\xa9" "frig\xc3\xa9" "r\xc3\xa9" "es");
    assert_string_equal(describe(model, "0201.30", "en"),
                        "Meat; of bovine animals, boneless cuts, fresh or chilled");
    assert_string_equal(describe(model, "02", "en"), "Meat and edible meat offal");
    assert_null(describe(model, "0201", "pt"));    /* no such language */
    assert_null(describe(model, "9999", NULL));    /* not in the slice */
    const char *d = "x";
    assert_int_equal(hsc_model_describe(model, "9999", 4, NULL, &d), HSC_E_NO_RESULT);
    assert_null(d);
    assert_int_equal(hsc_model_describe(model, "02x1", 4, NULL, &d), HSC_E_BAD_CODE);
    assert_int_equal(hsc_model_describe(model, "2", 1, NULL, &d), HSC_E_BAD_CODE);
    assert_int_equal(hsc_model_describe(NULL, "02", 2, NULL, &d), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_describe(model, NULL, 2, NULL, &d), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_model_describe(model, "02", 2, NULL, NULL), HSC_E_INVALID_ARG);
}

static void test_lookup_by_prefix(void **state)
{
    (void)state;
    size_t first, count, total;
    const char *code, *text;
    assert_int_equal(hsc_model_nomenclature_count(model, &total), HSC_OK);
    assert_int_equal(total, 1041); /* tests/data/nomenclature_en.tsv */
    assert_int_equal(hsc_model_nomenclature_find(model, "0201", 4, &first, &count), HSC_OK);
    assert_int_equal(count, 4); /* the heading, then 020110, 020120, 020130 */
    const char *want[] = {"0201", "020110", "020120", "020130"};
    for (size_t i = 0; i < count; i++) {
        assert_int_equal(hsc_model_nomenclature_entry(model, first + i, "fr", &code, &text),
                         HSC_OK);
        assert_string_equal(code, want[i]);
        assert_true(strncmp(text, "Viandes des animaux de l'esp", 28) == 0);
    }
    assert_int_equal(hsc_model_nomenclature_find(model, "", 0, &first, &count), HSC_OK);
    assert_true(first == 0 && count == total);
    assert_int_equal(hsc_model_nomenclature_find(model, "95", 2, &first, &count), HSC_OK);
    assert_int_equal(count, 0);
    assert_int_equal(hsc_model_nomenclature_find(model, "9a", 2, &first, &count), HSC_E_BAD_CODE);
    assert_int_equal(hsc_model_nomenclature_entry(model, total, NULL, &code, &text),
                     HSC_E_NO_RESULT);
    /* sorted: every code after its prefixes */
    const char *prev = "";
    for (size_t i = 0; i < total; i++) {
        assert_int_equal(hsc_model_nomenclature_entry(model, i, NULL, &code, &text), HSC_OK);
        assert_true(strcmp(prev, code) < 0);
        assert_true(text[0] != '\0');
        prev = code;
    }
}

/* Every code the model can suggest, at every level, has a description. */
static void test_every_suggestion_is_described(void **state)
{
    (void)state;
    size_t n;
    assert_int_equal(hsc_model_label_count(model, &n), HSC_OK);
    assert_true(n > 300);
    for (size_t i = 0; i < n; i++) {
        const char *code;
        assert_int_equal(hsc_model_label(model, i, &code), HSC_OK);
        assert_string_not_equal(code, "999999");
        for (size_t d = 2; d <= strlen(code); d += 2) {
            char pre[16];
            memcpy(pre, code, d);
            pre[d] = '\0';
            assert_non_null(describe(model, pre, "en"));
        }
    }
    assert_int_equal(train_errors.outside, 1);
    assert_int_equal(train_errors.line0, 1);
    /* a suggestion's description is one call away */
    hsc_session *s;
    const char *code, *desc;
    assert_int_equal(hsc_session_new(model, NULL, &s), HSC_OK);
    assert_int_equal(hsc_session_classify(s, "frozen boneless beef", 20, 5), HSC_OK);
    for (uint32_t level = 0; level <= 6; level += 2) {
        size_t count;
        assert_int_equal(hsc_session_result_count(s, level, &count), HSC_OK);
        assert_true(count > 0);
        for (size_t i = 0; i < count; i++) {
            assert_int_equal(hsc_session_result(s, level, i, &code, NULL), HSC_OK);
            assert_int_equal(hsc_model_describe(model, code, strlen(code), "fr", &desc), HSC_OK);
        }
    }
    hsc_session_free(s);
}

static void test_national_lines(void **state)
{
    (void)state;
    size_t n, first, count;
    const char *name, *lang, *code, *desc;
    assert_int_equal(hsc_model_national_scheme_count(model, &n), HSC_OK);
    assert_int_equal(n, 1);
    assert_int_equal(hsc_model_national_scheme(model, 0, &name, &lang), HSC_OK);
    assert_string_equal(name, "TEC-CEDEAO");
    assert_string_equal(lang, "fr");
    assert_int_equal(hsc_model_national_scheme(model, 1, &name, &lang), HSC_E_NO_RESULT);
    assert_int_equal(hsc_model_national_find(model, 0, "1006.40", 7, &first, &count), HSC_OK);
    assert_int_equal(count, 1);
    assert_int_equal(hsc_model_national_line(model, 0, first, &code, &desc), HSC_OK);
    assert_string_equal(code, "1006400000");
    assert_string_equal(desc, "Riz; Riz en brisures");
    assert_int_equal(hsc_model_national_find(model, 0, "1006", 4, &first, &count), HSC_OK);
    assert_int_equal(count, 6);
    assert_int_equal(hsc_model_national_find(model, 0, "", 0, &first, &count), HSC_OK);
    assert_int_equal(count, 139);
    assert_int_equal(hsc_model_national_line(model, 0, 139, &code, &desc), HSC_E_NO_RESULT);
    assert_int_equal(hsc_model_national_find(model, 1, "10", 2, &first, &count), HSC_E_NO_RESULT);
    /* a national line describes itself when the nomenclature has no text */
    assert_string_equal(describe(model, "1006400000", NULL), "Riz; Riz en brisures");
    assert_string_equal(describe(model, "1006400000", "fr"), "Riz; Riz en brisures");
    assert_null(describe(model, "1006400000", "en"));
}

/* Read the section table of a file image: tag -> (entry offset). */
static size_t find_entry(const uint8_t *file, uint32_t tag)
{
    uint64_t table = hsc__rd64(file + HSCM_H_TABLE_OFFSET);
    uint32_t n = hsc__rd32(file + HSCM_H_SECTION_COUNT);
    for (uint32_t i = 0; i < n; i++) {
        size_t e = (size_t)table + (size_t)i * HSCM_ENTRY_SIZE;
        if (hsc__rd32(file + e + HSCM_E_TAG) == tag)
            return e;
    }
    return 0;
}

static void test_file_roundtrip(void **state)
{
    (void)state;
    void *buf = NULL, *buf2 = NULL;
    size_t len, len2;
    assert_int_equal(hsc_model_save_memory(model, &buf, &len), HSC_OK);
    const uint8_t *file = buf;
    assert_int_equal(hsc__rd16(file + HSCM_H_MINOR), 3);   /* 1.1 sections, SCOR, PREC 2 */
    size_t e_nomn = find_entry(file, HSCM_TAG_NOMN), e_natl = find_entry(file, HSCM_TAG_NATL);
    assert_true(e_nomn && e_natl);
    /* not critical: a 1.0 reader skips them */
    assert_int_equal(hsc__rd32(file + e_nomn + HSCM_E_FLAGS) & HSCM_SEC_CRITICAL, 0);
    assert_int_equal(hsc__rd32(file + e_natl + HSCM_E_FLAGS) & HSCM_SEC_CRITICAL, 0);
    hsc_model *m2;
    assert_int_equal(hsc_model_load_memory(buf, len, NULL, &m2, NULL), HSC_OK);
    assert_string_equal(describe(m2, "020130", "fr"), describe(model, "020130", "fr"));
    assert_int_equal(hsc_model_save_memory(m2, &buf2, &len2), HSC_OK);
    assert_int_equal(len, len2);
    assert_memory_equal(buf, buf2, len);
    hsc_model_free(m2);
    hsc_buffer_free(buf2);

    /* Renamed to a tag this reader does not know: skipped like any optional
     * section, the model loads without a nomenclature. */
    uint8_t *copy = malloc(len);
    assert_non_null(copy);
    memcpy(copy, buf, len);
    hsc__wr32(copy + e_nomn + HSCM_E_TAG, HSCM_TAG('X', 'N', 'O', 'M'));
    hsc__wr32(copy + e_natl + HSCM_E_TAG, HSCM_TAG('X', 'N', 'A', 'T'));
    assert_int_equal(hsc_model_load_memory(copy, len, NULL, &m2, NULL), HSC_OK);
    size_t n;
    assert_int_equal(hsc_model_nomenclature_count(m2, &n), HSC_OK);
    assert_int_equal(n, 0);
    assert_int_equal(hsc_model_national_scheme_count(m2, &n), HSC_OK);
    assert_int_equal(n, 0);
    assert_null(describe(m2, "0201", NULL));
    hsc_model_free(m2);

    /* Two NOMN sections: rejected. */
    memcpy(copy, buf, len);
    hsc__wr32(copy + e_natl + HSCM_E_TAG, HSCM_TAG_NOMN);
    uint64_t off = 1;
    assert_int_equal(hsc_model_load_memory(copy, len, NULL, &m2, &off), HSC_E_MODEL_SECTION);
    assert_int_equal(off, e_natl + HSCM_E_TAG);
    free(copy);
    hsc_buffer_free(buf);
}

/* ---- section payloads -------------------------------------------------------- */

static const hsc__alloc A = {0};

static void put32(hsc__buf *b, uint32_t v)
{
    uint8_t t[4];
    hsc__wr32(t, v);
    assert_int_equal(hsc__buf_append(&A, b, t, 4), HSC_OK);
}

static void putstr(hsc__buf *b, const char *s)
{
    put32(b, (uint32_t)strlen(s));
    assert_int_equal(hsc__buf_append(&A, b, s, strlen(s)), HSC_OK);
}

/* NOMN payload written field by field (texts: n_codes x n_langs). */
static void raw_nomen(hsc__buf *b, uint32_t nl, const char *const *langs, uint32_t nc,
                      const char *const *codes, const char *const *texts)
{
    b->len = 0;
    put32(b, nl);
    for (uint32_t l = 0; l < nl && l < 8; l++)
        putstr(b, langs[l]);
    put32(b, nc);
    for (uint32_t i = 0; i < nc && codes; i++) {
        putstr(b, codes[i]);
        for (uint32_t l = 0; l < nl; l++)
            putstr(b, texts[i * nl + l]);
    }
}

static int decode_nomen(const hsc__buf *b)
{
    hsc__nomen n;
    size_t bad;
    int st = hsc__nomen_decode(&A, (const uint8_t *)b->data, b->len, &n, &bad);
    if (st == HSC_OK)
        hsc__nomen_free(&A, &n);
    else
        assert_true(bad <= b->len);
    return st;
}

/* The word-at-a-time control-character check, against the byte rule at every
 * position of a text that mixes ASCII and accented letters. */
static void test_text_control_characters(void **state)
{
    (void)state;
    char t[48] = "Viandes d\xc3\xa9" "soss\xc3\xa9" "es ~ 0201 \xc3\xa0 b\xc5\x93" "uf xyz";
    size_t len = strlen(t);
    assert_true(hsc__nomen_text_valid(t, len));
    for (size_t i = 0; i < len; i++) {
        if ((unsigned char)t[i] >= 0x80)
            continue;   /* keep the UTF-8 valid: only ASCII bytes are replaced */
        char keep = t[i];
        for (int c = 0; c < 0x80; c++) {
            t[i] = (char)c;
            int control = c < 0x20 || c == 0x7f;
            assert_int_equal(hsc__nomen_text_valid(t, len), !control);
        }
        t[i] = keep;
    }
}

static void test_nomen_payload(void **state)
{
    (void)state;
    const char *langs[] = {"en", "fr"}, *codes[] = {"02", "0201"};
    const char *texts[] = {"Meat", "Viandes", "Beef", ""};
    hsc__buf b = {0}, enc = {0};
    raw_nomen(&b, 2, langs, 2, codes, texts);
    hsc__nomen n;
    size_t bad = 0;
    assert_int_equal(hsc__nomen_decode(&A, (uint8_t *)b.data, b.len, &n, &bad), HSC_OK);
    assert_string_equal(n.langs_str, "en,fr");
    hsc__natl none = {0};
    assert_string_equal(hsc__describe(&n, &none, "0201", 4, NULL), "Beef");
    assert_null(hsc__describe(&n, &none, "0201", 4, "fr"));
    assert_string_equal(hsc__describe(&n, &none, "02", 2, "fr"), "Viandes");
    assert_int_equal(hsc__nomen_encode(&A, &n, &enc), HSC_OK);   /* same bytes back */
    assert_int_equal(enc.len, b.len);
    assert_memory_equal(enc.data, b.data, b.len);
    hsc__nomen_free(&A, &n);

    /* every truncation fails, a trailing byte too */
    for (size_t len = 0; len < b.len; len++) {
        hsc__buf t = {b.data, len, len};
        assert_int_not_equal(decode_nomen(&t), HSC_OK);
    }
    hsc__buf_append(&A, &b, "", 1);
    assert_int_equal(hsc__nomen_decode(&A, (uint8_t *)b.data, b.len, &n, &bad),
                     HSC_E_MODEL_SECTION);
    assert_int_equal(bad, b.len - 1);
    b.len--;
    /* every bit flipped: rejected or decoded, never a crash or a leak */
    for (size_t i = 0; i < b.len; i++)
        for (int bit = 0; bit < 8; bit++) {
            b.data[i] = (char)(b.data[i] ^ (1 << bit));
            decode_nomen(&b);
            b.data[i] = (char)(b.data[i] ^ (1 << bit));
        }

    const char *two_en[] = {"en", "en"}, *upper[] = {"En"}, *one[] = {"e"};
    raw_nomen(&b, 0, langs, 2, codes, texts);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    const char *nine[] = {"aa", "ab", "ac", "ad", "ae", "af", "ag", "ah", "ai"};
    raw_nomen(&b, 9, nine, 0, NULL, NULL);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_LIMIT);
    raw_nomen(&b, 2, two_en, 2, codes, texts);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    raw_nomen(&b, 1, upper, 1, codes, texts);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    raw_nomen(&b, 1, one, 1, codes, texts);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    raw_nomen(&b, 2, langs, 0, NULL, NULL);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    raw_nomen(&b, 2, langs, (1u << 20) + 1, NULL, NULL);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_LIMIT);
    raw_nomen(&b, 2, langs, 1000, NULL, NULL);  /* claims more than it holds */
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_SECTION);
    const char *unsorted[] = {"0201", "02"}, *dup[] = {"02", "02"}, *letter[] = {"0a", "0201"};
    const char *short1[] = {"2", "0201"}, *long13[] = {"0201000000001", "03"};
    raw_nomen(&b, 2, langs, 2, unsorted, texts);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    raw_nomen(&b, 2, langs, 2, dup, texts);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    raw_nomen(&b, 2, langs, 2, letter, texts);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    raw_nomen(&b, 2, langs, 2, short1, texts);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    raw_nomen(&b, 2, langs, 2, long13, texts);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_LIMIT);
    const char *no_text[] = {"Meat", "Viandes", "", ""}, *ctrl[] = {"Me\x01t", "V", "B", ""};
    const char *utf[] = {"Meat", "Viand\xc3", "Beef", ""};
    raw_nomen(&b, 2, langs, 2, codes, no_text);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    raw_nomen(&b, 2, langs, 2, codes, ctrl);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    raw_nomen(&b, 2, langs, 2, codes, utf);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_VALUE);
    char big[4098];
    memset(big, 'x', sizeof big - 1);
    big[4097] = '\0';
    const char *huge[] = {big, "", "Beef", ""};
    raw_nomen(&b, 2, langs, 2, codes, huge);
    assert_int_equal(decode_nomen(&b), HSC_E_MODEL_LIMIT);
    big[4096] = '\0';   /* 4096 bytes is the limit itself */
    raw_nomen(&b, 2, langs, 2, codes, huge);
    assert_int_equal(decode_nomen(&b), HSC_OK);
    hsc__buf_free(&A, &b);
    hsc__buf_free(&A, &enc);
}

/* NATL payload: one scheme per name (lines: n_lines codes and texts). */
static void raw_natl(hsc__buf *b, uint32_t ns, const char *const *names, const char *lang,
                     uint32_t nl, const char *const *codes, const char *const *texts)
{
    b->len = 0;
    put32(b, ns);
    for (uint32_t k = 0; k < ns && k < 8; k++) {
        putstr(b, names[k]);
        putstr(b, lang);
        put32(b, nl);
        for (uint32_t i = 0; i < nl && codes; i++) {
            putstr(b, codes[i]);
            putstr(b, texts[i]);
        }
    }
}

static int decode_natl(const hsc__buf *b)
{
    hsc__natl n;
    size_t bad;
    int st = hsc__natl_decode(&A, (const uint8_t *)b->data, b->len, &n, &bad);
    if (st == HSC_OK)
        hsc__natl_free(&A, &n);
    else
        assert_true(bad <= b->len);
    return st;
}

static void test_natl_payload(void **state)
{
    (void)state;
    const char *names[] = {"TEC-CEDEAO", "CN8"}, *codes[] = {"1006400000", "1006400010"};
    const char *texts[] = {"Riz en brisures", "Autres"};
    hsc__buf b = {0}, enc = {0};
    raw_natl(&b, 2, names, "fr", 2, codes, texts);
    hsc__natl n;
    size_t bad, first, count;
    assert_int_equal(hsc__natl_decode(&A, (uint8_t *)b.data, b.len, &n, &bad), HSC_OK);
    assert_int_equal(n.n_schemes, 2);
    hsc__natl_range(&n, 1, "100640", 6, &first, &count);
    assert_true(first == 0 && count == 2);
    hsc__nomen empty = {0};
    assert_string_equal(hsc__describe(&empty, &n, "1006400010", 10, NULL), "Autres");
    assert_int_equal(hsc__natl_encode(&A, &n, &enc), HSC_OK);
    assert_int_equal(enc.len, b.len);
    assert_memory_equal(enc.data, b.data, b.len);
    hsc__natl_free(&A, &n);
    for (size_t len = 0; len < b.len; len++) {
        hsc__buf t = {b.data, len, len};
        assert_int_not_equal(decode_natl(&t), HSC_OK);
    }
    for (size_t i = 0; i < b.len; i++)
        for (int bit = 0; bit < 8; bit++) {
            b.data[i] = (char)(b.data[i] ^ (1 << bit));
            decode_natl(&b);
            b.data[i] = (char)(b.data[i] ^ (1 << bit));
        }
    const char *same[] = {"CN8", "CN8"}, *space[] = {"TEC CEDEAO"}, *unsorted[] = {codes[1], codes[0]};
    const char *three[] = {"100", "1006400010"}, *empty_text[] = {"Riz", ""};
    raw_natl(&b, 0, names, "fr", 2, codes, texts);
    assert_int_equal(decode_natl(&b), HSC_E_MODEL_VALUE);
    const char *nine[] = {"A", "B", "C", "D", "E", "F", "G", "H", "I"};
    raw_natl(&b, 9, nine, "fr", 0, NULL, NULL);
    assert_int_equal(decode_natl(&b), HSC_E_MODEL_LIMIT);
    raw_natl(&b, 2, same, "fr", 2, codes, texts);
    assert_int_equal(decode_natl(&b), HSC_E_MODEL_VALUE);
    raw_natl(&b, 1, space, "fr", 2, codes, texts);
    assert_int_equal(decode_natl(&b), HSC_E_MODEL_VALUE);
    raw_natl(&b, 1, names, "FR", 2, codes, texts);
    assert_int_equal(decode_natl(&b), HSC_E_MODEL_VALUE);
    raw_natl(&b, 1, names, "fr", 0, NULL, NULL);
    assert_int_equal(decode_natl(&b), HSC_E_MODEL_VALUE);
    raw_natl(&b, 1, names, "fr", 500, NULL, NULL);
    assert_int_equal(decode_natl(&b), HSC_E_MODEL_SECTION);
    raw_natl(&b, 1, names, "fr", 2, unsorted, texts);
    assert_int_equal(decode_natl(&b), HSC_E_MODEL_VALUE);
    raw_natl(&b, 1, names, "fr", 2, three, texts);
    assert_int_equal(decode_natl(&b), HSC_E_MODEL_VALUE);
    raw_natl(&b, 1, names, "fr", 2, codes, empty_text);
    assert_int_equal(decode_natl(&b), HSC_E_MODEL_VALUE);
    hsc__buf_free(&A, &b);
    hsc__buf_free(&A, &enc);
}

/* A damaged NOMN inside a whole file, its CRC fixed: the descriptions are
 * decoded on first use, so the model loads and classifies, and every call
 * that reads the descriptions fails with the decoder's status (each time:
 * nothing half-decoded is kept); repaired, they read back. */
static void test_damaged_section_in_file(void **state)
{
    (void)state;
    void *buf;
    size_t len;
    assert_int_equal(hsc_model_save_memory(model, &buf, &len), HSC_OK);
    uint8_t *file = buf;
    size_t e = find_entry(file, HSCM_TAG_NOMN);
    assert_true(e > 0);
    /* Store it raw (inflated) with a bad language tag. */
    uint64_t off = hsc__rd64(file + e + HSCM_E_OFFSET);
    uint64_t stored = hsc__rd64(file + e + HSCM_E_STORED), raw = hsc__rd64(file + e + HSCM_E_RAW);
    assert_true(hsc__rd32(file + e + HSCM_E_FLAGS) & HSCM_SEC_ZLIB);
    uint8_t *plain = malloc((size_t)raw);
    uLongf plen = (uLongf)raw;
    assert_int_equal(uncompress(plain, &plen, file + off, (uLong)stored), Z_OK);
    assert_int_equal(plen, raw);
    plain[8] = 'E';   /* "en" -> "En" */
    size_t new_len = (size_t)off + (size_t)raw;
    uint8_t *img = calloc(1, new_len);
    memcpy(img, file, (size_t)off);
    memcpy(img + off, plain, (size_t)raw);
    /* The sections after NOMN (NATL, SCOR, PREC: written in table order)
     * are cut: drop their entries. Without SCOR the model scores as a 1.1
     * file does, which is all this test reads. */
    size_t e_natl = find_entry(file, HSCM_TAG_NATL);
    assert_true(hsc__rd64(file + e_natl + HSCM_E_OFFSET) > off);
    uint32_t count = hsc__rd32(img + HSCM_H_SECTION_COUNT);
    size_t table = (size_t)hsc__rd64(img + HSCM_H_TABLE_OFFSET);
    uint32_t keep = (uint32_t)((e - table) / HSCM_ENTRY_SIZE) + 1;
    memset(img + e + HSCM_ENTRY_SIZE, 0, (size_t)(count - keep) * HSCM_ENTRY_SIZE);
    hsc__wr32(img + HSCM_H_SECTION_COUNT, keep);
    hsc__wr32(img + e + HSCM_E_FLAGS, 0);
    hsc__wr64(img + e + HSCM_E_STORED, raw);
    hsc__wr32(img + e + HSCM_E_CRC, (uint32_t)crc32_z(0, img + off, (size_t)raw));
    hsc__wr64(img + HSCM_H_FILE_SIZE, new_len);
    hsc__wr32(img + HSCM_H_CRC, (uint32_t)crc32_z(0, img, HSCM_H_CRC));
    hsc_model *m2 = NULL;
    uint64_t at = 0;
    assert_int_equal(hsc_model_load_memory(img, new_len, NULL, &m2, &at), HSC_OK);
    const char *d = NULL;
    size_t n = 0;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(hsc_model_describe(m2, "0201", 4, "en", &d), HSC_E_MODEL_VALUE);
        assert_null(d);
        assert_int_equal(hsc_model_nomenclature_count(m2, &n), HSC_E_MODEL_VALUE);
        assert_int_equal(hsc_model_national_scheme_count(m2, &n), HSC_E_MODEL_VALUE);
    }
    hsc_session *s = NULL;
    assert_int_equal(hsc_session_new(m2, NULL, &s), HSC_OK);
    assert_int_equal(hsc_session_classify(s, "frozen beef", 11, 5), HSC_OK);
    hsc_session_free(s);
    void *again = NULL;
    assert_int_equal(hsc_model_save_memory(m2, &again, &len), HSC_E_MODEL_VALUE);
    hsc_model_free(m2);
    plain[8] = 'e';   /* repaired: reads back */
    memcpy(img + off, plain, (size_t)raw);
    hsc__wr32(img + e + HSCM_E_CRC, (uint32_t)crc32_z(0, img + off, (size_t)raw));
    assert_int_equal(hsc_model_load_memory(img, new_len, NULL, &m2, &at), HSC_OK);
    assert_string_equal(describe(m2, "0201", "en"), "Meat of bovine animals; fresh or chilled");
    hsc_model_free(m2);
    free(plain);
    free(img);
    hsc_buffer_free(buf);
}

/* ---- the trainer's side ------------------------------------------------------------ */

static void test_builder_errors(void **state)
{
    (void)state;
    hsc_trainer *t;
    errors e = {0};
    assert_int_equal(hsc_trainer_new(NULL, &t), HSC_OK);
    assert_int_equal(hsc_trainer_set_row_error_callback(t, on_error, &e), HSC_OK);
    const char *good = test_data_path("nomenclature_en.tsv");
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, good, "EN"), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, good, "e"), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, good, NULL), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_nomenclature_file(NULL, good, "en"), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, "/nonexistent/x.tsv", "en"), HSC_E_IO);
    assert_int_equal(hsc_trainer_add_national_file(t, good, "TEC CEDEAO", "fr"),
                     HSC_E_INVALID_ARG);
    assert_int_equal(hsc_trainer_add_national_file(t, good, "TEC", NULL), HSC_E_INVALID_ARG);
    const char *bad = tmp_file("bad_nomen.tsv",
                               "\xef\xbb\xbf" "02\tMeat\r\n"
                               "no tab here\n"
                               "0x01\tletters\n"
                               "\n"
                               "0201\t   \n"
                               "0202\tbad \xff utf-8\n"
                               "02\tMeat again\n"
                               "0203.00\tPork\n"
                               "1234567890123\ttoo long\n");
    uint64_t desc, lines, rej;
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, bad, "en"), HSC_OK);
    assert_int_equal(hsc_trainer_nomenclature_counts(t, &desc, &lines, &rej), HSC_OK);
    assert_int_equal(desc, 2);   /* 02 (first one) and 020300 */
    assert_int_equal(lines, 0);
    assert_int_equal(rej, 6);
    assert_int_equal(e.n, 6);
    /* national codes need at least 4 digits */
    assert_int_equal(hsc_trainer_add_national_file(t, tmp_file("natl.tsv", "10\tRiz\n10064000\tRiz\n"),
                                                   "X", "fr"),
                     HSC_OK);
    assert_int_equal(hsc_trainer_nomenclature_counts(t, &desc, &lines, &rej), HSC_OK);
    assert_int_equal(lines, 1);
    assert_int_equal(rej, 7);
    /* one language per scheme */
    assert_int_equal(hsc_trainer_add_national_file(t, tmp_file("natl2.tsv", "10064000\tRice\n"),
                                                   "X", "en"),
                     HSC_E_INVALID_ARG);
    hsc_trainer_free(t);

    /* strict: the first bad row stops the file, nothing of it is kept */
    hsc_config *cfg;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_STRICT, 1), HSC_OK);
    assert_int_equal(hsc_trainer_new(cfg, &t), HSC_OK);
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, bad, "en"), HSC_E_BAD_ROW);
    assert_int_equal(hsc_trainer_nomenclature_counts(t, &desc, &lines, &rej), HSC_OK);
    assert_int_equal(desc, 0);
    /* strict: a training row outside the nomenclature stops training */
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, good, "en"), HSC_OK);
    assert_int_equal(hsc_trainer_add_file(t, tmp_file("rows.tsv", "020130\tbeef\n999999\tstuff\n"),
                                          1.0, 0),
                     HSC_OK);
    hsc_model *m = NULL;
    assert_int_equal(hsc_trainer_train(t, &m), HSC_E_BAD_ROW);
    assert_null(m);
    hsc_trainer_free(t);
    hsc_config_free(cfg);
}

/* All rows outside the nomenclature: nothing to train on. */
static void test_nothing_in_nomenclature(void **state)
{
    (void)state;
    hsc_trainer *t;
    hsc_model *m = NULL;
    errors e = {0};
    assert_int_equal(hsc_trainer_new(NULL, &t), HSC_OK);
    assert_int_equal(hsc_trainer_set_row_error_callback(t, on_error, &e), HSC_OK);
    assert_int_equal(hsc_trainer_add_file(t, tmp_file("rows2.tsv", "999999\tx\n999998\ty\n"), 1.0, 0),
                     HSC_OK);
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, test_data_path("nomenclature_en.tsv"),
                                                       "en"),
                     HSC_OK);
    assert_int_equal(hsc_trainer_train(t, &m), HSC_E_NO_DATA);
    assert_int_equal(e.outside, 2);
    uint64_t acc, rej;
    assert_int_equal(hsc_trainer_row_counts(t, &acc, &rej), HSC_OK);
    assert_true(acc == 0 && rej == 2);
    hsc_trainer_free(t);
}

/* Training on 10-digit national codes: labels are the TEC lines, with
 * aggregates at 2, 4, 6 and 8 digits, each described. */
static void test_train_national_codes(void **state)
{
    (void)state;
    hsc_config *cfg = small_config();
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_CODE_DIGITS, 10), HSC_OK);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 20), HSC_OK);
    assert_int_equal(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "fr"), HSC_OK);
    hsc_trainer *t;
    hsc_model *m = NULL;
    errors e = {0};
    const char *slice = test_data_path("tec_cedeao_slice.tsv");
    assert_int_equal(hsc_trainer_new(cfg, &t), HSC_OK);
    assert_int_equal(hsc_trainer_set_row_error_callback(t, on_error, &e), HSC_OK);
    assert_int_equal(hsc_trainer_add_file(t, slice, 1.0, HSC_ROWS_NOMENCLATURE), HSC_OK);
    assert_int_equal(hsc_trainer_add_national_file(t, slice, "TEC-CEDEAO", "fr"), HSC_OK);
    assert_int_equal(hsc_trainer_add_nomenclature_file(t, test_data_path("nomenclature_fr.tsv"),
                                                       "fr"),
                     HSC_OK);
    assert_int_equal(hsc_trainer_train(t, &m), HSC_OK);
    assert_int_equal(e.n, 0);
    size_t n;
    const char *code, *info;
    assert_int_equal(hsc_model_label_count(m, &n), HSC_OK);
    assert_int_equal(n, 139);
    assert_int_equal(hsc_model_info_str(m, HSC_INFO_LABELS, &info), HSC_OK);
    assert_string_equal(info, "139 labels, 10 digits");
    hsc_session *s;
    assert_int_equal(hsc_session_new(m, NULL, &s), HSC_OK);
    const char *text = "riz en brisures";
    assert_int_equal(hsc_session_classify(s, text, strlen(text), 3), HSC_OK);
    static const uint32_t levels[] = {0, 2, 4, 6, 8, 10};
    for (size_t i = 0; i < sizeof levels / sizeof *levels; i++) {
        double p;
        assert_int_equal(hsc_session_result(s, levels[i], 0, &code, &p), HSC_OK);
        assert_int_equal(strlen(code), levels[i] ? levels[i] : 10);
        assert_true(p > 0.0 && p <= 1.0);
        if (levels[i] != 8) /* no text for TEC's 8-digit groups */
            assert_non_null(describe(m, code, "fr"));
    }
    assert_int_equal(hsc_session_result(s, 2, 0, &code, NULL), HSC_OK);
    assert_string_equal(code, "10");
    assert_int_equal(hsc_session_result(s, 0, 0, &code, NULL), HSC_OK);
    print_message("riz en brisures -> %s %s\n", code, describe(m, code, NULL));
    assert_true(strncmp(code, "1006", 4) == 0);
    hsc_session_free(s);
    hsc_model_free(m);
    hsc_trainer_free(t);
    hsc_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest model_tests[] = {
        cmocka_unit_test(test_descriptions),
        cmocka_unit_test(test_lookup_by_prefix),
        cmocka_unit_test(test_every_suggestion_is_described),
        cmocka_unit_test(test_national_lines),
        cmocka_unit_test(test_file_roundtrip),
        cmocka_unit_test(test_damaged_section_in_file),
    };
    const struct CMUnitTest other_tests[] = {
        cmocka_unit_test(test_text_control_characters),
        cmocka_unit_test(test_nomen_payload),
        cmocka_unit_test(test_natl_payload),
        cmocka_unit_test(test_builder_errors),
        cmocka_unit_test(test_nothing_in_nomenclature),
        cmocka_unit_test(test_train_national_codes),
    };
    int failed = cmocka_run_group_tests(model_tests, setup, teardown);
    return failed + cmocka_run_group_tests(other_tests, NULL, NULL);
}
