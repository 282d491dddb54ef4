/* fuzz_train_rows.c - training files: TSV parsing through
 * hsc_trainer_add_file, nomenclature path augmentation, and (for small
 * inputs) a quick training run whose model must survive a save/load.
 *
 *   byte 0  bit 0 strict, bit 1 nomenclature rows, bits 2-4 code digits
 *           (0, 2, 4, 6, 8, 10, 6, 6), bit 5 train, bit 6 a 64-byte text limit
 *   rest    the file
 *
 * Invariants: add_file returns HSC_OK, or HSC_E_BAD_ROW in strict mode
 * only; every non-blank line is accepted or rejected exactly once (strict
 * mode stops at the first rejection), the row-error callback fires once per
 * rejection with increasing line numbers; augmentation of valid UTF-8
 * emits non-empty valid UTF-8; training fails only with its documented
 * statuses, and a trained model saves and loads. */
#include <string.h>
#include <unistd.h>

#include "hsclass.h"
#include "fuzz.h"
#include "train_data.h"

static char path[64];

static void remove_file(void)
{
    remove(path);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *dir = getenv("TMPDIR");
    snprintf(path, sizeof path, "%s/hsc-fuzz-rows-XXXXXX", dir && strlen(dir) < 40 ? dir : "/tmp");
    int fd = mkstemp(path);
    FUZZ_CHECK(fd >= 0);
    close(fd);
    atexit(remove_file);
    return 0;
}

typedef struct errs {
    uint64_t calls, last_line, lines;
} errs;

static void on_error(void *user, const char *file, uint64_t line, hsc_status status,
                     const char *message)
{
    errs *e = user;
    FUZZ_CHECK(strcmp(file, path) == 0);
    FUZZ_CHECK(line > e->last_line && line <= e->lines);
    FUZZ_CHECK(status != HSC_OK && message != NULL && message[0] != '\0');
    e->last_line = line;
    e->calls++;
}

static int is_blank(const uint8_t *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!strchr(" \t\r\n\v\f", s[i]) || s[i] == 0)
            return 0;
    return 1;
}

/* Lines as the documented format defines them: an optional BOM, LF or
 * CRLF endings, blank lines ignored. */
static uint64_t count_rows(const uint8_t *d, size_t n, uint64_t *lines)
{
    uint64_t rows = 0;
    *lines = 0;
    if (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0) {
        d += 3;
        n -= 3;
    }
    while (n > 0) {
        const uint8_t *nl = memchr(d, '\n', n);
        size_t len = nl ? (size_t)(nl - d) : n;
        (*lines)++;
        rows += !is_blank(d, len);
        d += nl ? len + 1 : len;
        n -= nl ? len + 1 : len;
    }
    return rows;
}

static int emit(void *user, const char *text, size_t len, float factor)
{
    (void)user;
    FUZZ_CHECK(len > 0 && factor > 0.0f && factor <= 1.0f);
    FUZZ_CHECK(fuzz_utf8_valid((const uint8_t *)text, len));
    return HSC_OK;
}

static void augment_lines(const uint8_t *d, size_t n)
{
    hsc__alloc a = {0};
    for (int i = 0; i < 64 && n > 0; i++) {
        const uint8_t *nl = memchr(d, '\n', n);
        size_t len = nl ? (size_t)(nl - d) : n;
        if (fuzz_utf8_valid(d, len))
            FUZZ_CHECK(hsc__augment_path(&a, (const char *)d, len, emit, NULL) == HSC_OK);
        d += nl ? len + 1 : len;
        n -= nl ? len + 1 : len;
    }
}

static void train(hsc_trainer *t)
{
    hsc_model *m = NULL;
    int st = hsc_trainer_train(t, &m);
    FUZZ_CHECK(st == HSC_OK || st == HSC_E_NO_DATA || st == HSC_E_ONE_CLASS);
    FUZZ_CHECK((st == HSC_OK) == (m != NULL));
    if (st != HSC_OK)
        return;
    size_t labels;
    FUZZ_CHECK(hsc_model_label_count(m, &labels) == HSC_OK && labels >= 2);
    void *buf;
    size_t len;
    FUZZ_CHECK(hsc_model_save_memory(m, &buf, &len) == HSC_OK);
    hsc_model *m2;
    FUZZ_CHECK(hsc_model_load_memory(buf, len, NULL, &m2, NULL) == HSC_OK);
    hsc_buffer_free(buf);
    hsc_model_free(m2);
    hsc_model_free(m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint32_t digits[8] = {0, 2, 4, 6, 8, 10, 6, 6};
    if (size < 1)
        return 0;
    uint8_t opt = data[0];
    data++;
    size--;
    FILE *f = fopen(path, "wb");
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(size == 0 || fwrite(data, 1, size, f) == size);
    FUZZ_CHECK(fclose(f) == 0);

    hsc_config *cfg;
    FUZZ_CHECK(hsc_config_new(&cfg) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_STRICT, opt & 1u) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_CODE_DIGITS, digits[(opt >> 2) & 7u]) == HSC_OK);
    if (opt & 0x40)
        FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_MAX_TEXT_BYTES, 64) == HSC_OK);
    /* Small and quick, for the training run. */
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_DIM, 2) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 1) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 1024) == HSC_OK);
    FUZZ_CHECK(hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "en,fr") == HSC_OK);
    hsc_trainer *t;
    FUZZ_CHECK(hsc_trainer_new(cfg, &t) == HSC_OK);
    hsc_config_free(cfg);

    errs e = {0, 0, 0};
    uint64_t rows = count_rows(data, size, &e.lines);
    FUZZ_CHECK(hsc_trainer_set_row_error_callback(t, on_error, &e) == HSC_OK);
    uint32_t flags = (opt & 2u) ? HSC_ROWS_NOMENCLATURE : 0;
    int st = hsc_trainer_add_file(t, path, 1.0, flags);
    uint64_t acc, rej;
    FUZZ_CHECK(hsc_trainer_row_counts(t, &acc, &rej) == HSC_OK);
    FUZZ_CHECK(rej == e.calls);
    if (opt & 1u) {
        FUZZ_CHECK(st == HSC_OK || st == HSC_E_BAD_ROW);
        FUZZ_CHECK((st == HSC_E_BAD_ROW) == (rej == 1) && rej <= 1);
        FUZZ_CHECK(st == HSC_OK ? acc == rows : acc + rej <= rows);
    } else {
        FUZZ_CHECK(st == HSC_OK);
        FUZZ_CHECK(acc + rej == rows);
    }
    if ((opt & 0x20) && acc > 0 && acc <= 64 && size <= 4096)
        train(t);
    hsc_trainer_free(t);
    augment_lines(data, size);
    return 0;
}
