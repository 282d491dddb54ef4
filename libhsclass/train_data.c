/* train_data.c - the trainer's input: the row-error sink, labeled rows
 * (TSV parsing with per-line diagnostics, label truncation), and
 * nomenclature path augmentation. */
#include <string.h>

#include "hscode.h"
#include "train_data.h"

int hsc__row_reject(const hsc__row_sink *sink, uint64_t *rejected, const char *file,
                    uint64_t line, hsc_status why, const char *msg)
{
    (*rejected)++;
    if (sink->fn != NULL)
        sink->fn(sink->user, file != NULL ? file : "", line, why, msg);
    return sink->strict ? HSC_E_BAD_ROW : HSC_OK;
}

void hsc__rowset_init(hsc__rowset *rs, const hsc__alloc *a, uint32_t code_digits,
                      const hsc__row_sink *sink, uint32_t max_text_bytes)
{
    memset(rs, 0, sizeof *rs);
    rs->alloc = *a;
    rs->code_digits = code_digits;
    rs->sink = sink;
    rs->max_text_bytes = max_text_bytes;
}

void hsc__rowset_free(hsc__rowset *rs)
{
    hsc__buf_free(&rs->alloc, &rs->codes);
    hsc__buf_free(&rs->alloc, &rs->texts);
    hsc__free(&rs->alloc, rs->rows);
    hsc__free(&rs->alloc, rs->index);
    rs->index = NULL;
    rs->index_cap = 0;
    for (uint32_t i = 0; i < rs->n_sources; i++)
        hsc__free(&rs->alloc, rs->sources[i]);
    rs->rows = NULL;
    rs->n_rows = rs->cap_rows = 0;
    rs->n_sources = 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static void trim(const char **s, size_t *len)
{
    while (*len && is_space(**s)) {
        (*s)++;
        (*len)--;
    }
    while (*len && is_space((*s)[*len - 1]))
        (*len)--;
}

static int reject(hsc__rowset *rs, const char *file, uint64_t line, hsc_status why, const char *msg)
{
    return hsc__row_reject(rs->sink, &rs->rejected, file, line, why, msg);
}

/* The index of a file's name among the rowset's sources (added if new). */
static int source_of(hsc__rowset *rs, const char *file, uint32_t *out)
{
    const char *slash = strrchr(file, '/');
    const char *name = slash != NULL ? slash + 1 : file;
    for (uint32_t i = rs->n_sources; i-- > 0;)
        if (strcmp(rs->sources[i], name) == 0) {
            *out = i;
            return HSC_OK;
        }
    if (rs->n_sources == HSC__MAX_SOURCES) {
        *out = HSC__MAX_SOURCES - 1;
        return HSC_OK;
    }
    rs->sources[rs->n_sources] = hsc__strndup(&rs->alloc, name, strlen(name));
    if (rs->sources[rs->n_sources] == NULL)
        return HSC_E_NOMEM;
    *out = rs->n_sources++;
    return HSC_OK;
}

/* ---- identical rows -------------------------------------------------------- */

static uint64_t row_hash(const char *code, size_t code_len, const char *text, size_t text_len,
                         uint32_t flags)
{
    uint64_t h = hsc__hash(flags, (uint8_t)code_len, code, code_len);
    return hsc__hash((uint32_t)(h ^ (h >> 32)), 0, text, text_len);
}

static int same_row(const hsc__rowset *rs, const hsc__row *r, const char *code, size_t code_len,
                    const char *text, size_t text_len, uint32_t flags)
{
    return r->flags == flags && r->code_len == code_len && r->text_len == text_len &&
           memcmp(rs->codes.data + r->code_off, code, code_len) == 0 &&
           memcmp(rs->texts.data + r->text_off, text, text_len) == 0;
}

/* The slot of a row equal to (code, text, flags), or the empty slot where
 * it goes. */
static size_t find_slot(const hsc__rowset *rs, const char *code, size_t code_len,
                        const char *text, size_t text_len, uint32_t flags)
{
    size_t mask = rs->index_cap - 1;
    size_t i = (size_t)row_hash(code, code_len, text, text_len, flags) & mask;
    while (rs->index[i] != 0 &&
           !same_row(rs, &rs->rows[rs->index[i] - 1], code, code_len, text, text_len, flags))
        i = (i + 1) & mask;
    return i;
}

static void index_put(hsc__rowset *rs, size_t row)
{
    const hsc__row *r = &rs->rows[row];
    size_t i = find_slot(rs, rs->codes.data + r->code_off, r->code_len,
                         rs->texts.data + r->text_off, r->text_len, r->flags);
    rs->index[i] = (uint32_t)row + 1;
}

/* Keep the table at most half full. */
static int index_reserve(hsc__rowset *rs, size_t n_rows)
{
    if (n_rows * 2 < rs->index_cap)
        return HSC_OK;
    if (n_rows >= UINT32_MAX / 2)
        return HSC_E_NOMEM;   /* row indices are 32-bit */
    size_t cap = rs->index_cap ? rs->index_cap : 1024;
    while (n_rows * 2 >= cap)
        cap *= 2;
    uint32_t *idx = hsc__calloc(&rs->alloc, cap, sizeof *idx);
    if (idx == NULL)
        return HSC_E_NOMEM;
    hsc__free(&rs->alloc, rs->index);
    rs->index = idx;
    rs->index_cap = cap;
    for (size_t r = 0; r < rs->n_rows; r++)
        index_put(rs, r);
    return HSC_OK;
}

/* Room for one more row. */
static int reserve_row(hsc__rowset *rs)
{
    if (rs->n_rows == rs->cap_rows) {
        hsc__row *r = hsc__grow_array(&rs->alloc, rs->rows, &rs->cap_rows,
                                      rs->n_rows + 1, sizeof *r, 1024);
        if (r == NULL)
            return HSC_E_NOMEM;
        rs->rows = r;
    }
    return HSC_OK;
}

int hsc__rowset_push(hsc__rowset *rs, const hsc__row *row)
{
    if (reserve_row(rs) != HSC_OK)
        return HSC_E_NOMEM;
    rs->rows[rs->n_rows++] = *row;
    return HSC_OK;
}

int hsc__rowset_reindex(hsc__rowset *rs)
{
    hsc__free(&rs->alloc, rs->index);
    rs->index = NULL;
    rs->index_cap = 0;
    return index_reserve(rs, rs->n_rows);
}

int hsc__rowset_add(hsc__rowset *rs, const char *file, uint64_t line, const char *code,
                    size_t code_len, const char *text, size_t text_len, double weight,
                    uint32_t flags)
{
    if (!(weight > 0.0) || weight > 1e6)
        return HSC_E_INVALID_ARG;
    char digits[HSC__CODE_CAP];
    size_t nd;
    trim(&code, &code_len);
    int why = hsc__code_parse(code, code_len, digits, &nd);
    if (why == HSC__CODE_NOT_DIGIT)
        return reject(rs, file, line, HSC_E_BAD_CODE, "code has a character that is not a digit");
    if (why == HSC__CODE_TOO_LONG)
        return reject(rs, file, line, HSC_E_BAD_CODE, "code longer than 12 digits");
    if (nd == 0)
        return reject(rs, file, line, HSC_E_BAD_CODE, "empty code");
    if (nd < 2 ||
        (rs->code_digits && nd < rs->code_digits && !hsc__short_row_kept(rs->code_digits, nd)))
        return reject(rs, file, line, HSC_E_BAD_CODE, "code shorter than the training level");
    if (rs->code_digits && nd > rs->code_digits)
        nd = rs->code_digits;

    trim(&text, &text_len);
    if (text_len == 0)
        return reject(rs, file, line, HSC_E_NO_DATA, "empty description");
    if (rs->max_text_bytes && text_len > rs->max_text_bytes)
        return reject(rs, file, line, HSC_E_TEXT_TOO_LONG, "description longer than the text limit");
    size_t bad;
    if (hsc__utf8_validate(text, text_len, &bad) != HSC_OK)
        return reject(rs, file, line, HSC_E_BAD_UTF8, "description is not valid UTF-8");
    if (memchr(text, '\0', text_len) != NULL)
        return reject(rs, file, line, HSC_E_BAD_UTF8, "description contains a NUL byte");

    int st = index_reserve(rs, rs->n_rows + 1);
    if (st != HSC_OK)
        return st;
    size_t slot = find_slot(rs, digits, nd, text, text_len, flags);
    if (rs->index[slot] != 0) {   /* seen before: one row, the weights summed */
        hsc__row *same = &rs->rows[rs->index[slot] - 1];
        double w = (double)same->weight + weight;
        same->weight = (float)(w < 1e6 ? w : 1e6);
        rs->merged++;
        return HSC_OK;
    }
    if (reserve_row(rs) != HSC_OK)
        return HSC_E_NOMEM;
    hsc__row *row = &rs->rows[rs->n_rows];
    st = source_of(rs, file, &row->source);
    if (st != HSC_OK)
        return st;
    row->code_off = rs->codes.len;
    row->code_len = (uint32_t)nd;
    row->text_off = rs->texts.len;
    row->text_len = (uint32_t)text_len;
    row->weight = (float)weight;
    row->flags = flags;
    st = hsc__buf_append(&rs->alloc, &rs->codes, digits, nd);
    if (st == HSC_OK)
        st = hsc__buf_append(&rs->alloc, &rs->codes, "", 1);
    if (st == HSC_OK)
        st = hsc__buf_append(&rs->alloc, &rs->texts, text, text_len);
    if (st == HSC_OK)
        st = hsc__buf_append(&rs->alloc, &rs->texts, "", 1);
    if (st != HSC_OK)
        return st;
    rs->index[slot] = (uint32_t)rs->n_rows + 1;
    rs->n_rows++;
    return HSC_OK;
}

int hsc__rowset_add_line(hsc__rowset *rs, const char *file, uint64_t line, const char *s,
                         size_t len, double weight, uint32_t flags)
{
    const char *tab = memchr(s, '\t', len);
    if (tab == NULL)
        return reject(rs, file, line, HSC_E_BAD_ROW, "no tab between code and description");
    size_t code_len = (size_t)(tab - s);
    return hsc__rowset_add(rs, file, line, s, code_len, tab + 1, len - code_len - 1, weight, flags);
}

int hsc__rowset_add_file(hsc__rowset *rs, const char *path, double weight, uint32_t flags)
{
    hsc__line_reader in;
    int st = hsc__lines_open(&in, &rs->alloc, path);
    uint64_t line = 0;
    const char *p;
    size_t len;
    while (st == HSC_OK && (st = hsc__lines_next(&in, &p, &len)) == HSC_OK) {
        if (++line == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0) {
            p += 3;
            len -= 3;
        }
        if (len && p[len - 1] == '\r')
            len--;
        const char *q = p;
        size_t qlen = len;
        trim(&q, &qlen);
        if (qlen)
            st = hsc__rowset_add_line(rs, path, line, p, len, weight, flags);
        if (st == HSC_OK && rs->on_read != NULL && line % HSC__READ_PROGRESS_LINES == 0 &&
            rs->on_read(rs->on_read_user, path, line, in.bytes, in.size) != 0)
            st = HSC_E_CANCELLED;
    }
    if (st == HSC_E_NO_DATA && rs->on_read != NULL &&   /* the whole file: a last report */
        rs->on_read(rs->on_read_user, path, line, in.bytes, in.size) != 0)
        st = HSC_E_CANCELLED;
    hsc__lines_close(&in);
    return st == HSC_E_NO_DATA ? HSC_OK : st;
}

/* ---- nomenclature augmentation ---------------------------------------- */

#define MAX_SEGMENTS 16

typedef struct span {
    const char *s;
    size_t len;
} span;

/* "Other" rows carry their meaning in their parents' text: such segments
 * are dropped from the short phrases. */
static int is_generic(span sp)
{
    static const char *const generic[] = {"other", "others", "autres", "autre", "outros", "outras",
                                          "outro", "otros", "otras", "other:", "autres:", "outros:"};
    for (size_t i = 0; i < sizeof generic / sizeof *generic; i++) {
        size_t n = strlen(generic[i]);
        if (sp.len != n)
            continue;
        size_t j = 0;
        while (j < n && (sp.s[j] | 0x20) == generic[i][j])
            j++;
        if (j == n)
            return 1;
    }
    return 0;
}

/* First comma-clause of a segment: its head noun phrase. */
static span head_clause(span sp)
{
    const char *c = memchr(sp.s, ',', sp.len);
    if (c != NULL)
        sp.len = (size_t)(c - sp.s);
    trim(&sp.s, &sp.len);
    return sp;
}

static int emit_join(const hsc__alloc *a, hsc__buf *tmp, span x, span y, hsc__emit_fn emit,
                     void *user, float factor)
{
    tmp->len = 0;
    int st = hsc__buf_append(a, tmp, x.s, x.len);
    if (st == HSC_OK && y.len)
        st = hsc__buf_append(a, tmp, " ", 1);
    if (st == HSC_OK && y.len)
        st = hsc__buf_append(a, tmp, y.s, y.len);
    if (st == HSC_OK)
        st = emit(user, tmp->data, tmp->len, factor);
    return st;
}

int hsc__augment_path(const hsc__alloc *a, const char *text, size_t len, hsc__emit_fn emit,
                      void *user)
{
    span seg[MAX_SEGMENTS];
    size_t n = 0, n_all = 0;
    const char *p = text, *end = text + len;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        span sp = {p, (size_t)((semi != NULL ? semi : end) - p)};
        trim(&sp.s, &sp.len);
        n_all++;
        if (sp.len && !is_generic(sp) && n < MAX_SEGMENTS)
            seg[n++] = sp;
        p = semi != NULL ? semi + 1 : end;
    }
    if (n == 0)
        return HSC_OK;
    hsc__buf tmp = {0};
    int st = HSC_OK;
    span head = head_clause(seg[0]);
    span last = seg[n - 1];
    span none = {"", 0};
    /* The head noun with the most specific qualifier: "Meat of bovine
     * animals Boneless". */
    if (n >= 2 && (head.len < seg[0].len || n >= 3 || n_all > n)) /* else: the same words */
        st = emit_join(a, &tmp, head, last, emit, user, 0.5f);
    /* The two most specific segments, when the path is longer. */
    if (st == HSC_OK && n >= 3)
        st = emit_join(a, &tmp, seg[n - 2], last, emit, user, 0.5f);
    /* A path with generic segments dropped, when there were any. */
    if (st == HSC_OK && n_all > n && n >= 1 && head.len < seg[0].len)
        st = emit_join(a, &tmp, seg[0], n >= 2 ? last : none, emit, user, 0.5f);
    /* Just the head noun of a single-segment description with clauses. */
    if (st == HSC_OK && n == 1 && head.len > 0 && head.len < seg[0].len)
        st = emit_join(a, &tmp, head, none, emit, user, 0.25f);
    hsc__buf_free(a, &tmp);
    return st;
}
