/* model_read.c - the only .hscm decoder: a bounds-checked parser over a
 * memory buffer (see model_format.h for the layout). Order of checks:
 * header, section table and padding, section CRCs, exact-size inflate, then
 * meaning. Every failure has its own status and the byte offset where it was
 * found (for a compressed section: the section's start). Nothing is
 * published until every check has passed. */
#include <math.h>
#include <string.h>

#include <zlib.h>

#include "bytes.h"
#include "model.h"
#include "model_format.h"

/* Bounds that keep scoring finite in float: |q * scale| <= 1.3e8 and
 * logits / temperature stay far below FLT_MAX for any dim <= 1024. Trained
 * models have scales near 0.01 and temperatures in [0.25, 8]. */
#define MAX_SCALE 1e6f
#define MIN_TEMPERATURE 1e-3
#define MAX_TEMPERATURE 1e3

typedef struct rsec {
    uint32_t tag, flags;
    uint64_t offset, stored, raw;
    uint32_t crc;
    const uint8_t *p;             /* raw content: into the file or inflated */
    uint8_t *inflated;
} rsec;

typedef struct reader {
    const hsc__alloc *a;
    const uint8_t *data;
    size_t len;
    uint64_t *err;
    uint32_t n_sec;
    rsec sec[HSCM_MAX_SECTIONS];
    rsec *known[HSCM_N_KNOWN];    /* META LABL ROWS EMBD OUTW CALB */
    rsec *optional[HSCM_N_OPTIONAL]; /* NOMN NATL SCOR PREC PTXT, NULL when absent */
    uint32_t fingerprint;
    hsc_model *m;
} reader;

enum { S_META, S_LABL, S_ROWS, S_EMBD, S_OUTW, S_CALB };
static const uint32_t known_tags[HSCM_N_KNOWN] = {
    HSCM_TAG_META, HSCM_TAG_LABL, HSCM_TAG_ROWS, HSCM_TAG_EMBD, HSCM_TAG_OUTW, HSCM_TAG_CALB,
};
enum { S_NOMN, S_NATL, S_SCOR, S_PREC, S_PTXT };
static const uint32_t optional_tags[HSCM_N_OPTIONAL] = {HSCM_TAG_NOMN, HSCM_TAG_NATL,
                                                        HSCM_TAG_SCOR, HSCM_TAG_PREC,
                                                        HSCM_TAG_PTXT};

static int fail(reader *r, int status, uint64_t offset)
{
    if (r->err != NULL)
        *r->err = offset;
    return status;
}

/* File offset of byte pos in a section's raw content: exact when stored
 * raw, the section start when compressed. */
static uint64_t at(const rsec *s, size_t pos)
{
    return (s->flags & HSCM_SEC_ZLIB) ? s->offset : s->offset + pos;
}

/* ---- 1. header ----------------------------------------------------------- */

static int check_header(reader *r)
{
    const uint8_t *d = r->data;
    if (r->len < HSCM_HEADER_SIZE)
        return fail(r, HSC_E_MODEL_TRUNCATED, r->len);
    for (unsigned i = 0; i < HSCM_SIGNATURE_LEN; i++)
        if (d[i] != (uint8_t)HSCM_SIGNATURE[i])
            return fail(r, HSC_E_MODEL_SIGNATURE, i);
    uint16_t major = hsc__rd16(d + HSCM_H_MAJOR);
    if (major == 0 || major > HSCM_MAJOR)
        return fail(r, HSC_E_MODEL_VERSION, HSCM_H_MAJOR);
    if (hsc__rd32(d + HSCM_H_HEADER_SIZE) != HSCM_HEADER_SIZE)
        return fail(r, HSC_E_MODEL_LAYOUT, HSCM_H_HEADER_SIZE);
    for (unsigned i = 0; i < HSCM_H_RESERVED_LEN; i++)
        if (d[HSCM_H_RESERVED + i] != 0)
            return fail(r, HSC_E_MODEL_LAYOUT, HSCM_H_RESERVED + i);
    if (hsc__rd32(d + HSCM_H_BYTE_ORDER) != HSCM_BYTE_ORDER)
        return fail(r, HSC_E_MODEL_LAYOUT, HSCM_H_BYTE_ORDER);
    if (hsc__rd32(d + HSCM_H_CRC) != (uint32_t)crc32_z(0, d, HSCM_H_CRC))
        return fail(r, HSC_E_MODEL_CRC, HSCM_H_CRC);
    if (hsc__rd32(d + HSCM_H_REQUIRED) != 0)
        return fail(r, HSC_E_MODEL_VERSION, HSCM_H_REQUIRED);
    uint64_t size = hsc__rd64(d + HSCM_H_FILE_SIZE);
    if (size > r->len)
        return fail(r, HSC_E_MODEL_TRUNCATED, r->len);
    if (size < r->len)
        return fail(r, HSC_E_MODEL_LAYOUT, size);
    return HSC_OK;
}

/* ---- 2. section table, overlaps, padding ----------------------------------- */

static int check_entry(reader *r, const uint8_t *e, uint64_t pos, rsec *s)
{
    s->tag = hsc__rd32(e + HSCM_E_TAG);
    s->flags = hsc__rd32(e + HSCM_E_FLAGS);
    s->offset = hsc__rd64(e + HSCM_E_OFFSET);
    s->stored = hsc__rd64(e + HSCM_E_STORED);
    s->raw = hsc__rd64(e + HSCM_E_RAW);
    s->crc = hsc__rd32(e + HSCM_E_CRC);
    uint64_t end;
    if (hsc__rd32(e + HSCM_E_RESERVED) != 0)
        return fail(r, HSC_E_MODEL_LAYOUT, pos + HSCM_E_RESERVED);
    if (s->flags & ~HSCM_SEC_KNOWN_FLAGS)
        return fail(r, HSC_E_MODEL_LAYOUT, pos + HSCM_E_FLAGS);
    if (s->offset % HSCM_ALIGN != 0)
        return fail(r, HSC_E_MODEL_LAYOUT, pos + HSCM_E_OFFSET);
    if (hsc__add64_overflow(s->offset, s->stored, &end) || end > r->len)
        return fail(r, HSC_E_MODEL_LAYOUT, pos + HSCM_E_STORED);
    if (s->stored > HSCM_MAX_SECTION_RAW)
        return fail(r, HSC_E_MODEL_LIMIT, pos + HSCM_E_STORED);
    if (s->raw > HSCM_MAX_SECTION_RAW)
        return fail(r, HSC_E_MODEL_LIMIT, pos + HSCM_E_RAW);
    if (!(s->flags & HSCM_SEC_ZLIB) && s->raw != s->stored)
        return fail(r, HSC_E_MODEL_LAYOUT, pos + HSCM_E_RAW);
    if ((s->flags & HSCM_SEC_ZLIB) && s->raw > s->stored * HSCM_MAX_INFLATE_RATIO + 64)
        return fail(r, HSC_E_MODEL_INFLATE, pos + HSCM_E_RAW);
    for (unsigned k = 0; k < HSCM_N_KNOWN; k++) {
        if (s->tag != known_tags[k])
            continue;
        if (r->known[k] != NULL)
            return fail(r, HSC_E_MODEL_SECTION, pos + HSCM_E_TAG);
        if (!(s->flags & HSCM_SEC_CRITICAL))   /* all v1 sections are */
            return fail(r, HSC_E_MODEL_SECTION, pos + HSCM_E_FLAGS);
        r->known[k] = s;
        return HSC_OK;
    }
    for (unsigned k = 0; k < HSCM_N_OPTIONAL; k++) {
        if (s->tag != optional_tags[k])
            continue;
        if (r->optional[k] != NULL)   /* either flag is fine: we know it */
            return fail(r, HSC_E_MODEL_SECTION, pos + HSCM_E_TAG);
        r->optional[k] = s;
        return HSC_OK;
    }
    if (s->flags & HSCM_SEC_CRITICAL)
        return fail(r, HSC_E_MODEL_SECTION, pos + HSCM_E_TAG);
    return HSC_OK;
}

typedef struct region {
    uint64_t start, end;
    int has_crc;          /* a section: its (soon verified) CRC is known */
    uint32_t crc;
} region;

/* Regions sorted by start must not overlap; gaps must be zero. The walk
 * also yields the whole-file CRC from the parts, so the fingerprint costs no
 * second pass over the weights. */
static int check_regions(reader *r, region *g, uint32_t n)
{
    for (uint32_t i = 1; i < n; i++)   /* n <= 34: insertion sort */
        for (uint32_t j = i; j > 0 && g[j - 1].start > g[j].start; j--) {
            region t = g[j];
            g[j] = g[j - 1];
            g[j - 1] = t;
        }
    uLong crc = 0;
    uint64_t pos = 0;
    for (uint32_t i = 0; i <= n; i++) {
        uint64_t next = i < n ? g[i].start : r->len;
        if (next < pos)
            return fail(r, HSC_E_MODEL_LAYOUT, next);
        for (uint64_t k = pos; k < next; k++)
            if (r->data[k] != 0)
                return fail(r, HSC_E_MODEL_LAYOUT, k);
        if (next > pos)
            crc = crc32_combine(crc, crc32_z(0, r->data + pos, (size_t)(next - pos)),
                                (z_off_t)(next - pos));
        if (i == n)
            break;
        size_t glen = (size_t)(g[i].end - g[i].start);
        uLong part = g[i].has_crc ? g[i].crc : crc32_z(0, r->data + g[i].start, glen);
        if (glen > 0)
            crc = crc32_combine(crc, part, (z_off_t)glen);
        pos = g[i].end;
    }
    r->fingerprint = (uint32_t)crc;
    return HSC_OK;
}

static int check_table(reader *r)
{
    const uint8_t *d = r->data;
    if (hsc__rd32(d + HSCM_H_ENTRY_SIZE) != HSCM_ENTRY_SIZE)
        return fail(r, HSC_E_MODEL_LAYOUT, HSCM_H_ENTRY_SIZE);
    uint32_t count = hsc__rd32(d + HSCM_H_SECTION_COUNT);
    if (count > HSCM_MAX_SECTIONS)
        return fail(r, HSC_E_MODEL_LIMIT, HSCM_H_SECTION_COUNT);
    uint64_t table = hsc__rd64(d + HSCM_H_TABLE_OFFSET), table_end;
    if (table % HSCM_ALIGN != 0 || table < HSCM_HEADER_SIZE ||
        hsc__add64_overflow(table, (uint64_t)count * HSCM_ENTRY_SIZE, &table_end) ||
        table_end > r->len)
        return fail(r, HSC_E_MODEL_LAYOUT, HSCM_H_TABLE_OFFSET);

    region g[HSCM_MAX_SECTIONS + 2];
    g[0] = (region){0, HSCM_HEADER_SIZE, 0, 0};
    g[1] = (region){table, table_end, 0, 0};
    r->n_sec = count;
    for (uint32_t i = 0; i < count; i++) {
        uint64_t pos = table + (uint64_t)i * HSCM_ENTRY_SIZE;
        rsec *s = &r->sec[i];
        int st = check_entry(r, d + pos, pos, s);
        if (st != HSC_OK)
            return st;
        g[2 + i] = (region){s->offset, s->offset + s->stored, 1, s->crc};
    }
    for (unsigned k = 0; k < HSCM_N_KNOWN; k++)
        if (r->known[k] == NULL)
            return fail(r, HSC_E_MODEL_SECTION, HSCM_H_SECTION_COUNT);
    return check_regions(r, g, count + 2);
}

/* ---- 3-4. CRCs and exact-size inflate ------------------------------------ */

/* Inflate stored bytes to exactly raw bytes (+1 zero byte) into *out:
 * HSC_E_MODEL_INFLATE when they do not, HSC_E_NOMEM. */
static int inflate_exact(const hsc__alloc *a, const uint8_t *in, size_t stored, size_t raw,
                         uint8_t **out)
{
    *out = hsc__calloc(a, raw + 1, 1);
    if (*out == NULL)
        return HSC_E_NOMEM;
    z_stream zs;
    memset(&zs, 0, sizeof zs);
    zs.zalloc = hsc__zalloc;
    zs.zfree = hsc__zfree;
    zs.opaque = (void *)(uintptr_t)a;
    int zst = inflateInit(&zs);
    if (zst == Z_MEM_ERROR)
        return HSC_E_NOMEM;
    if (zst != Z_OK)
        return HSC_E_INTERNAL;
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)stored;
    zs.next_out = *out;
    zs.avail_out = (uInt)raw;
    zst = inflate(&zs, Z_FINISH);
    int ok = zst == Z_STREAM_END && zs.total_out == raw && zs.avail_in == 0;
    inflateEnd(&zs);
    if (zst == Z_MEM_ERROR)
        return HSC_E_NOMEM;
    return ok ? HSC_OK : HSC_E_MODEL_INFLATE;
}

static int inflate_section(reader *r, rsec *s)
{
    int st = inflate_exact(r->a, r->data + s->offset, (size_t)s->stored, (size_t)s->raw,
                           &s->inflated);
    if (st == HSC_E_MODEL_INFLATE)
        return fail(r, st, s->offset);
    s->p = s->inflated;
    return st;
}

static int check_sections(reader *r)
{
    for (uint32_t i = 0; i < r->n_sec; i++) {
        rsec *s = &r->sec[i];
        if ((uint32_t)crc32_z(0, r->data + s->offset, (size_t)s->stored) != s->crc)
            return fail(r, HSC_E_MODEL_CRC, s->offset);
    }
    for (unsigned k = 0; k < HSCM_N_KNOWN + HSCM_N_OPTIONAL; k++) {
        rsec *s = k < HSCM_N_KNOWN ? r->known[k] : r->optional[k - HSCM_N_KNOWN];
        if (s == NULL || s == r->optional[S_NOMN] || s == r->optional[S_NATL])
            continue;   /* the tables are inflated on first use */
        s->p = r->data + s->offset;
        if (s->flags & HSCM_SEC_ZLIB) {
            int st = inflate_section(r, s);
            if (st != HSC_OK)
                return st;
        }
    }
    return HSC_OK;
}

/* ---- 5. meaning ------------------------------------------------------------ */

static int parse_meta(reader *r)
{
    const rsec *s = r->known[S_META];
    hsc_model *m = r->m;
    size_t n = (size_t)s->raw, pos = 4;
    if (n < 4)
        return fail(r, HSC_E_MODEL_SECTION, at(s, 0));
    uint32_t count = hsc__rd32(s->p);
    if (count > HSCM_MAX_META)
        return fail(r, HSC_E_MODEL_LIMIT, at(s, 0));
    m->meta = hsc__calloc(r->a, count, sizeof *m->meta);
    if (m->meta == NULL)
        return HSC_E_NOMEM;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t len[2];
        m->n_meta = i + 1;   /* entry i is freed even when half-built */
        char **dst[2] = {&m->meta[i].key, &m->meta[i].value};
        for (int f = 0; f < 2; f++) {
            if (n - pos < 4)
                return fail(r, HSC_E_MODEL_SECTION, at(s, pos));
            len[f] = hsc__rd32(s->p + pos);
            pos += 4;
            if (len[f] > (f == 0 ? HSCM_MAX_META_KEY : HSCM_MAX_META_VALUE))
                return fail(r, HSC_E_MODEL_LIMIT, at(s, pos - 4));
            if (n - pos < len[f])
                return fail(r, HSC_E_MODEL_SECTION, at(s, pos));
            const char *str = (const char *)s->p + pos;
            size_t bad;
            if (f == 0 ? !hsc__meta_key_valid(str, len[f])
                       : (memchr(str, 0, len[f]) != NULL ||
                          hsc__utf8_validate(str, len[f], &bad) != HSC_OK))
                return fail(r, HSC_E_MODEL_VALUE, at(s, pos));
            *dst[f] = hsc__strndup(r->a, str, len[f]);
            if (*dst[f] == NULL)
                return HSC_E_NOMEM;
            pos += len[f];
        }
        if (i > 0 && strcmp(m->meta[i - 1].key, m->meta[i].key) >= 0)
            return fail(r, HSC_E_MODEL_VALUE, at(s, pos));
    }
    if (pos != n)
        return fail(r, HSC_E_MODEL_SECTION, at(s, pos));
    return HSC_OK;
}

/* META -> the model's spec and dim (model_meta.c). */
static int check_meta(reader *r)
{
    int st = hsc__meta_read_spec(r->m);
    return st == HSC_OK ? st : fail(r, st, r->known[S_META]->offset);
}

static int parse_labels(reader *r)
{
    const rsec *s = r->known[S_LABL];
    hsc_model *m = r->m;
    size_t n = (size_t)s->raw;
    if (n < 4)
        return fail(r, HSC_E_MODEL_SECTION, at(s, 0));
    uint32_t count = hsc__rd32(s->p);
    if (count > HSCM_MAX_LABELS)
        return fail(r, HSC_E_MODEL_LIMIT, at(s, 0));
    if (count == 0)
        return fail(r, HSC_E_MODEL_VALUE, at(s, 0));
    size_t pool = 8 + (size_t)count * 4;   /* after the offsets */
    if (n < pool || hsc__rd32(s->p + 4) != 0)
        return fail(r, HSC_E_MODEL_SECTION, at(s, 4));
    size_t pool_len = hsc__rd32(s->p + pool - 4);
    if (n - pool != pool_len)
        return fail(r, HSC_E_MODEL_SECTION, at(s, pool - 4));
    m->label_pool = hsc__calloc(r->a, pool_len + count, 1);
    m->labels = hsc__calloc(r->a, count, sizeof *m->labels);
    if (m->label_pool == NULL || m->labels == NULL)
        return HSC_E_NOMEM;
    const uint8_t *codes = s->p + pool;
    char *dst = m->label_pool;
    for (uint32_t i = 0; i < count; i++) {
        uint32_t lo = hsc__rd32(s->p + 4 + 4 * (size_t)i);
        uint32_t hi = hsc__rd32(s->p + 8 + 4 * (size_t)i);
        if (hi < lo || hi > pool_len || hi - lo < HSCM_MIN_CODE_DIGITS ||
            hi - lo > HSCM_MAX_CODE_DIGITS)
            return fail(r, HSC_E_MODEL_VALUE, at(s, 8 + 4 * (size_t)i));
        for (uint32_t k = lo; k < hi; k++)
            if (codes[k] < '0' || codes[k] > '9')
                return fail(r, HSC_E_MODEL_VALUE, at(s, pool + k));
        memcpy(dst, codes + lo, hi - lo);
        m->labels[i] = dst;
        dst += hi - lo + 1;
        if (i > 0 && strcmp(m->labels[i - 1], m->labels[i]) >= 0)
            return fail(r, HSC_E_MODEL_VALUE, at(s, pool + lo));
    }
    m->n_labels = count;
    int st = hsc__tree_build(r->a, (const char *const *)m->labels, count, &m->tree);
    if (st == HSC_E_INVALID_ARG)
        return fail(r, HSC_E_MODEL_VALUE, at(s, 0));
    if (st != HSC_OK)
        return st;
    if (hsc__meta_check_labels(m) != HSC_OK)
        return fail(r, HSC_E_MODEL_VALUE, r->known[S_META]->offset);
    return HSC_OK;
}

static int parse_rows(reader *r)
{
    const rsec *s = r->known[S_ROWS];
    hsc_model *m = r->m;
    size_t n = (size_t)s->raw;
    if (n < 4)
        return fail(r, HSC_E_MODEL_SECTION, at(s, 0));
    uint32_t count = hsc__rd32(s->p);
    if (count > HSCM_MAX_ROWS)
        return fail(r, HSC_E_MODEL_LIMIT, at(s, 0));
    if (n != 4 + (size_t)count * 4)
        return fail(r, HSC_E_MODEL_SECTION, at(s, 0));
    if (count > m->spec.buckets)
        return fail(r, HSC_E_MODEL_VALUE, at(s, 0));
    m->row_bucket = hsc__calloc(r->a, (size_t)count + 1, sizeof *m->row_bucket);
    if (m->row_bucket == NULL)
        return HSC_E_NOMEM;
    uint64_t b = 0;   /* sums of u32 gaps: no overflow in 64 bits */
    for (uint32_t i = 0; i < count; i++) {
        uint32_t gap = hsc__rd32(s->p + 4 + 4 * (size_t)i);
        b += gap;
        if ((i > 0 && gap == 0) || b >= m->spec.buckets)
            return fail(r, HSC_E_MODEL_VALUE, at(s, 4 + 4 * (size_t)i));
        m->row_bucket[i] = (uint32_t)b;
    }
    m->n_rows = count;
    return hsc__model_index_rows(m);
}

/* EMBD / OUTW: n rows of dim int8 with one f32 scale each. */
static int parse_matrix(reader *r, unsigned which, uint32_t want_rows, int borrow, int8_t **q,
                        float **scale)
{
    const rsec *s = r->known[which];
    size_t n = (size_t)s->raw;
    if (n < 8)
        return fail(r, HSC_E_MODEL_SECTION, at(s, 0));
    uint32_t rows = hsc__rd32(s->p), dim = hsc__rd32(s->p + 4);
    uint32_t limit = which == S_EMBD ? HSCM_MAX_ROWS : 1 + 7 * HSCM_MAX_LABELS;
    if (rows > limit)
        return fail(r, HSC_E_MODEL_LIMIT, at(s, 0));
    if (dim > HSCM_MAX_DIM)
        return fail(r, HSC_E_MODEL_LIMIT, at(s, 4));
    /* rows < 2^26 and dim <= 2^10: the size fits in 64 bits */
    uint64_t want = 8 + (uint64_t)rows * 4 + (uint64_t)rows * dim;
    if (want != s->raw)
        return fail(r, HSC_E_MODEL_SECTION, at(s, 0));
    if (rows != want_rows || dim != r->m->dim)
        return fail(r, HSC_E_MODEL_VALUE, at(s, 0));
    size_t n_q = (size_t)rows * dim;
    *scale = hsc__calloc(r->a, (size_t)rows + 1, sizeof **scale);
    if (*scale == NULL)
        return HSC_E_NOMEM;
    for (uint32_t i = 0; i < rows; i++) {
        float v = hsc__rdf32(s->p + 8 + 4 * (size_t)i);
        if (!isfinite(v) || v < 0.0f || v > MAX_SCALE)
            return fail(r, HSC_E_MODEL_VALUE, at(s, 8 + 4 * (size_t)i));
        (*scale)[i] = v;
    }
    const uint8_t *src = s->p + 8 + 4 * (size_t)rows;
    if (borrow) {
        *q = (int8_t *)(uintptr_t)src;
    } else {
        *q = hsc__calloc(r->a, n_q + 1, 1);
        if (*q == NULL)
            return HSC_E_NOMEM;
        memcpy(*q, src, n_q);
    }
    return HSC_OK;
}

static int parse_calib(reader *r)
{
    const rsec *s = r->known[S_CALB];
    if (s->raw != 16)
        return fail(r, HSC_E_MODEL_SECTION, at(s, 0));
    double t = hsc__rdf64(s->p), acc = hsc__rdf64(s->p + 8);
    if (!(t >= MIN_TEMPERATURE && t <= MAX_TEMPERATURE))
        return fail(r, HSC_E_MODEL_VALUE, at(s, 0));
    if (!(acc >= 0.0 && acc <= 1.0))
        return fail(r, HSC_E_MODEL_VALUE, at(s, 8));
    r->m->temperature = t;
    r->m->accept_threshold = acc;
    return HSC_OK;
}

/* NOMN and NATL, when present, are kept as stored; hsc__model_tables
 * decodes them on first use. */
static void keep_tables(reader *r)
{
    hsc__lazy_sec *dst[2] = {&r->m->nomn_src, &r->m->natl_src};
    const rsec *src[2] = {r->optional[S_NOMN], r->optional[S_NATL]};
    for (int i = 0; i < 2; i++)
        if (src[i] != NULL)
            *dst[i] = (hsc__lazy_sec){r->data + src[i]->offset, (size_t)src[i]->stored,
                                      (size_t)src[i]->raw, (src[i]->flags & HSCM_SEC_ZLIB) != 0,
                                      src[i]->offset};
}

int hsc__lazy_sec_bytes(const hsc_model *m, const hsc__lazy_sec *s, const uint8_t **p,
                        uint8_t **tmp)
{
    *tmp = NULL;
    *p = s->p;
    if (!s->zlib)
        return HSC_OK;
    int st = inflate_exact(&m->alloc, s->p, s->stored, s->raw, tmp);
    *p = *tmp;
    return st;
}

static int read_tables(const hsc_model *m, hsc__tables *out)
{
    memset(out, 0, sizeof *out);
    const uint8_t *p;
    uint8_t *tmp;
    size_t bad;
    int st = HSC_OK;
    if (m->nomn_src.p != NULL) {
        st = hsc__lazy_sec_bytes(m, &m->nomn_src, &p, &tmp);
        if (st == HSC_OK)
            st = hsc__nomen_decode(&m->alloc, p, m->nomn_src.raw, &out->nomen, &bad);
        hsc__free(&m->alloc, tmp);
    }
    if (st == HSC_OK && m->natl_src.p != NULL) {
        st = hsc__lazy_sec_bytes(m, &m->natl_src, &p, &tmp);
        if (st == HSC_OK)
            st = hsc__natl_decode(&m->alloc, p, m->natl_src.raw, &out->natl, &bad);
        hsc__free(&m->alloc, tmp);
    }
    return st;
}

int hsc__model_tables(const hsc_model *m, const hsc__tables **out)
{
    /* The model is shared read-only between threads; this pointer is its
     * one field set after loading (once, atomically). m is never a const
     * object: every model is allocated by hsc__model_new. */
    _Atomic(hsc__tables *) *slot = (_Atomic(hsc__tables *) *)(uintptr_t)&m->tables;
    hsc__tables *t = atomic_load_explicit(slot, memory_order_acquire);
    if (t == NULL) {
        hsc__tables *mine = hsc__calloc(&m->alloc, 1, sizeof *mine);
        if (mine == NULL)
            return HSC_E_NOMEM;
        int st = read_tables(m, mine);
        if (st != HSC_OK) {
            hsc__tables_free(&m->alloc, mine);   /* and what was half-decoded */
            return st;
        }
        t = mine;
        hsc__tables *seen = NULL;
        if (!atomic_compare_exchange_strong_explicit(slot, &seen, mine, memory_order_acq_rel,
                                                     memory_order_acquire)) {
            hsc__tables_free(&m->alloc, mine);   /* another thread was first */
            t = seen;
        }
    }
    *out = t;
    return HSC_OK;
}

/* SCOR, PREC and PTXT, when present (precedent.c checks the memory). */
static int parse_scoring(reader *r)
{
    hsc_model *m = r->m;
    const rsec *s = r->optional[S_SCOR];
    if (s != NULL) {
        if (s->raw != 20)
            return fail(r, HSC_E_MODEL_SECTION, at(s, 0));
        double mix = hsc__rdf64(s->p + 4), power = hsc__rdf64(s->p + 12);
        if (hsc__rd32(s->p) != HSCM_SCOR_VERSION)
            return fail(r, HSC_E_MODEL_VERSION, at(s, 0));
        if (!(mix >= 0.0 && mix < 1.0))
            return fail(r, HSC_E_MODEL_VALUE, at(s, 4));
        if (!(power >= HSCM_MIN_POWER && power <= HSCM_MAX_POWER))
            return fail(r, HSC_E_MODEL_VALUE, at(s, 12));
        m->scoring = (hsc__scoring){1, mix, power};
    }
    s = r->optional[S_PREC];
    if (s == NULL)
        return r->optional[S_PTXT] != NULL ? fail(r, HSC_E_MODEL_SECTION, r->optional[S_PTXT]->offset)
                                           : HSC_OK;
    size_t bad = 0;
    int st = hsc__prec_decode(r->a, s->p, (size_t)s->raw, m->n_labels,
                              !(s->flags & HSCM_SEC_ZLIB), &m->prec, &bad);
    if (st != HSC_OK)
        return st == HSC_E_NOMEM ? st : fail(r, st, at(s, bad));
    s = r->optional[S_PTXT];
    if (s != NULL) {
        st = hsc__prec_texts_decode(r->a, s->p, (size_t)s->raw, &m->prec, &bad);
        if (st != HSC_OK)
            return st == HSC_E_NOMEM ? st : fail(r, st, at(s, bad));
    }
    return HSC_OK;
}

/* ---- driver ----------------------------------------------------------------- */

static int parse_all(reader *r)
{
    int st = check_header(r);
    if (st == HSC_OK)
        st = check_table(r);
    if (st == HSC_OK)
        st = check_sections(r);
    if (st == HSC_OK)
        st = parse_meta(r);
    if (st == HSC_OK)
        st = check_meta(r);
    if (st == HSC_OK)
        st = parse_labels(r);
    if (st == HSC_OK)
        st = parse_rows(r);
    if (st != HSC_OK)
        return st;
    hsc_model *m = r->m;
    /* Use the int8 matrices in place when both lie raw in the file. */
    int borrow = !(r->known[S_EMBD]->flags & HSCM_SEC_ZLIB) &&
                 !(r->known[S_OUTW]->flags & HSCM_SEC_ZLIB);
    m->owns_q = !borrow;
    st = parse_matrix(r, S_EMBD, m->n_rows, borrow, &m->row_q, &m->row_scale);
    if (st == HSC_OK)
        st = parse_matrix(r, S_OUTW, m->tree.n_nodes, borrow, &m->out_q, &m->out_scale);
    if (st == HSC_OK)
        st = parse_calib(r);
    if (st == HSC_OK)
        keep_tables(r);
    if (st == HSC_OK)
        st = parse_scoring(r);
    m->fingerprint = r->fingerprint;
    if (st == HSC_OK)
        st = hsc__meta_derive_info(m, hsc__rd16(r->data + HSCM_H_MAJOR),
                                   hsc__rd16(r->data + HSCM_H_MINOR));
    return st;
}

int hsc__model_parse(const hsc__alloc *a, const uint8_t *data, size_t len, hsc_model **out,
                     uint64_t *err_offset)
{
    if (out != NULL)
        *out = NULL;
    if (err_offset != NULL)
        *err_offset = 0;
    if (a == NULL || out == NULL || (data == NULL && len > 0))
        return HSC_E_INVALID_ARG;
    reader r;
    memset(&r, 0, sizeof r);
    r.a = a;
    r.data = data;
    r.len = len;
    r.err = err_offset;
    int st = hsc__model_new(a, &r.m);
    if (st == HSC_OK)
        st = parse_all(&r);
    for (uint32_t i = 0; i < r.n_sec; i++)
        hsc__free(a, r.sec[i].inflated);
    if (st != HSC_OK) {
        if (r.m != NULL)
            hsc__model_release(r.m);
        return st;
    }
    *out = r.m;
    return HSC_OK;
}
