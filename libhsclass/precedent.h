/* precedent.h - the precedent memory: a model's training rows indexed by
 * their stems and stem pairs (an inverted index, as a search engine keeps),
 * the rows nearest to a text, and the votes of their codes. The trainer
 * builds it (precedent_build.c); precedent.c stores it in the PREC and PTXT
 * sections and searches it for a session. Private. */
#ifndef HSC_PRECEDENT_H
#define HSC_PRECEDENT_H

#include "hsc_internal.h"

#define HSC__PREC_MAX_NEIGHBOURS 64u
#define HSC__PREC_MAX_SOURCES 255u
#define HSC__PREC_MAX_SOURCE_LEN 255u
#define HSC__PREC_MAX_TEXT 4096u
#define HSC__PREC_MIN_MAX_DF 64u   /* keys in up to 64 rows are always searched */

#define HSC__PREC_VERSION 2u      /* written; version 1 files still load */
#define HSC__PREC_BLOCK 16u       /* keys per entry of the block index */

/* The memory as a search reads it, in the layout of PREC version 2 so that
 * a loaded file is used in place (model_format.h): nothing is decoded when
 * a model loads, a key's entry is found through the block index and
 * decoded (bounds-checked) when a text has that key. */
typedef struct hsc__prec {
    uint32_t n_rows;           /* 0: the model has no memory */
    uint32_t n_keys;
    uint32_t neighbours;       /* how many nearest rows vote */
    uint32_t max_df;           /* keys in more rows are too common to search */
    double vote_power;         /* a neighbour votes similarity ^ vote_power */
    double log_rows;           /* log(n_rows): idf = log_rows - log(df) */
    const uint8_t *table;      /* per key, ascending: varint key gap, df, posting bytes */
    size_t table_len;
    const uint8_t *blocks;     /* n_blocks x (u32 first key, table pos, posting pos) */
    uint32_t n_blocks;         /* ceil(n_keys / HSC__PREC_BLOCK) */
    const uint8_t *post;       /* per key: its rows, ascending, as varint gaps */
    size_t post_len;
    const uint32_t *row_label;
    const float *row_norm;     /* sqrt of the sum of the row's keys' idf2 */
    const uint8_t *row_source; /* index into sources */
    uint32_t n_sources;
    char **sources;            /* names of the files the rows came from */
    uint32_t *text_off;        /* n_rows offsets into text_pool; NULL: texts not kept */
    char *text_pool;           /* NUL-terminated texts */
    void *own[8];              /* what was allocated for the fields above */
} hsc__prec;

void hsc__prec_free(const hsc__alloc *a, hsc__prec *p);
/* n zeroed elements of size bytes owned by p (freed by hsc__prec_free):
 * NULL when out of memory or slots. */
void *hsc__prec_alloc(const hsc__alloc *a, hsc__prec *p, size_t n, size_t size);
/* idf^2 of a key in df of the memory's n_rows rows. */
float hsc__prec_idf2(double log_rows, uint32_t df);
/* The trainer's index into the searched form: keys ascending, df and
 * posting offsets (n_keys + 1) per key; p->post, n_keys and n_rows set. */
int hsc__prec_pack(const hsc__alloc *a, const uint32_t *keys, const uint32_t *df,
                   const uint32_t *post_off, hsc__prec *p);

/* PREC and PTXT payloads (layout in model_format.h). The decoders check
 * every count and length against what is left, and every value; *bad gets
 * the offset of the first byte found wrong. PTXT needs PREC decoded first. */
int hsc__prec_encode(const hsc__alloc *a, const hsc__prec *p, hsc__buf *out);
int hsc__prec_texts_encode(const hsc__alloc *a, const hsc__prec *p, hsc__buf *out);
/* in_place: data outlives p (a raw section of the model's image), so the
 * postings are used where they lie; else they are copied. */
int hsc__prec_decode(const hsc__alloc *a, const uint8_t *data, size_t len, uint32_t n_labels,
                     int in_place, hsc__prec *p, size_t *bad);
int hsc__prec_texts_decode(const hsc__alloc *a, const uint8_t *data, size_t len, hsc__prec *p,
                           size_t *bad);

/* fn(user, key, rows, n) for every key of the index, ascending, with its
 * n > 0 rows, ascending (as the search reads them: a damaged list ends
 * where it is found damaged); a status other than HSC_OK stops the walk.
 * Keys left out as too common at build time are not there. */
int hsc__prec_each_key(const hsc__alloc *a, const hsc__prec *p,
                       int (*fn)(void *user, uint32_t key, const uint32_t *rows, uint32_t n),
                       void *user);

/* The memory keys of a text's features, sorted unique, into keys (room
 * for n); returns their count. */
size_t hsc__prec_keys(const hsc__feature *f, size_t n, uint32_t *keys);

/* The same gathered one feature at a time (a session walks its text's
 * features without keeping them): repeats are merged whenever the array
 * fills, so a long text costs its distinct keys, not its words. keys[0..n)
 * is sorted unique after hsc__keyset_finish. */
typedef struct hsc__keyset {
    uint32_t *keys;
    size_t n, cap;
} hsc__keyset;

int hsc__keyset_add(const hsc__alloc *a, hsc__keyset *ks, uint32_t key);   /* HSC_E_NOMEM */
void hsc__keyset_finish(hsc__keyset *ks);
void hsc__keyset_free(const hsc__alloc *a, hsc__keyset *ks);

/* ---- building (precedent_build.c) --------------------------------------- */

/* Rows collected for a memory: label, source and keys of each. */
typedef struct hsc__prec_builder {
    hsc__alloc alloc;
    uint32_t n_rows, cap;
    uint32_t *label;
    uint8_t *source;
    size_t *key_off;           /* n_rows + 1 offsets into keys */
    uint32_t *keys;
    size_t n_keys, cap_keys;
    int keep_texts;
    size_t *text_off;          /* n_rows + 1 offsets into texts, when kept */
    hsc__buf texts;
    uint32_t n_sources;
    char *sources[HSC__PREC_MAX_SOURCES];
} hsc__prec_builder;

void hsc__prec_builder_init(hsc__prec_builder *b, const hsc__alloc *a, int keep_texts);
void hsc__prec_builder_free(hsc__prec_builder *b);
/* One row: its label, source name (rows of more than 255 sources share
 * the last name), sorted unique keys, and text. A row without keys is
 * skipped. */
int hsc__prec_builder_add(hsc__prec_builder *b, uint32_t label, const char *source,
                          const uint32_t *keys, size_t n_keys, const char *text, size_t len);
/* The rows of a built memory joining a builder's (an adapted model keeps
 * its base's precedents): its index is read as it is, never featurized
 * again. */
typedef struct hsc__prec_join {
    const hsc__prec *p;
    uint32_t *label;           /* per row of p: its label in the new memory, UINT32_MAX: left out */
    uint32_t *n_keys;          /* per row of p: its keys in p's index */
    uint64_t *hash;            /* per row of p: of those keys */
    uint32_t n_rows;           /* rows joining: a label and a key */
} hsc__prec_join;

/* j->label filled by the caller (p->n_rows entries, allocated): the rest. */
int hsc__prec_join_init(const hsc__alloc *a, const hsc__prec *p, hsc__prec_join *j);
void hsc__prec_join_free(const hsc__alloc *a, hsc__prec_join *j);

/* The memory of the rows added, followed by the joining rows of j (NULL:
 * none) in their order, each as if added with its label, its source's
 * name, its keys and text (none: ""): identical (label, keys) rows once,
 * at most max_per_label rows per label (0: all; a label with more keeps
 * that many spread evenly over the input order): neighbours and
 * vote_power as hsc__prec has them; keys in more than max_df_share of the
 * rows (and more than HSC__PREC_MIN_MAX_DF) are left out. HSC_E_NO_DATA:
 * no row. */
int hsc__prec_build(hsc__prec_builder *b, const hsc__prec_join *j, uint32_t neighbours,
                    double vote_power, double max_df_share, uint32_t max_per_label,
                    hsc__prec *out);

/* ---- searching ---------------------------------------------------------- */

typedef struct hsc__prec_hit {
    uint32_t row;
    double sim;                /* cosine similarity of idf-weighted keys, 0..1 */
} hsc__prec_hit;

/* One search's scratch and results; one per session or thread. */
typedef struct hsc__prec_search {
    hsc__alloc alloc;
    uint64_t *acc;             /* per row: its idf2 sum in fixed point; zero between searches */
    uint32_t *touched;         /* the rows met (acc non-zero) */
    void *query;               /* the text's keys as the search walks them */
    size_t query_cap;
    void *known;               /* a memo of the keys looked up: key -> entry */
    void *skip_lists;          /* open-addressed: the long lists walked once, by start */
    size_t skip_cap, skip_used;
    void *skip_points;         /* their points, one every 16 postings */
    size_t points_used, points_cap;
    uint32_t n_hits;           /* nearest rows, most similar first */
    hsc__prec_hit hits[HSC__PREC_MAX_NEIGHBOURS];
    uint32_t n_votes;          /* their labels, largest share first */
    uint32_t vote_label[HSC__PREC_MAX_NEIGHBOURS];
    double vote[HSC__PREC_MAX_NEIGHBOURS];   /* shares, summing to 1 */
} hsc__prec_search;

int hsc__prec_search_init(hsc__prec_search *s, const hsc__alloc *a, const hsc__prec *p);
void hsc__prec_search_free(hsc__prec_search *s);
/* The nearest rows to a text with these memory keys (sorted unique:
 * hsc__prec_keys, hsc__keyset) and their votes. keep(user, label) may veto
 * labels (constraints); NULL keeps all. */
int hsc__prec_find_keys(hsc__prec_search *s, const hsc__prec *p, const uint32_t *keys,
                        size_t n_keys, int (*keep)(const void *user, uint32_t label),
                        const void *user);

#endif /* HSC_PRECEDENT_H */
