/* csv.h - delimited records for the commands that read and write tables
 * (classify --format csv, audit): RFC 4180 CSV (fields quoted with '"',
 * which may hold commas, doubled quotes and line breaks; records end in
 * CRLF or LF) and tab-separated values (no quoting: a field ends at a tab
 * or the end of the line). */
#ifndef HSCLASS_CLI_CSV_H
#define HSCLASS_CLI_CSV_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef struct csv_reader {
    FILE *f;
    char sep;            /* ',' (quoting on) or '\t' (no quoting) */
    char *buf;           /* the record's fields, each NUL-terminated */
    size_t len, cap;
    size_t *start;       /* field i begins at buf + start[i] */
    size_t n, fcap;
    uint64_t line;       /* line where the last record began (1-based) */
    uint64_t next_line;
    int bom_checked;
} csv_reader;

void csv_reader_init(csv_reader *r, FILE *f, char sep);
void csv_reader_free(csv_reader *r);
/* Read the next record, skipping blank lines. Returns 1 with a record, 0
 * at the end of the input, -1 on an unterminated quoted field (the rest of
 * the input), a read error (ferror) or no memory. A UTF-8 byte order mark
 * before the first record is dropped. */
int csv_read(csv_reader *r);
/* Field i of the record ("" with *len 0 past the last one, so a short row
 * reads as empty fields). */
const char *csv_field(const csv_reader *r, size_t i, size_t *len);
/* The column called name in a header record, or numbered name (1-based);
 * -1 when there is none. */
long csv_column(const csv_reader *header, const char *name);

/* Write one field: with sep ',', quoted (quotes doubled) when it holds a
 * comma, a quote, CR or LF; with '\t', tabs and line breaks become spaces
 * so the record stays one line. first: no separator before it. */
void csv_write_field(FILE *f, const char *s, size_t len, char sep, int first);
/* End a record: CRLF for CSV (RFC 4180), LF for TSV. */
void csv_end_record(FILE *f, char sep);

#endif
