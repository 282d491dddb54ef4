/* csv.c - delimited records (see csv.h). */
#include "csv.h"

#include <stdlib.h>
#include <string.h>

void csv_reader_init(csv_reader *r, FILE *f, char sep)
{
    memset(r, 0, sizeof *r);
    r->f = f;
    r->sep = sep;
    r->next_line = 1;
}

void csv_reader_free(csv_reader *r)
{
    free(r->buf);
    free(r->start);
    memset(r, 0, sizeof *r);
}

static int put(csv_reader *r, char c)
{
    if (r->len == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        char *b = realloc(r->buf, cap);
        if (b == NULL)
            return 0;
        r->buf = b;
        r->cap = cap;
    }
    r->buf[r->len++] = c;
    return 1;
}

static int new_field(csv_reader *r)
{
    if (r->n == r->fcap) {
        size_t cap = r->fcap ? r->fcap * 2 : 16;
        size_t *s = realloc(r->start, cap * sizeof *s);
        if (s == NULL)
            return 0;
        r->start = s;
        r->fcap = cap;
    }
    r->start[r->n++] = r->len;
    return 1;
}

/* One record into buf/start; 1, 0 at the end, -1 on error. */
static int read_record(csv_reader *r)
{
    r->len = 0;
    r->n = 0;
    r->line = r->next_line;
    int c = getc(r->f);
    if (c == EOF)
        return ferror(r->f) ? -1 : 0;
    if (!new_field(r))
        return -1;
    int quoted = 0, was_quoted = 0;
    for (;; c = getc(r->f)) {
        if (c == EOF) {
            if (ferror(r->f) || quoted)
                return -1;
            break;
        }
        if (quoted) {
            if (c == '"') {
                int next = getc(r->f);
                if (next == '"') {
                    if (!put(r, '"'))
                        return -1;
                    continue;
                }
                quoted = 0;
                if (next != EOF)
                    ungetc(next, r->f);
                continue;
            }
            if (c == '\n')
                r->next_line++;
            if (!put(r, (char)c))
                return -1;
            continue;
        }
        if (c == '\n') {
            r->next_line++;
            break;
        }
        if (c == (unsigned char)r->sep) {
            if (!put(r, '\0') || !new_field(r))
                return -1;
            was_quoted = 0;
            continue;
        }
        /* A quote opens a quoted field only at its start (RFC 4180); a
         * stray one inside an unquoted field is kept as text. */
        if (c == '"' && r->sep == ',' && !was_quoted && r->len == r->start[r->n - 1]) {
            quoted = was_quoted = 1;
            continue;
        }
        if (!put(r, (char)c))
            return -1;
    }
    /* The CR of a CRLF ending belongs to no field. */
    if (r->len > r->start[r->n - 1] && r->buf[r->len - 1] == '\r')
        r->len--;
    return put(r, '\0') ? 1 : -1;
}

int csv_read(csv_reader *r)
{
    for (;;) {
        int st = read_record(r);
        if (st != 1)
            return st;
        if (!r->bom_checked) {
            r->bom_checked = 1;
            if (r->len >= 4 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) {
                memmove(r->buf, r->buf + 3, r->len - 3);
                r->len -= 3;
                for (size_t i = 1; i < r->n; i++)
                    r->start[i] -= 3;
            }
        }
        if (r->n > 1 || r->buf[0] != '\0')
            return 1;   /* else a blank line */
    }
}

const char *csv_field(const csv_reader *r, size_t i, size_t *len)
{
    if (i >= r->n) {
        *len = 0;
        return "";
    }
    size_t end = i + 1 < r->n ? r->start[i + 1] - 1 : r->len - 1;
    *len = end - r->start[i];
    return r->buf + r->start[i];
}

long csv_column(const csv_reader *header, const char *name)
{
    for (size_t i = 0; i < header->n; i++) {
        size_t len;
        const char *f = csv_field(header, i, &len);
        if (len == strlen(name) && memcmp(f, name, len) == 0)
            return (long)i;
    }
    char *end;
    unsigned long k = strtoul(name, &end, 10);
    if (*name >= '1' && *name <= '9' && *end == '\0' && k <= header->n)
        return (long)k - 1;
    return -1;
}

void csv_write_field(FILE *f, const char *s, size_t len, char sep, int first)
{
    if (!first)
        putc(sep, f);
    if (sep != ',') {
        for (size_t i = 0; i < len; i++)
            putc(s[i] == '\t' || s[i] == '\n' || s[i] == '\r' ? ' ' : s[i], f);
        return;
    }
    int quote = 0;
    for (size_t i = 0; i < len && !quote; i++)
        quote = s[i] == ',' || s[i] == '"' || s[i] == '\r' || s[i] == '\n';
    if (!quote) {
        fwrite(s, 1, len, f);
        return;
    }
    putc('"', f);
    for (size_t i = 0; i < len; i++) {
        if (s[i] == '"')
            putc('"', f);
        putc(s[i], f);
    }
    putc('"', f);
}

void csv_end_record(FILE *f, char sep)
{
    fputs(sep == ',' ? "\r\n" : "\n", f);
}
