/* review.c - what decides between accepting a suggestion and sending the
 * declaration to a human, besides the threshold: how much classifiable
 * content a text has (content words the model knows, generic words). */
#include <string.h>

#include "review.h"

/* A word is known when one of its stems has a row (a collision is
 * possible but rare); other tokens when any of their features has one. */
static int token_known(const hsc_model *m, const char *pool, const hsc__token *t,
                       const uint8_t *known, size_t index)
{
    if (t->type == HSC_TOKEN_WORD) {
        const char *p = hsc__token_stems(pool, t);
        for (uint32_t k = 0; k < t->n_stems; k++) {
            const char *bar = strchr(p, '|');
            size_t len = bar != NULL ? (size_t)(bar - p) : strlen(p);
            uint64_t h = hsc__hash(m->spec.hash_seed, HSC__FK_WORD, p, len);
            if (hsc__model_find_row(m, (uint32_t)(h % m->spec.buckets)) >= 0)
                return 1;
            p += len + 1;
        }
        return 0;
    }
    return (known[index / 8] >> (index % 8)) & 1;
}

void hsc__review_content(const hsc_model *m, const hsc__analyzer *an, const uint8_t *known,
                         hsc__content *out)
{
    memset(out, 0, sizeof *out);
    const char *pool = hsc__analyzer_pool(an);
    hsc__tok_iter it;
    hsc__token tok;
    hsc__analyzer_seek(an, 0, &it);
    for (size_t i = 0; hsc__analyzer_next(an, &it, &tok); i++) {
        const hsc__token *t = &tok;
        if ((t->flags & HSC_TOKEN_FLAG_STOPWORD) || t->type == HSC_TOKEN_NUMBER ||
            t->type == HSC_TOKEN_QUANTITY)
            continue;   /* "20 kg" says nothing about the goods */
        if (t->type == HSC_TOKEN_WORD && hsc__generic_word(pool + t->norm_off, t->norm_len)) {
            out->vague++;
            continue;
        }
        out->content++;
        out->known += (uint32_t)token_known(m, pool, t, known, i);
    }
}
