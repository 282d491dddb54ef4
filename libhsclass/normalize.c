/* normalize.c - NFKC + case folding (+ accent stripping) with a map back to
 * source offsets.
 *
 * utf8proc_map() would allocate with malloc and lose the source positions,
 * so text is processed in segments: a starter (combining class 0) plus the
 * non-starters after it. Each source code point is decomposed with
 * utf8proc_decompose_char (compatibility + case fold + lump + drop default
 * ignorables), the segment is put in canonical order and recomposed with
 * utf8proc_normalize_utf32. Every output byte maps to its segment's first
 * source byte. Segments are capped at SEG_MAX code points (the Unicode
 * stream-safe limit), which bounds the work on hostile runs of marks.
 *
 * Accent stripping removes the combining diacritical marks (U+0300-036F and
 * the supplement/extended blocks) after decomposition, and folds the Latin
 * letters that carry a "stroke" or ligature without decomposing (ae, oe, o,
 * d, l, dotless i), so "désossée", "desossee" and "bœuf"/"boeuf" meet. Marks
 * of other scripts (Devanagari, Thai vowel signs) are kept: they are letters
 * there, not accents. */
#include <string.h>
#include <utf8proc.h>

#include "text.h"

#define SEG_MAX 32
#define MARK 64       /* map entries between two absolute ones */
#define FAR 255u      /* a step too large for its byte */
#define SEG_CAP (SEG_MAX + 64)
#define TMP_CAP 64

#define DECOMP_OPTS                                                                      \
    ((utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_DECOMPOSE |        \
                         UTF8PROC_CASEFOLD | UTF8PROC_IGNORE | UTF8PROC_LUMP))
#define COMPOSE_OPTS ((utf8proc_option_t)(UTF8PROC_STABLE | UTF8PROC_COMPOSE))

typedef struct seg {
    utf8proc_int32_t cp[SEG_CAP];
    size_t n;
    size_t src;     /* source offset of the segment's first byte */
    int open;
} seg;

static int is_diacritic(int32_t c)
{
    return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) ||
           (c >= 0x1DC0 && c <= 0x1DFF) || (c >= 0x20D0 && c <= 0x20FF) ||
           (c >= 0xFE20 && c <= 0xFE2F);
}

/* Latin letters that NFKD leaves alone but readers treat as accented. */
static const char *latin_fold(int32_t c)
{
    switch (c) {
    case 0x00E6: return "ae";   /* æ */
    case 0x0153: return "oe";   /* œ */
    case 0x00F8: return "o";    /* ø */
    case 0x0111: return "d";    /* đ */
    case 0x00F0: return "d";    /* ð */
    case 0x0142: return "l";    /* ł */
    case 0x0131: return "i";    /* ı */
    case 0x0127: return "h";    /* ħ */
    default: return NULL;
    }
}

static int ccc(int32_t c)
{
    return c < 0x300 ? 0 : utf8proc_get_property(c)->combining_class;
}

static int ensure(const hsc__alloc *a, hsc__norm *o, size_t extra)
{
    int st = hsc__buf_reserve(a, &o->text, extra);
    if (st != HSC_OK)
        return st;
    if (o->map_cap < o->text.cap) {
        uint8_t *sp = hsc__realloc(a, o->step, o->text.cap);
        if (sp != NULL)
            o->step = sp;
        uint32_t *mk = hsc__realloc_array(a, o->mark, o->text.cap / MARK + 1, sizeof *mk);
        if (mk != NULL)
            o->mark = mk;
        if (sp == NULL || mk == NULL)
            return HSC_E_NOMEM;
        o->map_cap = o->text.cap;
    }
    return HSC_OK;
}

/* map[i] = v, for i = the next entry (room made by ensure). Normalized
 * offsets are 32-bit like the source's: a text NFKC swells past 4 GiB is
 * too long. */
static int map_put(const hsc__alloc *a, hsc__norm *o, size_t i, uint32_t v)
{
    if (i >= UINT32_MAX)
        return HSC_E_TEXT_TOO_LONG;
    uint32_t d = i == 0 ? v : v - o->last;   /* source offsets never go back */
    if (i % MARK == 0)
        o->mark[i / MARK] = v;
    o->last = v;
    if (d < FAR) {
        o->step[i] = (uint8_t)d;
        return HSC_OK;
    }
    if (o->n_far == o->far_cap) {
        uint32_t *f = hsc__grow_array(a, o->far, &o->far_cap, o->n_far + 1, 2 * sizeof *f, 16);
        if (f == NULL)
            return HSC_E_NOMEM;
        o->far = f;
    }
    o->step[i] = FAR;
    o->far[2 * o->n_far] = (uint32_t)i;
    o->far[2 * o->n_far + 1] = v;
    o->n_far++;
    return HSC_OK;
}

static uint32_t far_at(const hsc__norm *n, size_t i)
{
    size_t lo = 0, hi = n->n_far;
    while (lo + 1 < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (n->far[2 * mid] <= i)
            lo = mid;
        else
            hi = mid;
    }
    return n->far[2 * lo + 1];   /* step[i] is FAR: i is there */
}

/* map[i], walked from map[from] = v when that is nearer than i's mark
 * (from <= i; from = SIZE_MAX: from the mark). */
static uint32_t map_from(const hsc__norm *n, size_t i, size_t from, uint32_t v)
{
    size_t k = i / MARK * MARK;
    if (from != SIZE_MAX && from >= k)
        k = from;
    else
        v = n->mark[i / MARK];
    while (k < i) {
        k++;
        v = n->step[k] == FAR ? far_at(n, k) : v + n->step[k];
    }
    return v;
}

static uint32_t map_at(const hsc__norm *n, size_t i)
{
    return map_from(n, i, SIZE_MAX, 0);
}

static int flush(const hsc__alloc *a, seg *g, hsc__norm *o)
{
    utf8proc_ssize_t n;
    int st;

    if (!g->open)
        return HSC_OK;
    g->open = 0;
    if (g->n == 0)
        return HSC_OK;
    /* Canonical ordering: stable sort of each run of non-starters. */
    for (size_t i = 1; i < g->n; i++) {
        int32_t c = g->cp[i];
        int k = ccc(c);
        size_t j = i;
        if (k == 0)
            continue;
        while (j > 0 && ccc(g->cp[j - 1]) > k) {
            g->cp[j] = g->cp[j - 1];
            j--;
        }
        g->cp[j] = c;
    }
    n = g->n > 1 ? utf8proc_normalize_utf32(g->cp, (utf8proc_ssize_t)g->n, COMPOSE_OPTS)
                 : (utf8proc_ssize_t)g->n;
    if (n < 0)
        return HSC_E_INTERNAL;
    st = ensure(a, o, (size_t)n * 4);
    if (st != HSC_OK)
        return st;
    for (utf8proc_ssize_t i = 0; i < n; i++) {
        size_t k = hsc__utf8_encode((uint32_t)g->cp[i], o->text.data + o->text.len);
        for (size_t j = 0; j < k && st == HSC_OK; j++)
            st = map_put(a, o, o->text.len + j, (uint32_t)g->src);
        if (st != HSC_OK)
            return st;
        o->text.len += k;
    }
    o->text.data[o->text.len] = '\0';
    g->n = 0;
    return HSC_OK;
}

static void push(seg *g, const utf8proc_int32_t *cp, size_t n, uint32_t strip)
{
    for (size_t i = 0; i < n; i++) {
        int32_t c = cp[i];
        const char *f;
        if (strip && is_diacritic(c))
            continue;
        if (strip && (f = latin_fold(c)) != NULL) {
            while (*f != '\0')
                g->cp[g->n++] = *f++;
            continue;
        }
        g->cp[g->n++] = c < 0x20 || c == 0x7F ? ' ' : c;
    }
}

/* A segment starts at an ASCII byte or at a code point whose decomposition
 * starts with a starter: what comes before it never changes what it
 * gives, nor the other way round. */
static int starts_segment(const char *s, size_t len, size_t i)
{
    utf8proc_int32_t tmp[TMP_CAP];
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80)
        return 1;
    if (c < 0xC0)
        return 0;   /* a continuation byte */
    utf8proc_int32_t cp = (utf8proc_int32_t)hsc__utf8_decode_repair(s, len, &i);
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, tmp, TMP_CAP, DECOMP_OPTS, NULL);
    return n > 0 && n <= TMP_CAP && ccc(tmp[0]) == 0;
}

size_t hsc__norm_cut(const char *s, size_t len, size_t from)
{
    while (from < len && !starts_segment(s, len, from))
        from++;
    return from < len ? from : len;
}

void hsc__norm_reset(hsc__norm *o)
{
    o->text.len = 0;
    o->n_far = 0;
}

int hsc__norm_add(const hsc__alloc *a, const char *s, size_t from, size_t len, uint32_t strip,
                  hsc__norm *o)
{
    seg g;
    size_t i = from;
    int st;

    if (len > UINT32_MAX - 1)
        return HSC_E_TEXT_TOO_LONG;
    if (o->text.len > 0) {   /* the end entry of the last call is the first one now */
        o->last = o->end_prev;
        if (o->n_far > 0 && o->far[2 * (o->n_far - 1)] == o->text.len)
            o->n_far--;
    }
    g.n = 0;
    g.open = 0;
    g.src = from;
    st = ensure(a, o, len - from);
    if (st != HSC_OK)
        return st;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        utf8proc_int32_t tmp[TMP_CAP];
        utf8proc_ssize_t n;
        utf8proc_int32_t cp;
        size_t start = i;

        /* ASCII not followed by a possible combining mark: fold directly,
         * the whole run of such bytes at once (each maps to its own source
         * byte, one after the other: a step of 1). */
        if (c < 0x80 && (i + 1 == len || (unsigned char)s[i + 1] < 0x80)) {
            size_t j = i + 1;
            while (j < len && (unsigned char)s[j] < 0x80)
                j++;
            size_t run = j == len ? j - i : j - 1 - i;   /* the last before a non-ASCII byte waits */
            if (o->byte_at_a_time)
                run = 1;
            st = flush(a, &g, o);
            if (st == HSC_OK)
                st = ensure(a, o, run);
            if (st == HSC_OK)
                st = map_put(a, o, o->text.len, (uint32_t)i);
            if (st != HSC_OK)
                return st;
            if (o->text.len + run >= UINT32_MAX)
                run = 1;   /* map_put turns the offsets past 4 GiB away one by one */
            char *out = o->text.data + o->text.len;
            for (size_t k = 0; k < run; k++) {
                unsigned char b = (unsigned char)s[i + k];
                /* Controls (tab, newline, NUL) become spaces: "20\tkg" is "20 kg". */
                out[k] = (char)(b >= 'A' && b <= 'Z' ? b + 32 : b < 0x20 || b == 0x7F ? ' ' : b);
            }
            for (size_t k = 1; k < run; k++) {   /* map_put's entries for a step of 1 */
                size_t at = o->text.len + k;
                o->step[at] = 1;
                if (at % MARK == 0)
                    o->mark[at / MARK] = (uint32_t)(i + k);
            }
            o->last = (uint32_t)(i + run - 1);
            o->text.len += run;
            o->text.data[o->text.len] = '\0';
            i += run;
            continue;
        }
        cp = (utf8proc_int32_t)hsc__utf8_decode_repair(s, len, &i);
        n = utf8proc_decompose_char(cp, tmp, TMP_CAP, DECOMP_OPTS, NULL);
        if (n < 0 || n > TMP_CAP)
            return HSC_E_INTERNAL;
        if (n == 0)
            continue; /* ignorable: its bytes join the open segment */
        if (!g.open || g.n >= SEG_MAX || ccc(tmp[0]) == 0) {
            st = flush(a, &g, o);
            if (st != HSC_OK)
                return st;
            g.open = 1;
            g.src = start;
        }
        /* Room: SEG_MAX before the push, and at most 2 * TMP_CAP after
         * folding would be too much, so flush early when needed. */
        if (g.n + 2 * (size_t)n > SEG_CAP) {
            st = flush(a, &g, o);
            if (st != HSC_OK)
                return st;
            g.open = 1;
            g.src = start;
            if (2 * (size_t)n > SEG_CAP)
                return HSC_E_INTERNAL;
        }
        push(&g, tmp, (size_t)n, strip);
    }
    st = flush(a, &g, o);
    if (st == HSC_OK)
        st = ensure(a, o, 0);
    o->end_prev = o->last;
    if (st == HSC_OK)
        st = map_put(a, o, o->text.len, (uint32_t)len);
    return st;
}

int hsc__normalize(const hsc__alloc *a, const char *s, size_t len, uint32_t strip,
                   hsc__norm *o)
{
    hsc__norm_reset(o);
    return hsc__norm_add(a, s, 0, len, strip, o);
}

size_t hsc__norm_src(const hsc__norm *n, size_t i)
{
    return map_at(n, i);
}

size_t hsc__norm_seg_start(const hsc__norm *n, size_t i)
{
    while (i > 0 && n->step[i] == 0)
        i--;
    return i;
}



void hsc__norm_span(const hsc__norm *n, size_t b, size_t e, size_t *off, size_t *len)
{
    uint32_t end;

    *off = map_at(n, b);
    if (e <= b) {
        *len = 0;
        return;
    }
    /* The token ends with the segment of its last byte: past the bytes
     * that map where byte e - 1 does. */
    while (e < n->text.len && n->step[e] == 0)
        e++;
    end = map_from(n, e, b, (uint32_t)*off);   /* on from the token's start */
    *len = end > *off ? end - *off : 0;
}

void hsc__norm_free(const hsc__alloc *a, hsc__norm *n)
{
    hsc__buf_free(a, &n->text);
    hsc__free(a, n->step);
    hsc__free(a, n->mark);
    hsc__free(a, n->far);
    memset(n, 0, sizeof *n);
}
