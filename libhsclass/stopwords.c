/* stopwords.c - function words of en, fr, pt, es, and the string set that
 * holds the union for an analyzer.
 *
 * Descriptions are not language-identified, so a token is a stopword when
 * it is one in ANY configured language. The lists are therefore short
 * (articles, prepositions, conjunctions, pronouns) and leave out every word
 * that is content in another of our languages once accents are folded:
 *   en "or"       French "or" = gold
 *   pt "os"       French "os" = bone ("sans os" = boneless)
 *   pt "mais"     French "maïs" = maize
 *   fr/es "la"    Portuguese "lã" = wool
 *   es/pt "pelo"  Spanish "pelo" = hair (pt "by the")
 *   fr "son"      French "son" = bran ("son de blé")
 *   pt/es "para"  chemistry prefix "para-" (para-xylene)
 * Negations and HS residual words ("not", "without", "sans", "sem", "sin",
 * "other", "autres", "outros") are content in a tariff and are kept. */
#include <string.h>

#include "text.h"

static const char *const stop_en[] = {
    "a", "also", "an", "and", "are", "as", "at", "be", "been", "being", "by", "etc", "for",
    "from", "had", "has", "have", "in", "into", "is", "it", "its", "of", "on", "onto", "than",
    "that", "the", "their", "these", "this", "those", "thereof", "to", "upon", "was", "were",
    "whether", "which", "with", NULL};

static const char *const stop_fr[] = {
    "à", "au", "aux", "avec", "ce", "ces", "cet", "cette", "d", "dans", "de", "des", "dont",
    "du", "en", "est", "et", "l", "le", "les", "leur", "leurs", "ou", "par", "pour", "qu",
    "que", "qui", "sa", "se", "ses", "sont", "sur", "un", "une", NULL};

static const char *const stop_pt[] = {
    "a", "à", "ao", "aos", "as", "às", "com", "da", "das", "de", "do", "dos", "e", "em", "na",
    "nas", "no", "nos", "num", "numa", "o", "ou", "pela", "pelas", "por", "que", "se", "seu",
    "seus", "sua", "suas", "um", "uma", "umas", "uns", NULL};

static const char *const stop_es[] = {
    "a", "al", "con", "de", "del", "e", "el", "en", "es", "las", "lo", "los", "o", "por",
    "que", "se", "su", "sus", "u", "un", "una", "unas", "unos", "y", NULL};

const char *const *hsc__stopword_list(uint32_t lang)
{
    switch (lang) {
    case HSC__LANG_EN: return stop_en;
    case HSC__LANG_FR: return stop_fr;
    case HSC__LANG_PT: return stop_pt;
    case HSC__LANG_ES: return stop_es;
    default: return NULL;
    }
}

static uint32_t str_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

int hsc__wordset_has(const hsc__wordset *ws, const char *s, size_t len)
{
    uint32_t mask, i;
    if (ws->cap == 0)
        return 0;
    mask = ws->cap - 1;
    for (i = str_hash(s, len) & mask; ws->slots[i] != 0; i = (i + 1) & mask) {
        const char *w = ws->pool.data + ws->slots[i] - 1;
        if (strncmp(w, s, len) == 0 && w[len] == '\0')
            return 1;
    }
    return 0;
}

static void insert(hsc__wordset *ws, uint32_t off, size_t len)
{
    uint32_t mask = ws->cap - 1;
    uint32_t i = str_hash(ws->pool.data + off, len) & mask;
    while (ws->slots[i] != 0)
        i = (i + 1) & mask;
    ws->slots[i] = off + 1;
}

int hsc__stopwords_build(const hsc__alloc *a, const hsc__textspec *spec, hsc__wordset *ws)
{
    hsc__norm norm = {0};
    size_t total = 0;
    uint32_t cap = 16;
    int st = HSC_OK;

    memset(ws, 0, sizeof *ws);
    for (uint32_t l = 0; l < spec->n_langs; l++) {
        const char *const *list = hsc__stopword_list(spec->langs[l]);
        for (size_t i = 0; list != NULL && list[i] != NULL; i++)
            total++;
    }
    if (total == 0)
        return HSC_OK;
    while (cap < 2 * total)
        cap *= 2;
    if ((ws->slots = hsc__calloc(a, cap, sizeof *ws->slots)) == NULL)
        return HSC_E_NOMEM;
    ws->cap = cap;
    for (uint32_t l = 0; l < spec->n_langs && st == HSC_OK; l++) {
        const char *const *list = hsc__stopword_list(spec->langs[l]);
        for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
            size_t off = ws->pool.len;
            /* Normalize like text, so "à" matches with and without accent
             * stripping. */
            st = hsc__normalize(a, list[i], strlen(list[i]), spec->strip_accents, &norm);
            if (st != HSC_OK)
                break;
            if (hsc__wordset_has(ws, norm.text.data, norm.text.len))
                continue;
            st = hsc__buf_append(a, &ws->pool, norm.text.data, norm.text.len + 1);
            if (st != HSC_OK)
                break;
            insert(ws, (uint32_t)off, norm.text.len);
        }
    }
    hsc__norm_free(a, &norm);
    if (st != HSC_OK)
        hsc__wordset_free(a, ws);
    return st;
}

void hsc__wordset_free(const hsc__alloc *a, hsc__wordset *ws)
{
    hsc__free(a, ws->slots);
    hsc__buf_free(a, &ws->pool);
    ws->slots = NULL;
    ws->cap = 0;
}
