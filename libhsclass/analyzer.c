/* analyzer.c - the text pipeline: length cap and UTF-8 check, normalization,
 * tokenization, stopwords, stemming and features, with buffers reused from
 * call to call (no allocation per token once they have grown).
 *
 * Multilingual design. A description is not language-identified: three
 * words of a customs declaration cannot be. Instead every WORD token is
 * stemmed by the stemmer of every configured language, the distinct stems
 * are all kept ('|'-joined, in language order) and each gives a WORD
 * feature; the model learns which of them carry weight. A token is a
 * stopword when it is one in any configured language (lists are chosen so
 * that this never hides content words of another language, stopwords.c).
 * Language "none" disables stemming: the stem is the normalized word.
 *
 * Chunks (letters/digits joined by - / . ' _) become:
 *   ALNUM   the whole chunk, when it has letters and digits and no letter
 *           part longer than 3 code points ("x200", "rtx-3080", "205/55r16");
 *   else one token per part: digits -> NUMBER, digits+unit -> QUANTITY,
 *           other mixed -> ALNUM, letters -> WORD. Elisions are dropped
 *           ("l'huile" -> "huile", "qu'il" -> "il"), so is an English
 *           possessive "'s", and a single letter before a hyphen is glued
 *           to the next word ("t-shirt" -> "tshirt", "e-mail" -> "email"). */
#include <stdio.h>
#include <string.h>

#include "bytes.h"
#include "text.h"

#define KEEP_NORM_BYTES (1u << 18)   /* 4x the default text limit */

/* The tokens are packed, as a long text may have a token per two bytes ("x
 * y z ...", or U+FDFA: 3 bytes that NFKC swells into four words). A token
 * names an entry of the pool: an ENTRY_HDR-byte header (type | flags << 4,
 * n_stems | same << 4, unit_len, the text's length or 255 when longer), the
 * text and its NUL, then the stems and their NUL unless they are the text
 * itself (same) or none. In a text of INTERN_MIN_TEXT bytes or more, each
 * distinct (type, unit, text) has one entry, found again through a
 * direct-mapped table of at most INTERN_SLOTS. A token is two to four
 * varints in a stream: min(src_off - the previous token's, FAR_DELTA) << 5
 * | min(src_len, LONG_SPAN) << 1 | phrase_break, then the rest of the
 * offset and of the span when they did not fit, then its entry's offset (a
 * token of U+FDFA or "x y z" takes 2 bytes); every TOK_STRIDE-th token's
 * place in the stream is indexed. A short text (below INTERN_MIN_TEXT)
 * keeps its tokens unpacked instead, as the walks would unpack them again
 * and again. */
#define ENTRY_HDR 4
#define INTERN_SLOTS 4096u     /* the most: a shorter text clears fewer */
#define INTERN_MIN_TEXT 1024u  /* bytes of text from which entries are shared */
#define TOK_STRIDE 32
#define LONG_SPAN 15u
#define FAR_DELTA ((1u << 27) - 1)
#define WINDOW_BYTES (1u << 14)   /* of the text normalized at a time (tokenize_text) */
#define RUN_BYTES (1u << 16)      /* normalized bytes without a cut held at most */

typedef struct tok_mark {
    size_t pos;                /* stream offset of token k * TOK_STRIDE */
    uint32_t prev_src;         /* src_off of the token before it */
} tok_mark;

struct hsc__analyzer {
    hsc__alloc alloc;
    hsc__textspec spec;
    hsc__runtime rt;
    hsc__tokenizer *tk;
    hsc__stemmers stem;
    hsc__stem_cache stem_cache;
    hsc__wordset stop;
    hsc__norm norm;
    hsc__buf pool;           /* entries: distinct token texts and their stems */
    uint32_t *intern;        /* entry offset + 1 by hash, 0: free */
    uint32_t n_intern;       /* slots in use for this text (a power of two) */
    hsc__buf toks;           /* the packed tokens */
    tok_mark *marks;
    size_t n_tok, cap_marks;
    uint32_t last_src;       /* src_off of the last token packed */
    hsc__token cur;          /* the token being built */
    int use_view;            /* a short text: its tokens unpacked in view, not packed */
    hsc__token *view;
    size_t cap_view;
    int keep_features;       /* 1: hsc__analyze keeps them in feat */
    hsc__feature *feat;
    size_t n_feat, cap_feat;
    hsc__buf scratch;
    hsc__featurizer fz;
    size_t bigram_prev;      /* token index, SIZE_MAX when none */
    hsc__token bigram_tok;   /* that token */
    size_t prev_end;         /* normalized offset where the last token ended */
    int pending_break;       /* punctuation after it, in the window before */
    size_t window;           /* WINDOW_BYTES (tests: others) */
    char detail[96];
};

int hsc__analyzer_new(const hsc__alloc *a, const hsc__textspec *spec, const hsc__runtime *rt,
                      hsc__analyzer **out)
{
    hsc__analyzer *an;
    int st;

    if (out == NULL || spec == NULL || rt == NULL)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    if (spec->buckets == 0 || spec->n_langs > HSC__MAX_LANGS || spec->word_ngrams < 1 ||
        spec->word_ngrams > 2)
        return HSC_E_INVALID_ARG;
    if (spec->tokenizer_version != HSC__TOKENIZER_VERSION)
        return HSC_E_MODEL_MISMATCH; /* text would not become the same features */
    for (uint32_t i = 0; i < spec->n_langs; i++)
        if (hsc__lang_name(spec->langs[i]) == NULL)
            return HSC_E_BAD_LANGUAGE;
    an = hsc__calloc(a, 1, sizeof *an);
    if (an == NULL)
        return HSC_E_NOMEM;
    if (a != NULL)
        an->alloc = *a;
    an->spec = *spec;
    an->rt = *rt;
    an->fz.alloc = &an->alloc;
    an->fz.spec = &an->spec;
    an->keep_features = 1;
    an->window = WINDOW_BYTES;
    an->fz.scratch = &an->scratch;
    st = hsc__tokenizer_new(&an->alloc, rt->match_limit, &an->tk);
    if (st == HSC_OK)
        st = hsc__stemmers_init(&an->spec, &an->stem);
    if (st == HSC_OK)
        st = hsc__stem_cache_init(&an->alloc, &an->stem_cache);
    if (st == HSC_OK)
        st = hsc__stopwords_build(&an->alloc, &an->spec, &an->stop);
    if (st == HSC_OK && (an->intern = hsc__calloc(a, INTERN_SLOTS, sizeof *an->intern)) == NULL)
        st = HSC_E_NOMEM;
    if (st == HSC_OK &&
        (an->fz.grams = hsc__calloc(a, HSC__GRAM_MEMO_SLOTS, sizeof *an->fz.grams)) == NULL)
        st = HSC_E_NOMEM;
    if (st != HSC_OK) {
        hsc__analyzer_free(an);
        return st;
    }
    *out = an;
    return HSC_OK;
}

void hsc__analyzer_free(hsc__analyzer *an)
{
    hsc__alloc a;
    if (an == NULL)
        return;
    a = an->alloc;
    hsc__tokenizer_free(an->tk);
    hsc__stemmers_free(&an->stem);
    hsc__stem_cache_free(&a, &an->stem_cache);
    hsc__wordset_free(&a, &an->stop);
    hsc__norm_free(&a, &an->norm);
    hsc__buf_free(&a, &an->pool);
    hsc__free(&a, an->intern);
    hsc__free(&a, an->fz.grams);
    hsc__buf_free(&a, &an->toks);
    hsc__free(&a, an->view);
    hsc__free(&a, an->marks);
    hsc__free(&a, an->feat);
    hsc__buf_free(&a, &an->scratch);
    hsc__free(&a, an);
}

void hsc__analyzer_set_runtime(hsc__analyzer *an, const hsc__runtime *rt)
{
    an->rt = *rt;
    hsc__tokenizer_set_limit(an->tk, rt->match_limit);
}

size_t hsc__analyzer_token_count(const hsc__analyzer *an) { return an->n_tok; }
const char *hsc__analyzer_pool(const hsc__analyzer *an) { return an->pool.data; }
size_t hsc__analyzer_feature_count(const hsc__analyzer *an) { return an->n_feat; }
const hsc__feature *hsc__analyzer_features(const hsc__analyzer *an) { return an->feat; }
void hsc__analyzer_keep_features(hsc__analyzer *an, int keep) { an->keep_features = keep; }
void hsc__analyzer_set_window(hsc__analyzer *an, size_t bytes) { an->window = bytes ? bytes : 1; }

void hsc__analyzer_gram_memo(hsc__analyzer *an, int on)
{
    if (!on) {
        hsc__free(&an->alloc, an->fz.grams);
        an->fz.grams = NULL;
    } else if (an->fz.grams == NULL) {
        an->fz.grams = hsc__calloc(&an->alloc, HSC__GRAM_MEMO_SLOTS, sizeof *an->fz.grams);
    }
}
const char *hsc__analyzer_error_detail(const hsc__analyzer *an) { return an->detail; }

/* "message: 12" into the detail buffer (cut to fit). */
static void set_detail(hsc__analyzer *an, const char *msg, size_t n)
{
    char num[24];
    size_t k = hsc__format_number(num, sizeof num, (double)n, 17);
    size_t len = strlen(msg);
    if (len + k + 1 > sizeof an->detail)
        len = sizeof an->detail - k - 1;
    memcpy(an->detail, msg, len);
    memcpy(an->detail + len, num, k + 1);
}

/* ---- building tokens ------------------------------------------------------ */

/* Token offsets into the pool are 32-bit: enough for 2^30 bytes of text
 * unless its normalized form swells it past 4 GiB. */
static int pool_fits(hsc__analyzer *an)
{
    if (an->pool.len < UINT32_MAX)
        return 1;
    snprintf(an->detail, sizeof an->detail, "its normalized tokens take more than %lu bytes",
             (unsigned long)UINT32_MAX);
    return 0;
}

/* Start a token whose normalized text will be appended to the pool, after
 * room for its entry's header. */
static int begin_token(hsc__analyzer *an, uint32_t type, size_t nb, size_t ne, hsc__token **t)
{
    int st = hsc__buf_reserve(&an->alloc, &an->pool, ENTRY_HDR);
    if (st != HSC_OK)
        return st;
    memset(an->pool.data + an->pool.len, 0, ENTRY_HDR);
    an->pool.len += ENTRY_HDR;
    if (!pool_fits(an))
        return HSC_E_TEXT_TOO_LONG;
    *t = &an->cur;
    memset(*t, 0, sizeof **t);
    (*t)->type = (uint8_t)type;
    (*t)->norm_off = (uint32_t)an->pool.len;
    (*t)->phrase_break = (uint8_t)an->pending_break;
    an->pending_break = 0;
    for (size_t i = an->prev_end; i < nb && i < an->norm.text.len; i++)
        if (strchr(",;:()[]", an->norm.text.data[i]) != NULL)
            (*t)->phrase_break = 1;
    an->prev_end = ne;
    size_t off, len;   /* within the text, whose length is below 2^32 (hsc__normalize) */
    hsc__norm_span(&an->norm, nb, ne, &off, &len);
    (*t)->src_off = (uint32_t)off;
    (*t)->src_len = (uint32_t)len;
    return HSC_OK;
}

/* Close the normalized text (NUL); no stems yet. */
static int end_norm(hsc__analyzer *an, hsc__token *t)
{
    int st = hsc__buf_append(&an->alloc, &an->pool, "", 1);
    if (st != HSC_OK)
        return st;
    if (!pool_fits(an))
        return HSC_E_TEXT_TOO_LONG;
    t->norm_len = (uint32_t)(an->pool.len - 1 - t->norm_off);
    return HSC_OK;
}

static const char *pool_at(const hsc__analyzer *an, size_t off) { return an->pool.data + off; }

/* Append bytes that may live in the pool itself (the "none" stemmer returns
 * the word): reserve first, then locate them again. */
static int pool_append(hsc__analyzer *an, const char *s, size_t len)
{
    hsc__buf *b = &an->pool;
    size_t off = SIZE_MAX;
    int st;
    if (b->data != NULL && s >= b->data && s < b->data + b->cap)
        off = (size_t)(s - b->data);
    st = hsc__buf_reserve(&an->alloc, b, len);
    if (st != HSC_OK)
        return st;
    return hsc__buf_append(&an->alloc, b, off == SIZE_MAX ? s : b->data + off, len);
}

/* Stems of a WORD token: the distinct stems of every language. */
static int add_stems(hsc__analyzer *an, hsc__token *t)
{
    size_t first = an->pool.len, clen;   /* right after the text's NUL */
    uint32_t n_st = an->stem.n > 0 ? an->stem.n : 1, n_cached;
    const char *cached;
    int st;

    if (hsc__stem_cache_get(&an->stem_cache, pool_at(an, t->norm_off), t->norm_len, &cached,
                            &clen, &n_cached)) {
        t->n_stems = (uint8_t)n_cached;
        st = hsc__buf_append(&an->alloc, &an->pool, cached, clen);
        if (st != HSC_OK)
            return st;
        return hsc__buf_append(&an->alloc, &an->pool, "", 1);
    }

    for (uint32_t i = 0; i < n_st; i++) {
        const char *s;
        size_t len, at = first;
        int dup = 0;
        /* The stemmer's output is borrowed: copy it before the next call. */
        st = hsc__stem(&an->stem, i, pool_at(an, t->norm_off), t->norm_len, &s, &len);
        if (st != HSC_OK)
            return st;
        if (len == 0)
            len = t->norm_len, s = pool_at(an, t->norm_off); /* keep the word */
        for (uint32_t k = 0; k < t->n_stems && !dup; k++) {
            const char *p = pool_at(an, at);
            const char *bar = memchr(p, '|', an->pool.len - at);
            size_t plen = bar != NULL ? (size_t)(bar - p) : an->pool.len - at;
            dup = plen == len && memcmp(p, s, len) == 0;
            at += plen + 1;
        }
        if (dup)
            continue;
        st = t->n_stems > 0 ? hsc__buf_append(&an->alloc, &an->pool, "|", 1) : HSC_OK;
        if (st == HSC_OK)
            st = pool_append(an, s, len);
        if (st != HSC_OK)
            return st;
        t->n_stems++;
    }
    hsc__stem_cache_put(&an->stem_cache, pool_at(an, t->norm_off), t->norm_len,
                        pool_at(an, first), an->pool.len - first, t->n_stems);
    return hsc__buf_append(&an->alloc, &an->pool, "", 1);
}

/* ---- the packed tokens ---------------------------------------------------- */

/* The next varint of the stream (written by commit_token: it is there). */
static uint32_t next_varint(const hsc__analyzer *an, size_t *pos)
{
    uint32_t v = 0;
    (void)hsc__varint_get((const uint8_t *)an->toks.data, an->toks.len, pos, &v);
    return v;
}

/* The first varint of a token: its offset from the last token's and its
 * span; a larger offset follows in a varint of its own. */
static void token_head(const hsc__analyzer *an, size_t *pos, uint32_t *delta, uint32_t *len,
                       uint8_t *brk)
{
    uint32_t head = next_varint(an, pos);
    *delta = head >> 5;
    if (*delta == FAR_DELTA)
        *delta += next_varint(an, pos);
    *len = (head >> 1) & LONG_SPAN;
    if (*len == LONG_SPAN)
        *len += next_varint(an, pos);
    *brk = (uint8_t)(head & 1u);
}

/* The token at it (there is one), it moved past it. */
static void unpack(const hsc__analyzer *an, hsc__tok_iter *it, hsc__token *t)
{
    uint32_t delta;
    token_head(an, &it->pos, &delta, &t->src_len, &t->phrase_break);
    t->src_off = it->prev_src + delta;
    size_t entry = next_varint(an, &it->pos);
    const unsigned char *h = (const unsigned char *)an->pool.data + entry;
    t->type = h[0] & 0xFu;
    t->flags = h[0] >> 4;
    t->n_stems = h[1] & 0xFu;
    t->unit_len = h[2];
    t->norm_off = (uint32_t)(entry + ENTRY_HDR);
    t->norm_len = h[3] < 255 ? h[3] : (uint32_t)strlen(an->pool.data + t->norm_off);
    t->stems_off = t->n_stems == 0 ? t->norm_off + t->norm_len
                   : (h[1] >> 4)   ? t->norm_off
                                   : t->norm_off + t->norm_len + 1u;
    it->prev_src = t->src_off;
    it->i++;
}

/* The entry at off holds (type, unit_len, text)? */
static int entry_is(const hsc__analyzer *an, size_t off, const hsc__token *t)
{
    const unsigned char *h = (const unsigned char *)pool_at(an, off);
    const char *text = pool_at(an, off + ENTRY_HDR);
    return (h[0] & 0xFu) == t->type && h[2] == t->unit_len &&
           memcmp(text, pool_at(an, t->norm_off), t->norm_len + 1u) == 0;
}

/* The token built in an->cur, its text closed: reuse the entry of an equal
 * token, or finish its own (stopword, stems, header); then pack it. */
static int commit_token(hsc__analyzer *an)
{
    hsc__token *t = &an->cur;
    size_t entry = t->norm_off - ENTRY_HDR;
    const char *text = pool_at(an, t->norm_off);
    uint32_t slot = 0, at = 0;
    int st = HSC_OK;

    if (an->n_intern > 0) {
        slot = (uint32_t)hsc__hash(t->unit_len, t->type, text, t->norm_len) & (an->n_intern - 1);
        at = an->intern[slot];
    }
    if (at != 0 && entry_is(an, at - 1u, t)) {
        an->pool.len = entry;   /* the same text again */
        an->pool.data[entry] = '\0';
        entry = at - 1u;
    } else {
        int same = 0;
        if (t->type == HSC_TOKEN_WORD) {
            if (hsc__wordset_has(&an->stop, text, t->norm_len))
                t->flags |= HSC_TOKEN_FLAG_STOPWORD;
            else
                st = add_stems(an, t);
            if (st != HSC_OK)
                return st;
            text = pool_at(an, t->norm_off);   /* the pool may have moved */
            same = t->n_stems == 1 && strcmp(text + t->norm_len + 1, text) == 0;
            if (same) {
                an->pool.len = t->norm_off + t->norm_len + 1u;
                an->pool.data[an->pool.len] = '\0';
            }
        }
        if (!pool_fits(an))
            return HSC_E_TEXT_TOO_LONG;
        unsigned char *h = (unsigned char *)an->pool.data + entry;
        h[0] = (unsigned char)(t->type | t->flags << 4);
        h[1] = (unsigned char)(t->n_stems | same << 4);
        h[2] = t->unit_len;
        h[3] = (unsigned char)(t->norm_len < 255 ? t->norm_len : 255);
        if (an->n_intern > 0)
            an->intern[slot] = (uint32_t)entry + 1u;
    }
    if (an->use_view) {   /* a short text's tokens are kept unpacked */
        if (an->n_tok == an->cap_view) {
            size_t cap = an->cap_view ? 2 * an->cap_view : 64;
            hsc__token *v = hsc__realloc_array(&an->alloc, an->view, cap, sizeof *v);
            if (v == NULL)
                return HSC_E_NOMEM;
            an->view = v;
            an->cap_view = cap;
        }
        hsc__token *v = &an->view[an->n_tok];   /* as unpack gives it back */
        *v = *t;
        v->stems_off = v->n_stems == 0                         ? v->norm_off + v->norm_len
                       : (an->pool.data[entry + 1] & 0xF0) != 0 ? v->norm_off
                                                               : v->norm_off + v->norm_len + 1u;
        an->n_tok++;
        return HSC_OK;
    }
    if (an->n_tok % TOK_STRIDE == 0) {
        size_t k = an->n_tok / TOK_STRIDE;
        if (k == an->cap_marks) {
            size_t cap = k ? 2 * k : 16;
            tok_mark *m = hsc__realloc_array(&an->alloc, an->marks, cap, sizeof *m);
            if (m == NULL)
                return HSC_E_NOMEM;
            an->marks = m;
            an->cap_marks = cap;
        }
        an->marks[k].pos = an->toks.len;
        an->marks[k].prev_src = an->last_src;
    }
    st = hsc__buf_reserve(&an->alloc, &an->toks, 30);
    if (st != HSC_OK)
        return st;
    uint32_t delta = t->src_off - an->last_src;
    uint32_t d = delta < FAR_DELTA ? delta : FAR_DELTA;
    uint32_t l = t->src_len < LONG_SPAN ? t->src_len : LONG_SPAN;
    uint8_t *p = (uint8_t *)an->toks.data;
    size_t n = an->toks.len;
    n += hsc__varint_put(p + n, d << 5 | l << 1 | t->phrase_break);
    if (d == FAR_DELTA)
        n += hsc__varint_put(p + n, delta - FAR_DELTA);
    if (l == LONG_SPAN)
        n += hsc__varint_put(p + n, t->src_len - LONG_SPAN);
    n += hsc__varint_put(p + n, (uint32_t)entry);
    an->toks.len = n;
    an->last_src = t->src_off;
    an->n_tok++;
    return HSC_OK;
}

void hsc__analyzer_seek(const hsc__analyzer *an, size_t i, hsc__tok_iter *it)
{
    memset(it, 0, sizeof *it);
    if (an->use_view)
        it->i = i;
    if (an->n_tok == 0 || an->use_view)
        return;
    if (i > an->n_tok)
        i = an->n_tok;
    size_t k = (i < an->n_tok ? i : an->n_tok - 1) / TOK_STRIDE;
    it->i = k * TOK_STRIDE;
    it->pos = an->marks[k].pos;
    it->prev_src = an->marks[k].prev_src;
    for (; it->i < i; it->i++) {
        uint32_t delta, len;
        uint8_t brk;
        token_head(an, &it->pos, &delta, &len, &brk);
        it->prev_src += delta;
        (void)next_varint(an, &it->pos);
    }
}

int hsc__analyzer_next(const hsc__analyzer *an, hsc__tok_iter *it, hsc__token *t)
{
    if (it->i >= an->n_tok)
        return 0;
    if (an->use_view)
        *t = an->view[it->i++];
    else
        unpack(an, it, t);
    return 1;
}

hsc__token hsc__analyzer_token(const hsc__analyzer *an, size_t i)
{
    hsc__tok_iter it;
    hsc__token t;
    memset(&t, 0, sizeof t);
    hsc__analyzer_seek(an, i, &it);
    (void)hsc__analyzer_next(an, &it, &t);
    return t;
}

/* ---- features ------------------------------------------------------------- */

/* What a token contributes to a bigram: its first stem, or an ALNUM's text. */
static const char *bigram_part(const hsc__analyzer *an, const hsc__token *t, size_t *len)
{
    const char *p;
    const char *bar;
    if (t->type != HSC_TOKEN_WORD) {
        *len = t->norm_len;
        return pool_at(an, t->norm_off);
    }
    p = hsc__token_stems(an->pool.data, t);
    bar = strchr(p, '|');
    *len = bar != NULL ? (size_t)(bar - p) : strlen(p);
    return p;
}

static int bigram(hsc__analyzer *an, const hsc__token *t, size_t i)
{
    int st = HSC_OK;
    if (an->spec.word_ngrams < 2)
        return HSC_OK;
    if (an->bigram_prev != SIZE_MAX) {
        size_t alen, blen;
        const char *a = bigram_part(an, &an->bigram_tok, &alen);
        const char *b = bigram_part(an, t, &blen);
        st = hsc__feat_bigram(&an->fz, a, alen, b, blen, (uint32_t)an->bigram_prev);
    }
    an->bigram_prev = i;
    an->bigram_tok = *t;
    return st;
}

/* Features of token i, given the tokens before it (bigram_prev). */
static int featurize(hsc__analyzer *an, const hsc__token *t, size_t i)
{
    const char *norm = pool_at(an, t->norm_off);
    uint32_t ti = (uint32_t)i;
    int st;

    if (t->flags & HSC_TOKEN_FLAG_STOPWORD)
        return HSC_OK; /* transparent for bigrams too */
    switch (t->type) {
    case HSC_TOKEN_WORD: {
        const char *s = hsc__token_stems(an->pool.data, t);
        for (uint32_t k = 0; k < t->n_stems; k++) {
            const char *bar = strchr(s, '|');
            size_t len = bar != NULL ? (size_t)(bar - s) : strlen(s);
            st = hsc__feat_stem(&an->fz, s, len, ti);
            if (st != HSC_OK)
                return st;
            s += len + 1;
        }
        st = hsc__feat_chargrams(&an->fz, norm, t->norm_len, ti);
        if (st == HSC_OK)
            st = hsc__feat_skeleton(&an->fz, norm, t->norm_len, ti);
        if (st != HSC_OK)
            return st;
        return bigram(an, t, i);
    }
    case HSC_TOKEN_ALNUM:
        /* Not stemmed: its "stem" for bigrams is its text. */
        st = hsc__feat_alnum(&an->fz, norm, t->norm_len, ti);
        if (st != HSC_OK)
            return st;
        return bigram(an, t, i);
    case HSC_TOKEN_NUMBER:
        an->bigram_prev = SIZE_MAX;
        return hsc__feat_number(&an->fz, norm, t->norm_len, ti);
    case HSC_TOKEN_QUANTITY:
        an->bigram_prev = SIZE_MAX;
        return hsc__feat_quantity(&an->fz, norm, t->norm_len, t->norm_len - t->unit_len, ti);
    case HSC_TOKEN_CODE:
        an->bigram_prev = SIZE_MAX;
        return hsc__feat_code(&an->fz, norm, t->norm_len, ti);
    default:
        return HSC_E_INTERNAL;
    }
}

/* ---- token kinds ---------------------------------------------------------- */

static int emit_simple(hsc__analyzer *an, uint32_t type, size_t nb, size_t ne, const char *text,
                       size_t len)
{
    hsc__token *t;
    int st = begin_token(an, type, nb, ne, &t);
    if (st == HSC_OK)
        st = hsc__buf_append(&an->alloc, &an->pool, text, len);
    if (st == HSC_OK)
        st = end_norm(an, t);
    if (st != HSC_OK)
        return st;
    return commit_token(an);
}

static int emit_number(hsc__analyzer *an, size_t nb, size_t ne)
{
    const char *s = an->norm.text.data;
    hsc__token *t;
    int st = begin_token(an, HSC_TOKEN_NUMBER, nb, ne, &t);
    if (st == HSC_OK)
        st = hsc__buf_reserve(&an->alloc, &an->pool, ne - nb);
    if (st != HSC_OK)
        return st;
    an->pool.len += hsc__number_canon(s + nb, ne - nb, an->pool.data + an->pool.len);
    st = end_norm(an, t);
    if (st != HSC_OK)
        return st;
    return commit_token(an);
}

static int emit_code(hsc__analyzer *an, const hsc__match *m)
{
    const char *s = an->norm.text.data;
    hsc__token *t;
    int st = begin_token(an, HSC_TOKEN_CODE, m->begin, m->end, &t);
    if (st == HSC_OK)
        st = hsc__buf_reserve(&an->alloc, &an->pool, m->end - m->begin);
    if (st != HSC_OK)
        return st;
    for (size_t i = m->begin; i < m->end; i++)
        if (s[i] >= '0' && s[i] <= '9')
            an->pool.data[an->pool.len++] = s[i];
    st = end_norm(an, t);
    if (st != HSC_OK)
        return st;
    return commit_token(an);
}

/* "2 x 5,5 kgs" -> "2x5.5kg": numbers canonical, multipliers 'x', unit
 * canonical. */
static int emit_quantity(hsc__analyzer *an, size_t nb, size_t ub, size_t ue, size_t ne)
{
    const char *s = an->norm.text.data;
    const hsc__unit *u = hsc__unit_find(s + ub, ue - ub);
    size_t i = nb;
    hsc__token *t;
    int st;

    if (u == NULL)
        return HSC_E_INTERNAL; /* the pattern only matches known units */
    st = begin_token(an, HSC_TOKEN_QUANTITY, nb, ne, &t);
    if (st == HSC_OK)
        st = hsc__buf_reserve(&an->alloc, &an->pool, (ub - nb) + strlen(u->canon));
    if (st != HSC_OK)
        return st;
    while (i < ub) {
        size_t j = i;
        while (j < ub && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.' || s[j] == ','))
            j++;
        if (j > i) {
            an->pool.len += hsc__number_canon(s + i, j - i, an->pool.data + an->pool.len);
            i = j;
        } else {
            if (s[i] != ' ')
                an->pool.data[an->pool.len++] = 'x'; /* x, *, U+00D7 */
            i++;
            while (i < ub && ((unsigned char)s[i] & 0xC0) == 0x80)
                i++;
        }
    }
    t->unit_len = (uint32_t)strlen(u->canon) & 0xFFu;   /* "kg", "%": a few bytes */
    memcpy(an->pool.data + an->pool.len, u->canon, strlen(u->canon));
    an->pool.len += strlen(u->canon);
    st = end_norm(an, t);
    if (st != HSC_OK)
        return st;
    return commit_token(an);
}

static int emit_word(hsc__analyzer *an, size_t nb, size_t ne, const char *a, size_t alen,
                     const char *b, size_t blen)
{
    hsc__token *t;
    int st = begin_token(an, HSC_TOKEN_WORD, nb, ne, &t);
    if (st == HSC_OK)
        st = hsc__buf_append(&an->alloc, &an->pool, a, alen);
    if (st == HSC_OK)
        st = hsc__buf_append(&an->alloc, &an->pool, b, blen);
    if (st == HSC_OK)
        st = end_norm(an, t);
    if (st != HSC_OK)
        return st;
    return commit_token(an);
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Chunk parts are split at - / . ' _ and "," except a '.' or ',' between
 * digits, which belongs to a number ("3,5-4,5" -> 3.5, 4.5). */
static int splits(const char *s, size_t cb, size_t ce, size_t i)
{
    char c = s[i];
    if (c == '.' || c == ',')
        return !(i > cb && i + 1 < ce && is_digit(s[i - 1]) && is_digit(s[i + 1]));
    return c == '-' || c == '/' || c == '\'' || c == '_';
}

static int is_elision(const char *p, size_t n)
{
    static const char *const el[] = {"l", "d", "j", "m", "n", "s", "t", "c", "qu", "lorsqu",
                                     "puisqu", "jusqu", "quoiqu", "presqu"};
    for (size_t i = 0; i < sizeof el / sizeof el[0]; i++)
        if (strlen(el[i]) == n && memcmp(el[i], p, n) == 0)
            return 1;
    return 0;
}

/* A mixed part: "2kg" is a QUANTITY, anything else an ALNUM. */
static int emit_mixed(hsc__analyzer *an, size_t b, size_t e)
{
    const char *s = an->norm.text.data;
    size_t k = b;
    while (k < e && (is_digit(s[k]) || s[k] == ',' || s[k] == '.'))
        k++;
    if (k > b && is_digit(s[b]) && k < e && hsc__unit_find(s + k, e - k) != NULL)
        return emit_quantity(an, b, k, e, e);
    return emit_simple(an, HSC_TOKEN_ALNUM, b, e, s + b, e - b);
}

static int emit_chunk(hsc__analyzer *an, size_t cb, size_t ce)
{
    const char *s = an->norm.text.data;
    int digits = 0, letters = 0, long_letter_part = 0;
    size_t p, glue = SIZE_MAX; /* start of a pending single letter + '-' */
    int st;

    /* Classify the parts once. */
    for (p = cb; p < ce;) {
        size_t e = p, cps = 0;
        int d = 0, l = 0;
        while (e < ce && !splits(s, cb, ce, e)) {
            if (is_digit(s[e]) || s[e] == '.' || s[e] == ',')
                d = 1;
            else
                l = 1;
            if (((unsigned char)s[e] & 0xC0) != 0x80)
                cps++;
            e++;
        }
        digits |= d;
        letters |= l;
        if (l && !d && cps > 3)
            long_letter_part = 1;
        p = e + 1;
    }
    if (digits && letters && !long_letter_part)
        return emit_simple(an, HSC_TOKEN_ALNUM, cb, ce, s + cb, ce - cb);

    for (p = cb; p < ce;) {
        size_t e = p;
        int d = 0, l = 0;
        char before = p > cb ? s[p - 1] : 0, after;
        while (e < ce && !splits(s, cb, ce, e)) {
            if (is_digit(s[e]) || s[e] == '.' || s[e] == ',')
                d = 1;
            else
                l = 1;
            e++;
        }
        after = e < ce ? s[e] : 0;
        st = HSC_OK;
        if (glue != SIZE_MAX && l && !d) {
            st = emit_word(an, glue, e, s + glue, 1, s + p, e - p);   /* t-shirt */
            glue = SIZE_MAX;
            if (st != HSC_OK)
                return st;
            p = e + 1;
            continue;
        }
        if (glue != SIZE_MAX) {
            st = emit_word(an, glue, glue + 1, s + glue, 1, "", 0);
            glue = SIZE_MAX;
        }
        if (st != HSC_OK)
            return st;
        if (d && l)
            st = emit_mixed(an, p, e);
        else if (d)
            st = emit_number(an, p, e);
        else if (after == '\'' && is_elision(s + p, e - p))
            st = HSC_OK;                                       /* l'huile */
        else if (before == '\'' && e - p == 1 && s[p] == 's')
            st = HSC_OK;                                       /* men's */
        else if (after == '-' && e - p == 1 && e + 1 < ce && !is_digit(s[e + 1]))
            glue = p;                                          /* t-shirt */
        else
            st = emit_word(an, p, e, s + p, e - p, "", 0);
        if (st != HSC_OK)
            return st;
        p = e + 1;
    }
    if (glue != SIZE_MAX)
        return emit_word(an, glue, glue + 1, s + glue, 1, "", 0);
    return HSC_OK;
}

/* ---- the head phrase ------------------------------------------------------ */

/* A description names its goods first and then says what they are in, for
 * or with: "riz brise en sacs de 25kg", "FROZEN SHRIMP 500G BAG", "sacs pour
 * riz", "pieces pour moto". The head phrase is the first run of words that
 * names goods, up to punctuation, a number or a joining word (en, in, em,
 * with, avec, com, pour, for, para...); "de", "of", "do" stay inside ("sacs
 * de riz"). Within it the goods words win over generic and packaging words
 * ("sacs de riz": riz); a run of only such words is the head when a purpose
 * word follows ("sacs pour riz", "spare parts for motorcycles"). Each head
 * word adds a HEAD feature, so that the goods outweigh their packaging,
 * quantity and purpose in the model. */

enum { JOIN_NONE, JOIN_OTHER, JOIN_PURPOSE };

static int join_word(const char *s, size_t len)
{
    static const char *const purpose[] = {"for", "pour", "para", "p", NULL};
    static const char *const other[] = {"in", "into", "with", "from", "en", "avec", "dans", "sur",
                                        "em", "com", "no", "na", "con", NULL};
    for (size_t i = 0; purpose[i] != NULL; i++)
        if (strlen(purpose[i]) == len && memcmp(purpose[i], s, len) == 0)
            return JOIN_PURPOSE;
    for (size_t i = 0; other[i] != NULL; i++)
        if (strlen(other[i]) == len && memcmp(other[i], s, len) == 0)
            return JOIN_OTHER;
    return JOIN_NONE;
}

/* What ends a run before token i: JOIN_* (a number or punctuation counts as
 * JOIN_OTHER), or JOIN_NONE when i continues it. */
static int run_break(const hsc__analyzer *an, const hsc__token *t)
{
    if (t->type == HSC_TOKEN_NUMBER || t->type == HSC_TOKEN_QUANTITY || t->type == HSC_TOKEN_CODE)
        return JOIN_OTHER;
    if (t->type == HSC_TOKEN_WORD) {
        int j = join_word(pool_at(an, t->norm_off), t->norm_len);
        if (j != JOIN_NONE)
            return j;
    }
    return JOIN_NONE;
}

static int is_goods_word(const hsc__analyzer *an, const hsc__token *t)
{
    return t->type == HSC_TOKEN_WORD && !(t->flags & HSC_TOKEN_FLAG_STOPWORD) &&
           !hsc__generic_word(pool_at(an, t->norm_off), t->norm_len);
}

static int add_head(hsc__analyzer *an, size_t from, size_t to, int goods)
{
    int rc = HSC_OK;
    hsc__tok_iter it;
    hsc__token tok;
    hsc__analyzer_seek(an, from, &it);
    for (size_t i = from; i < to && rc == HSC_OK && hsc__analyzer_next(an, &it, &tok); i++) {
        const hsc__token *t = &tok;
        if (t->type != HSC_TOKEN_WORD || (t->flags & HSC_TOKEN_FLAG_STOPWORD) ||
            is_goods_word(an, t) != goods)
            continue;
        size_t len;
        const char *stem = bigram_part(an, t, &len);
        rc = hsc__feat_add(&an->fz, HSC__FK_HEAD, stem, len, (uint32_t)i);
    }
    return rc;
}

static int head_features(hsc__analyzer *an)
{
    size_t start = 0;
    hsc__tok_iter it;
    hsc__token tok;
    const hsc__token *t = &tok;
    int have = 0;   /* tok is token start already (the last run's break) */
    hsc__analyzer_seek(an, 0, &it);
    while (start < an->n_tok) {
        size_t end = start;
        int goods = 0, generic = 0, brk = JOIN_NONE;
        for (; end < an->n_tok; end++) {
            if (!have)
                (void)hsc__analyzer_next(an, &it, &tok);
            have = 0;
            if (end > start && t->phrase_break) {
                brk = JOIN_OTHER;
                break;
            }
            if ((brk = run_break(an, t)) != JOIN_NONE)
                break;
            if (is_goods_word(an, t))
                goods++;
            else if (t->type == HSC_TOKEN_WORD && !(t->flags & HSC_TOKEN_FLAG_STOPWORD))
                generic++;
        }
        if (goods > 0)
            return add_head(an, start, end, 1);
        if (generic > 0 && brk == JOIN_PURPOSE)
            return add_head(an, start, end, 0);
        start = end + 1;   /* past the break token (or the end) */
        if (end < an->n_tok && t->phrase_break && run_break(an, t) == JOIN_NONE) {
            start = end;   /* punctuation before a word: the word starts the next run */
            have = 1;
        }
    }
    return HSC_OK;
}

/* ---- the pipeline --------------------------------------------------------- */

int hsc__analyzer_each_feature(hsc__analyzer *an, hsc__feature_fn fn, void *user)
{
    int st = HSC_OK;
    an->fz.emit = fn;
    an->fz.user = user;
    an->bigram_prev = SIZE_MAX;
    hsc__tok_iter it;
    hsc__token t;
    hsc__analyzer_seek(an, 0, &it);
    for (size_t i = 0; st == HSC_OK && hsc__analyzer_next(an, &it, &t); i++)
        st = featurize(an, &t, i);
    if (st == HSC_OK && an->spec.feature_version >= 2)
        st = head_features(an);
    return st;
}

static int keep_feature(void *user, const hsc__feature *f)
{
    hsc__analyzer *an = user;
    if (an->n_feat == an->cap_feat) {
        hsc__feature *p = hsc__grow_array(&an->alloc, an->feat, &an->cap_feat, an->n_feat + 1,
                                          sizeof *p, 256);
        if (p == NULL)
            return HSC_E_NOMEM;
        an->feat = p;
    }
    an->feat[an->n_feat++] = *f;
    return HSC_OK;
}

/* The tokens of normalized bytes [start, stop) of the window; base: the
 * window's first byte in the whole normalized text. */
static int tokenize_window(hsc__analyzer *an, size_t start, size_t stop, size_t base)
{
    int st;
    for (;;) {
        hsc__match m;
        int found;
        st = hsc__tokenizer_next(an->tk, an->norm.text.data, stop, start, &m, &found);
        if (st == HSC_E_REGEX_LIMIT)
            set_detail(an, "tokenizer match limit hit at normalized byte ", base + start);
        if (st != HSC_OK || !found)
            return st;
        switch (m.kind) {
        case HSC__M_CODE: st = emit_code(an, &m); break;
        case HSC__M_QTY: st = emit_quantity(an, m.begin, m.unit_begin, m.unit_end, m.end); break;
        case HSC__M_NUM: st = emit_number(an, m.begin, m.end); break;
        default: st = emit_chunk(an, m.begin, m.end); break;
        }
        if (st != HSC_OK)
            return st;
        start = m.end;
    }
}

/* A space inside a token (tokenize.c) is in "8703 23" (digits on both
 * sides), "2 x 5", "2 * 5", "2 \u00D7 5" (a digit, then a multiplier, or the
 * other way round), "5 kg", "5 \u00B5m", "3 \u00B0c", "5 %" (a digit, then
 * the first byte of a unit): could the space between bytes a and c be? */
static int inner_space(unsigned char a, unsigned char c)
{
    int digit_a = a >= '0' && a <= '9', digit_c = c >= '0' && c <= '9';
    if (digit_a)
        return digit_c || (c >= 'a' && c <= 'z') || c == '*' || c == '%' || c == 0xC2 ||
               c == 0xC3 || c == 0xCE;
    return digit_c && (a == 'x' || a == '*' || a == 0x97);   /* 0x97: the end of U+00D7 */
}

/* The last normalized byte in (after, end - 1) that no token can span nor
 * see past: a space that is not an inner one (and the lookarounds read a
 * space as they read the end of the text). SIZE_MAX: none. */
static size_t last_cut(const hsc__buf *b, size_t after, size_t end)
{
    const unsigned char *s = (const unsigned char *)b->data;
    for (size_t p = end > 1 ? end - 1 : 0; p-- > after + 1;)
        if (s[p] == ' ' && !inner_space(s[p - 1], s[p + 1]))
            return p;
    return SIZE_MAX;
}

static int add_window(hsc__analyzer *an, const char *text, size_t len, size_t from, size_t *to)
{
    size_t want = len - from > an->window ? from + an->window : len;
    size_t end = hsc__norm_cut(text, len, want);
    int st = hsc__norm_add(&an->alloc, text, from, end, an->spec.strip_accents, &an->norm);
    if (st == HSC_E_TEXT_TOO_LONG)
        snprintf(an->detail, sizeof an->detail, "its normalized form takes more than %lu bytes",
                 (unsigned long)UINT32_MAX);
    *to = end;
    return st;
}

/* Normalize and tokenize a window of the text at a time, so that its
 * normalized form (11 times the text for U+FDFA) never exists whole: each
 * window is tokenized up to its last cut (last_cut), and the next one is
 * normalized again from the segment that holds that cut; a window without
 * a cut grows (a text of digits and spaces is one window), up to RUN_BYTES:
 * past that it is cut at its end, which splits the word, code or quantity
 * there (a "word" of 64 KiB is no goods description; holding it whole cost
 * 27 times its length). A text of at most WINDOW_BYTES is one window. */
static int tokenize_text(hsc__analyzer *an, const char *text, size_t len)
{
    size_t to, start = 0, base = 0, after = 0;   /* after: bytes before it have no cut */
    int st;

    an->pending_break = 0;
    hsc__norm_reset(&an->norm);
    st = add_window(an, text, len, 0, &to);
    while (st == HSC_OK) {
        const hsc__buf *b = &an->norm.text;
        size_t stop = b->len, forced = 0;
        if (to < len) {
            stop = last_cut(b, after > start ? after : start, b->len);
            if (stop == SIZE_MAX && b->len - start > RUN_BYTES) {
                stop = b->len;   /* the next window starts at source byte to */
                forced = 1;
            } else if (stop == SIZE_MAX) {   /* grow the window, and look at its new bytes */
                after = b->len > 2 ? b->len - 2 : 0;
                st = add_window(an, text, len, to, &to);
                continue;
            }
        }
        st = tokenize_window(an, start, stop, base);
        if (st != HSC_OK || (stop == b->len && !forced))
            return st;
        for (size_t i = an->prev_end; i < stop; i++)   /* punctuation before the cut */
            if (strchr(",;:()[]", b->data[i]) != NULL)
                an->pending_break = 1;
        size_t seg = forced ? stop : hsc__norm_seg_start(&an->norm, stop);
        size_t from = forced ? to : hsc__norm_src(&an->norm, seg);
        base += seg;
        start = stop - seg;
        after = 0;
        an->prev_end = start;
        hsc__norm_reset(&an->norm);
        st = add_window(an, text, len, from, &to);
    }
    return st;
}

int hsc__analyze(hsc__analyzer *an, const char *text, size_t len)
{
    size_t bad = 0;
    int st;

    an->detail[0] = '\0';
    an->n_tok = 0;
    an->n_feat = 0;
    an->pool.len = 0;
    an->toks.len = 0;
    an->last_src = 0;
    an->prev_end = 0;
    /* Enough intern slots for the text's vocabulary; none for a short text,
     * whose repeats cost little. */
    an->n_intern = 0;
    an->use_view = len < INTERN_MIN_TEXT;
    if (len >= INTERN_MIN_TEXT) {
        for (an->n_intern = 64; an->n_intern < INTERN_SLOTS && an->n_intern < len / 8;)
            an->n_intern *= 2;
        memset(an->intern, 0, an->n_intern * sizeof *an->intern);
    }
    if (text == NULL && len > 0)
        return HSC_E_INVALID_ARG;
    if (len > an->rt.max_text_bytes) {   /* the status says "too long": say by how much */
        snprintf(an->detail, sizeof an->detail, "%zu bytes; the limit is %lu", len,
                 (unsigned long)an->rt.max_text_bytes);
        return HSC_E_TEXT_TOO_LONG;
    }
    if (!an->rt.utf8_replace && hsc__utf8_validate(text, len, &bad) != HSC_OK) {
        set_detail(an, "invalid UTF-8 at byte ", bad);
        return HSC_E_BAD_UTF8;
    }
    st = tokenize_text(an, len > 0 ? text : "", len);
    /* The tokens have all they need of the normalized text: a long one is
     * not kept for the next text (an explanation can use the room). */
    if (an->norm.text.cap > KEEP_NORM_BYTES)
        hsc__norm_free(&an->alloc, &an->norm);
    if (st == HSC_OK && an->keep_features)
        st = hsc__analyzer_each_feature(an, keep_feature, an);
    if (st != HSC_OK) {
        an->n_tok = 0;
        an->n_feat = 0;
    }
    return st;
}
