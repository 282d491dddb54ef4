/* stem.c - libstemmer (Snowball) wrapper: one stateful stemmer per
 * configured language, owned by an analyzer (so by one thread).
 * libstemmer allocates with the C library's malloc; its stem buffer is
 * borrowed until the next call on the same stemmer. */
#include <libstemmer.h>
#include <string.h>

#include "text.h"

#define HSC__STEM_MAX_BYTES 100

int hsc__stemmers_init(const hsc__textspec *spec, hsc__stemmers *out)
{
    out->n = 0;
    for (uint32_t i = 0; i < spec->n_langs && i < HSC__MAX_LANGS; i++) {
        const char *alg = hsc__lang_snowball(spec->langs[i]);
        out->st[i] = NULL;
        if (alg != NULL && (out->st[i] = sb_stemmer_new(alg, "UTF_8")) == NULL) {
            /* Only fails on memory: every algorithm in our table is
             * built into Debian's libstemmer. */
            out->n = i;
            hsc__stemmers_free(out);
            return HSC_E_NOMEM;
        }
        out->n = i + 1;
    }
    return HSC_OK;
}

void hsc__stemmers_free(hsc__stemmers *s)
{
    for (uint32_t i = 0; i < s->n; i++) {
        sb_stemmer_delete(s->st[i]);
        s->st[i] = NULL;
    }
    s->n = 0;
}

int hsc__stem(hsc__stemmers *s, uint32_t i, const char *word, size_t len, const char **out,
              size_t *out_len)
{
    const sb_symbol *r;
    int n;

    /* No language has 100-byte words: leave such runs (and their cost)
     * out of Snowball. */
    if (i >= s->n || s->st[i] == NULL || len > HSC__STEM_MAX_BYTES) {
        *out = word;
        *out_len = len;
        return HSC_OK;
    }
    r = sb_stemmer_stem(s->st[i], (const sb_symbol *)word, (int)len);
    if (r == NULL)
        return HSC_E_NOMEM;
    n = sb_stemmer_length(s->st[i]);
    *out = (const char *)r;
    *out_len = n > 0 ? (size_t)n : 0;
    return HSC_OK;
}

/* ---- memo of word -> stems --------------------------------------------------
 * Words repeat (Zipf), and running every language's stemmer dominated the
 * analyzer's time; a direct-mapped memo per analyzer removes most calls.
 * Stemming is a pure function of the word, so results are unchanged. */

struct hsc__stem_slot {     /* one cache line: the word, then its stems */
    uint8_t wlen, slen, n_stems, used;
    char data[HSC__STEM_CACHE_BYTES];
};

int hsc__stem_cache_init(const hsc__alloc *a, hsc__stem_cache *c)
{
    c->slots = hsc__calloc(a, HSC__STEM_CACHE_SLOTS, sizeof *c->slots);
    return c->slots != NULL ? HSC_OK : HSC_E_NOMEM;
}

void hsc__stem_cache_free(const hsc__alloc *a, hsc__stem_cache *c)
{
    hsc__free(a, c->slots);
    c->slots = NULL;
}

static struct hsc__stem_slot *slot_of(const hsc__stem_cache *c, const char *w, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)w[i];
        h *= 16777619u;
    }
    return &c->slots[h & (HSC__STEM_CACHE_SLOTS - 1)];
}

int hsc__stem_cache_get(const hsc__stem_cache *c, const char *w, size_t len, const char **stems,
                        size_t *slen, uint32_t *n_stems)
{
    const struct hsc__stem_slot *s;
    if (c->slots == NULL || len >= HSC__STEM_CACHE_BYTES)
        return 0;
    s = slot_of(c, w, len);
    if (!s->used || s->wlen != len || memcmp(s->data, w, len) != 0)
        return 0;
    *stems = s->data + len;
    *slen = s->slen;
    *n_stems = s->n_stems;
    return 1;
}

void hsc__stem_cache_put(hsc__stem_cache *c, const char *w, size_t len, const char *stems,
                         size_t slen, uint32_t n_stems)
{
    struct hsc__stem_slot *s;
    if (c->slots == NULL || len + slen > HSC__STEM_CACHE_BYTES || n_stems > 255)
        return;
    s = slot_of(c, w, len);
    s->used = 1;
    s->wlen = (uint8_t)len;
    s->slen = (uint8_t)slen;
    s->n_stems = (uint8_t)n_stems;
    memcpy(s->data, w, len);
    memcpy(s->data + len, stems, slen);
}
