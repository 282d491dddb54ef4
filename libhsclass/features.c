/* features.c - the frozen feature hash and the feature extractors.
 *
 * Every feature is (kind, bytes) hashed with hsc__hash into spec->buckets.
 * Kinds (hsc_internal.h) keep the domains apart, so the word "num" and the
 * class "#num" never collide by construction. For a WORD token (not a
 * stopword): WORD per distinct stem; CHARGRAM per code-point n-gram of
 * "<word>" (char_min..char_max, words of 2+ code points); SKELETON, the
 * first letter plus the consonants with repeats collapsed, y a vowel, for
 * a-z words ("frozen"/"frzn" -> "frzn"), in full and as a 4-letter prefix
 * when longer. BIGRAM "a b" joins the first stems of consecutive WORD/ALNUM
 * tokens (stopwords skipped, other tokens break the chain). Class features
 * (kind CLASS):
 *   NUMBER    "#num", "#num:<m>"            m = floor(log10(value)), clamped
 *                                             to [-3, 9]; "#num:z" for zero
 *   QUANTITY  "#qty:<unit>"                 canonical unit ("kg", "l", "%")
 *             "#qty:<family>:<m>"           magnitude in the family's base
 *                                             unit (mass in kg, vol in l, ...)
 *             "#qty:multi"                  "2x5kg"-style packs
 *             "#pct", "#pct:<d>"            percentages, d = decile 0-10
 *   CODE      "#hs2:02", "#hs4:0201", "#hs6:020130", "#hs8:02013000"
 *   ALNUM     "#alnum", "#shape:<s>"        s: letters->a, digits->9, runs
 *                                             collapsed, joiners kept
 *                                             ("205/55r16" -> "9/9a9")
 * Numbers, quantities and part numbers also give a WORD feature of their
 * normalized text ("20kg", "x200"). */
#include <math.h>
#include <string.h>

#include "text.h"

#define FNV_OFFSET UINT64_C(14695981039346656037)
#define FNV_PRIME UINT64_C(1099511628211)

static uint64_t fnv_start(uint32_t seed, uint8_t kind)
{
    uint64_t h = FNV_OFFSET;
    for (int i = 0; i < 4; i++) {
        h ^= (uint8_t)(seed >> (8 * i));
        h *= FNV_PRIME;
    }
    h ^= kind;
    h *= FNV_PRIME;
    return h;
}

static uint64_t fnv_bytes(uint64_t h, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= FNV_PRIME;
    }
    return h;
}

uint64_t hsc__hash(uint32_t seed, uint8_t kind, const void *data, size_t len)
{
    return fnv_bytes(fnv_start(seed, kind), data, len);
}

/* The precedent memory's 32-bit key of a feature hash (never 0). */
static uint32_t memory_key(uint64_t h)
{
    uint32_t k = (uint32_t)(h ^ (h >> 32));
    return k != 0 ? k : 1u;
}

/* magic = floor((2^64 - 1) / d): 2^64 - d magic <= d, so h / d - h magic
 * / 2^64 <= h / 2^64 < 1 and the high half of h * magic is floor(h / d)
 * or one less; one subtraction finishes the remainder. */
uint64_t hsc__mod_magic(uint32_t d)
{
    return UINT64_MAX / d;
}

#ifdef __SIZEOF_INT128__
__extension__ typedef unsigned __int128 u128;
#endif

uint32_t hsc__mod_fast(uint64_t h, uint32_t d, uint64_t magic)
{
#ifdef __SIZEOF_INT128__
    uint64_t q = (uint64_t)(((u128)h * magic) >> 64);
    uint64_t r = h - q * d;
    if (r >= d)   /* the quotient was one less */
        r -= d;
    return (uint32_t)r;
#else
    (void)magic;
    return (uint32_t)(h % d);
#endif
}

/* The reciprocal of the spec's buckets (made once). */
static void push_ready(hsc__featurizer *fz)
{
    uint32_t d = fz->spec->buckets;
    if (fz->mod_buckets != d) {
        fz->mod_buckets = d;
        fz->mod_magic = hsc__mod_magic(d);
    }
}

static int push(hsc__featurizer *fz, uint64_t h, uint32_t token, uint32_t key)
{
    push_ready(fz);
    hsc__feature f = {hsc__mod_fast(h, fz->mod_buckets, fz->mod_magic), token, key};
    return fz->emit(fz->user, &f);
}

int hsc__feat_add(hsc__featurizer *fz, uint8_t kind, const char *s, size_t len, uint32_t token)
{
    return push(fz, hsc__hash(fz->spec->hash_seed, kind, s, len), token, 0);
}

int hsc__feat_stem(hsc__featurizer *fz, const char *s, size_t len, uint32_t token)
{
    uint64_t h = hsc__hash(fz->spec->hash_seed, HSC__FK_WORD, s, len);
    return push(fz, h, token, memory_key(h));
}

int hsc__feat_bigram(hsc__featurizer *fz, const char *a, size_t alen, const char *b,
                     size_t blen, uint32_t token)
{
    uint64_t h = fnv_bytes(fnv_start(fz->spec->hash_seed, HSC__FK_BIGRAM), a, alen);
    h = fnv_bytes(h, " ", 1);
    h = fnv_bytes(h, b, blen);
    return push(fz, h, token, memory_key(h));
}

/* N-grams of "<w>", code points [lo, hi]; pos[] holds the byte offset of
 * each code point of buf (and the end). Extending an n-gram extends its
 * FNV state, so each start position is one pass. With e, their buckets are
 * also written there (room for HSC__GRAM_MEMO_GRAMS; e->n = 0 when more). */
static int grams(hsc__featurizer *fz, const uint8_t *buf, const uint32_t *pos, size_t ncp,
                 uint32_t token, hsc__gram_entry *e)
{
    const uint32_t lo = fz->spec->char_min, hi = fz->spec->char_max;
    const uint64_t h0 = fnv_start(fz->spec->hash_seed, HSC__FK_CHARGRAM);
    int st;
    push_ready(fz);
    for (size_t s = 0; s < ncp; s++) {
        uint64_t h = h0;
        for (size_t n = 1; n <= hi && s + n <= ncp; n++) {
            for (size_t b = pos[s + n - 1]; b < pos[s + n]; b++) {
                h ^= buf[b];
                h *= FNV_PRIME;
            }
            if (n < lo || (n == 1 && (s == 0 || s == ncp - 1)))
                continue; /* a lone boundary marker is no feature */
            hsc__feature f = {hsc__mod_fast(h, fz->mod_buckets, fz->mod_magic), token, 0};
            if (e != NULL) {
                if (e->n < HSC__GRAM_MEMO_GRAMS)
                    e->bucket[e->n] = f.bucket;
                e->n = e->n < UINT8_MAX ? (uint8_t)(e->n + 1) : UINT8_MAX;
            }
            st = fz->emit(fz->user, &f);
            if (st != HSC_OK)
                return st;
        }
    }
    return HSC_OK;
}

/* The memo's entry for word w when it holds it (NULL: not there), and in
 * *slot where it goes. The spec of an analyzer never changes, so an
 * entry's buckets stay valid. */
static hsc__gram_entry *gram_memo(hsc__featurizer *fz, const char *w, size_t len,
                                  hsc__gram_entry **slot)
{
    *slot = NULL;
    if (fz->grams == NULL || len > HSC__GRAM_MEMO_WORD || len == 0)
        return NULL;
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++)
        h = (h ^ (uint8_t)w[i]) * 16777619u;
    hsc__gram_entry *e = &fz->grams[(h ^ h >> 15) & (HSC__GRAM_MEMO_SLOTS - 1)];
    *slot = e;
    return e->len == len && memcmp(e->word, w, len) == 0 ? e : NULL;
}

#define GRAM_STACK 256

int hsc__feat_chargrams(hsc__featurizer *fz, const char *w, size_t len, uint32_t token)
{
    uint8_t sbuf[GRAM_STACK + 2];
    uint32_t spos[GRAM_STACK + 3];
    uint8_t *buf = sbuf;
    uint32_t *pos = spos;
    size_t ncp = 0;
    int st;

    if (fz->spec->char_min == 0 || fz->spec->char_max < fz->spec->char_min)
        return HSC_OK;
    hsc__gram_entry *slot, *known = gram_memo(fz, w, len, &slot);
    if (known != NULL) {   /* the same buckets, in the same order */
        for (uint32_t i = 0; i < known->n; i++) {
            hsc__feature f = {known->bucket[i], token, 0};
            st = fz->emit(fz->user, &f);
            if (st != HSC_OK)
                return st;
        }
        return HSC_OK;
    }
    if (hsc__utf8_count(w, len) < 2)
        return HSC_OK;
    if (len > GRAM_STACK) {
        /* A long run (a 200 KB "word"): the analyzer's reusable scratch. */
        size_t need;
        if (len > UINT32_MAX - 3 || (len + 3) > (SIZE_MAX - len - 8) / sizeof *pos)
            return HSC_E_NOMEM;
        need = (len + 3) * sizeof *pos + len + 2;
        fz->scratch->len = 0;
        st = hsc__buf_reserve(fz->alloc, fz->scratch, need);
        if (st != HSC_OK)
            return st;
        pos = (uint32_t *)(void *)fz->scratch->data; /* malloc'd: aligned */
        buf = (uint8_t *)(pos + len + 3);
    }
    buf[0] = '<';
    memcpy(buf + 1, w, len);
    buf[len + 1] = '>';
    for (size_t b = 0; b < len + 2; b++)
        if ((buf[b] & 0xC0) != 0x80)
            pos[ncp++] = (uint32_t)b;
    pos[ncp] = (uint32_t)(len + 2);
    if (slot == NULL)
        return grams(fz, buf, pos, ncp, token, NULL);
    slot->len = 0;   /* filled below; kept only whole */
    slot->n = 0;
    st = grams(fz, buf, pos, ncp, token, slot);
    if (st == HSC_OK && slot->n <= HSC__GRAM_MEMO_GRAMS) {
        memcpy(slot->word, w, len);
        slot->len = (uint8_t)len;
    }
    return st;
}

static int is_vowel(char c)
{
    return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y';
}

size_t hsc__skeleton(const char *w, size_t len, char *out)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return 0;
    if (len == 0)
        return 0;
    out[n++] = w[0];
    for (size_t i = 1; i < len; i++)
        if (!is_vowel(w[i]) && w[i] != out[n - 1])
            out[n++] = w[i];
    out[n] = '\0';
    return n;
}

#define SKELETON_MAX_WORD 64

int hsc__feat_skeleton(hsc__featurizer *fz, const char *w, size_t len, uint32_t token)
{
    char sk[SKELETON_MAX_WORD + 1];
    size_t n;
    int st;

    if (!fz->spec->skeletons || len > SKELETON_MAX_WORD)
        return HSC_OK;
    n = hsc__skeleton(w, len, sk);
    if (n < 2)
        return HSC_OK;
    st = hsc__feat_add(fz, HSC__FK_SKELETON, sk, n, token);
    if (st != HSC_OK)
        return st;
    /* "polyester" (plstr) and "polyest" (plst) share the prefix. */
    if (n > 4)
        st = hsc__feat_add(fz, HSC__FK_SKELETON, sk, 4, token);
    return st;
}

double hsc__number_value(const char *s, size_t len)
{
    double v = 0.0, scale = 1.0;
    int frac = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c >= '0' && c <= '9') {
            if (frac) {
                scale /= 10.0;
                v += (c - '0') * scale;
            } else {
                v = v * 10.0 + (c - '0');
            }
        } else if (c == '.' && !frac) {
            frac = 1;
        } else {
            break;
        }
    }
    return v;
}

size_t hsc__number_canon(const char *s, size_t len, char *out)
{
    size_t nsep = 0, last = 0, first = 0, n = 0;
    int mixed = 0, thousands = 1;
    char kind = 0;

    for (size_t i = 0; i < len; i++) {
        if (s[i] != '.' && s[i] != ',')
            continue;
        if (nsep == 0)
            first = i;
        else if (s[i] != kind)
            mixed = 1;
        kind = s[i];
        last = i;
        nsep++;
    }
    if (nsep == 0) {
        memcpy(out, s, len);
        return len;
    }
    if (mixed) {
        /* "1,000.50" / "1.000,50": the last separator is the decimal one. */
        for (size_t i = 0; i < len; i++)
            if (s[i] >= '0' && s[i] <= '9')
                out[n++] = s[i];
            else if (i == last)
                out[n++] = '.';
        return n;
    }
    /* One kind: thousands when the lead group has 1-3 digits (not "0") and
     * every later group exactly 3 ("1,000", "12.500.000"). */
    if (first == 0 || first > 3 || s[0] == '0')
        thousands = 0;
    for (size_t i = first, g = 0; thousands && i <= len; i++) {
        if (i == len || s[i] == kind) {
            if (i != first && g != 3)
                thousands = 0;
            g = 0;
        } else {
            g++;
        }
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] == kind) {
            if (thousands)
                continue;
            out[n++] = nsep == 1 ? '.' : kind; /* "3,5" -> "3.5"; "1.1.1" kept */
        } else {
            out[n++] = s[i];
        }
    }
    return n;
}

/* Class feature prefix + suffix ("#qty:" "kg"). */
static int add_class(hsc__featurizer *fz, uint32_t token, const char *a, const char *b)
{
    char buf[64];
    size_t na = strlen(a), nb = strlen(b);
    if (na + nb > sizeof buf)
        return HSC_E_INTERNAL;
    memcpy(buf, a, na);
    memcpy(buf + na, b, nb);
    return hsc__feat_add(fz, HSC__FK_CLASS, buf, na + nb, token);
}

/* Order of magnitude as text: "-3".."9", or "z" for zero / unparsable. */
static const char *magnitude(double v, char buf[4])
{
    double m;
    int k;
    if (!(v > 0.0))
        return "z";
    m = floor(log10(v) + 1e-9);
    k = m < -3 ? -3 : m > 9 ? 9 : (int)m;
    if (k < 0) {
        buf[0] = '-';
        buf[1] = (char)('0' - k);
        buf[2] = '\0';
    } else {
        buf[0] = (char)('0' + k);
        buf[1] = '\0';
    }
    return buf;
}

int hsc__feat_number(hsc__featurizer *fz, const char *norm, size_t len, uint32_t token)
{
    char mb[4];
    int st = hsc__feat_add(fz, HSC__FK_WORD, norm, len, token);
    if (st == HSC_OK)
        st = hsc__feat_add(fz, HSC__FK_CLASS, "#num", 4, token);
    if (st != HSC_OK)
        return st;
    return add_class(fz, token, "#num:", magnitude(hsc__number_value(norm, len), mb));
}

int hsc__feat_quantity(hsc__featurizer *fz, const char *norm, size_t len, size_t unit_off,
                       uint32_t token)
{
    const hsc__unit *u = hsc__unit_find(norm + unit_off, len - unit_off);
    size_t b = unit_off;
    double v;
    int st;

    st = hsc__feat_add(fz, HSC__FK_WORD, norm, len, token);
    if (st != HSC_OK)
        return st;
    /* The number right before the unit ("5" in "2x5kg"). */
    while (b > 0 && ((norm[b - 1] >= '0' && norm[b - 1] <= '9') || norm[b - 1] == '.' ||
                     norm[b - 1] == ','))
        b--;
    v = hsc__number_value(norm + b, unit_off - b);
    st = b > 0 ? hsc__feat_add(fz, HSC__FK_CLASS, "#qty:multi", 10, token) : HSC_OK;
    if (st != HSC_OK)
        return st;
    if (u == NULL)
        return HSC_OK;
    if (strcmp(u->canon, "%") == 0) {
        static const char *const deciles[] = {"0", "1", "2", "3", "4", "5",
                                              "6", "7", "8", "9", "10"};
        st = hsc__feat_add(fz, HSC__FK_CLASS, "#pct", 4, token);
        if (st != HSC_OK)
            return st;
        return add_class(fz, token, "#pct:", deciles[v >= 100.0 ? 10 : (int)(v / 10.0)]);
    }
    st = add_class(fz, token, "#qty:", u->canon);
    if (st != HSC_OK || u->family == NULL)
        return st;
    {
        char head[32], mb[4];
        size_t k = strlen(u->family);
        memcpy(head, "#qty:", 5);
        memcpy(head + 5, u->family, k);
        head[5 + k] = ':';
        head[6 + k] = '\0';
        return add_class(fz, token, head, magnitude(v * u->to_base, mb));
    }
}

int hsc__feat_code(hsc__featurizer *fz, const char *digits, size_t len, uint32_t token)
{
    static const size_t levels[] = {2, 4, 6, 8};
    char buf[24];
    int st;
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++) {
        size_t d = levels[i];
        if (len < d)
            break;
        /* "#hs<d>:<first d digits>" */
        buf[0] = '#';
        buf[1] = 'h';
        buf[2] = 's';
        buf[3] = (char)('0' + d);
        buf[4] = ':';
        memcpy(buf + 5, digits, d);
        st = hsc__feat_add(fz, HSC__FK_CLASS, buf, 5 + d, token);
        if (st != HSC_OK)
            return st;
    }
    return HSC_OK;
}

int hsc__feat_alnum(hsc__featurizer *fz, const char *norm, size_t len, uint32_t token)
{
    char shape[40] = "#shape:";
    size_t n = 7;
    int st;

    st = hsc__feat_add(fz, HSC__FK_WORD, norm, len, token);
    if (st == HSC_OK)
        st = hsc__feat_add(fz, HSC__FK_CLASS, "#alnum", 6, token);
    if (st != HSC_OK)
        return st;
    for (size_t i = 0; i < len && n < sizeof shape; ) {
        unsigned char c = (unsigned char)norm[i];
        char s = (c >= '0' && c <= '9') ? '9'
                 : (c == '-' || c == '/' || c == '.' || c == '\'' || c == '_') ? (char)c
                 : 'a';
        /* a non-ASCII letter counts once, not per byte */
        i++;
        while (c >= 0x80 && i < len && ((unsigned char)norm[i] & 0xC0) == 0x80)
            i++;
        if (shape[n - 1] != s || n == 7)
            shape[n++] = s;
    }
    if (n >= sizeof shape)
        return HSC_OK; /* absurdly varied part number: no shape */
    return hsc__feat_add(fz, HSC__FK_CLASS, shape, n, token);
}
