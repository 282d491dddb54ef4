/* code_map.c - correlation tables between nomenclature editions (HS 2017
 * to HS 2022, last year's national tariff to this year's) and their
 * application to training rows: a row whose code an old code of the table
 * starts (the longest one) takes the new code, or, for an old code with
 * several new ones, is split among them with its weight shared. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "code_map.h"
#include "hscode.h"

void hsc__code_map_init(hsc__code_map *m, const hsc__alloc *a)
{
    memset(m, 0, sizeof *m);
    m->alloc = *a;
}

void hsc__code_map_free(hsc__code_map *m)
{
    hsc__free(&m->alloc, m->e);
    m->e = NULL;
    m->n = m->cap = 0;
}

static int by_old(const void *x, const void *y)
{
    const hsc__code_map_entry *a = x, *b = y;
    int c = strcmp(a->old_code, b->old_code);
    return c != 0 ? c : (a->seq > b->seq) - (a->seq < b->seq);
}

static int bad(const hsc__row_sink *sink, uint64_t *rejected, const char *path, uint64_t line,
               const char *msg)
{
    return hsc__row_reject(sink, rejected, path, line, HSC_E_BAD_ROW, msg);
}

/* A share written as a plain decimal ("0.25", "1", ".5"), read the same in
 * every locale; -1 for anything else. */
static double parse_share(const char *s, size_t len)
{
    double v = 0.0, scale = 1.0;
    int dot = 0, digits = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '.' && !dot) {
            dot = 1;
        } else if (s[i] >= '0' && s[i] <= '9' && digits < 15) {
            digits++;
            if (dot)
                v += (s[i] - '0') * (scale /= 10.0);
            else
                v = v * 10.0 + (s[i] - '0');
        } else {
            return -1.0;
        }
    }
    return digits > 0 ? v : -1.0;
}

/* One "old<TAB>new[<TAB>share]" line. */
static int add_line(hsc__code_map *m, const hsc__row_sink *sink, const char *path,
                    uint64_t line, const char *s, size_t len)
{
    const char *tab = memchr(s, '\t', len);
    if (tab == NULL)
        return bad(sink, &m->rejected, path, line, "no tab between old and new code");
    const char *rest = tab + 1, *end = s + len;
    const char *tab2 = memchr(rest, '\t', (size_t)(end - rest));
    hsc__code_map_entry e = {{0}, {0}, 1.0, m->seq++};
    size_t n_old, n_new;
    if (hsc__code_parse(s, (size_t)(tab - s), e.old_code, &n_old) != HSC__CODE_OK || n_old < 2)
        return bad(sink, &m->rejected, path, line, "old code is not a code of 2-12 digits");
    if (hsc__code_parse(rest, (size_t)((tab2 ? tab2 : end) - rest), e.new_code, &n_new) !=
            HSC__CODE_OK ||
        n_new < 2)
        return bad(sink, &m->rejected, path, line, "new code is not a code of 2-12 digits");
    if (tab2 != NULL) {
        e.share = parse_share(tab2 + 1, (size_t)(end - tab2 - 1));
        if (!(e.share > 0.0 && e.share <= 1.0))
            return bad(sink, &m->rejected, path, line, "share is not a number in (0, 1]");
    }
    if (m->n == m->cap) {
        hsc__code_map_entry *p = hsc__grow_array(&m->alloc, m->e, &m->cap,
                                                 m->n + 1, sizeof *p, 256);
        if (p == NULL)
            return HSC_E_NOMEM;
        m->e = p;
    }
    m->e[m->n++] = e;
    return HSC_OK;
}

int hsc__code_map_add_file(hsc__code_map *m, const hsc__row_sink *sink, const char *path)
{
    hsc__line_reader in;
    int st = hsc__lines_open(&in, &m->alloc, path);
    uint64_t line = 0;
    const char *p;
    size_t len;
    while (st == HSC_OK && (st = hsc__lines_next(&in, &p, &len)) == HSC_OK) {
        line++;
        while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
            len--;
        if (len == 0 || p[0] == '#')
            continue;   /* blank lines and comments */
        st = add_line(m, sink, path, line, p, len);
    }
    hsc__lines_close(&in);
    if (st != HSC_E_NO_DATA)
        return st;
    qsort(m->e, m->n, sizeof *m->e, by_old);
    /* Shares of each old code's rows sum to 1 (equal when none is given). */
    for (size_t i = 0; i < m->n;) {
        size_t j = i;
        double sum = 0.0;
        while (j < m->n && strcmp(m->e[j].old_code, m->e[i].old_code) == 0)
            sum += m->e[j++].share;
        for (size_t k = i; k < j; k++)
            m->e[k].share /= sum;
        i = j;
    }
    return HSC_OK;
}

/* The entries of the longest old code that starts code: *first, *count. */
static int lookup(const hsc__code_map *m, const char *code, size_t *first, size_t *count)
{
    size_t len = strlen(code);
    for (size_t l = len; l >= 2; l--) {
        char key[HSC__CODE_CAP];
        memcpy(key, code, l);
        key[l] = '\0';
        size_t lo = 0, hi = m->n;
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (strcmp(m->e[mid].old_code, key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < m->n && strcmp(m->e[lo].old_code, key) == 0) {
            size_t n = 0;
            while (lo + n < m->n && strcmp(m->e[lo + n].old_code, key) == 0)
                n++;
            *first = lo;
            *count = n;
            return 1;
        }
    }
    return 0;
}

/* The new code as a training label: cut to the training level, or why it
 * cannot be one (NULL: fine). */
static const char *as_label(const hsc__rowset *rs, const char *code, size_t *len)
{
    *len = strlen(code);
    if (rs->code_digits && *len > rs->code_digits)
        *len = rs->code_digits;
    if (rs->code_digits && *len < rs->code_digits && !hsc__short_row_kept(rs->code_digits, *len))
        return "mapped code shorter than the training level";
    return NULL;
}

int hsc__code_map_apply(const hsc__code_map *m, hsc__rowset *rs, uint64_t *mapped,
                        uint64_t *split)
{
    if (m->n == 0 || rs->n_rows == 0)
        return HSC_OK;
    size_t n0 = rs->n_rows;
    int st = HSC_OK;
    for (size_t i = 0; i < n0 && st == HSC_OK; i++) {
        size_t first, count;
        char code[HSC__CODE_CAP];
        memcpy(code, rs->codes.data + rs->rows[i].code_off, rs->rows[i].code_len);
        code[rs->rows[i].code_len] = '\0';
        if (!lookup(m, code, &first, &count))
            continue;
        (*mapped)++;
        *split += count > 1;
        hsc__row row = rs->rows[i];
        for (size_t k = 0; k < count && st == HSC_OK; k++) {
            const hsc__code_map_entry *e = &m->e[first + k];
            size_t len;
            const char *why = as_label(rs, e->new_code, &len);
            hsc__row out = row;
            out.weight = (float)(row.weight * e->share);
            if (why != NULL) {
                out.weight = 0.0f;   /* dropped below */
                char msg[96];
                snprintf(msg, sizeof msg, "%s (%s -> %s)", why, code, e->new_code);
                st = hsc__row_reject(rs->sink, &rs->rejected, "", 0, HSC_E_BAD_CODE, msg);
            }
            out.code_off = rs->codes.len;
            out.code_len = (uint32_t)len;
            if (st == HSC_OK)
                st = hsc__buf_append(&rs->alloc, &rs->codes, e->new_code, len);
            if (st == HSC_OK)
                st = hsc__buf_append(&rs->alloc, &rs->codes, "", 1);
            if (st == HSC_OK && k == 0)
                rs->rows[i] = out;
            else if (st == HSC_OK)
                st = hsc__rowset_push(rs, &out);
        }
    }
    /* rows whose new code cannot be a label go; the index follows the codes */
    size_t w = 0;
    for (size_t i = 0; i < rs->n_rows; i++)
        if (rs->rows[i].weight > 0.0f)
            rs->rows[w++] = rs->rows[i];
    rs->n_rows = w;
    int ist = hsc__rowset_reindex(rs);
    return st != HSC_OK ? st : ist;
}
