/* review.h - what a text says that a model can classify, for the accept or
 * review decision (review.c). Private. */
#ifndef HSC_REVIEW_H
#define HSC_REVIEW_H

#include "model.h"

typedef struct hsc__content {
    uint32_t content;   /* word, alnum and code tokens that are not vague or stopwords */
    uint32_t known;     /* of those, the ones the model has features for */
    uint32_t vague;     /* generic words: "goods", "parts", "samples"... */
} hsc__content;

/* Count what the analyzer's last text says that a model can classify;
 * known: a bit per token (LSB first), set when one of the features of the
 * token has a row. */
void hsc__review_content(const hsc_model *m, const hsc__analyzer *an, const uint8_t *known,
                         hsc__content *out);

#endif /* HSC_REVIEW_H */
