/* score.c - node logits and best-first search over the HS tree.
 *
 * P(code) is the product of the softmax choices along its path (chapter,
 * heading, subheading, national line). A child's path probability never
 * exceeds its parent's, so popping nodes from a max-heap yields terminals
 * in exact descending order: top-k needs only the expansions on the way. */
#include <math.h>
#include <string.h>

#include "score.h"

/* Eight partial sums in a fixed order: the same result on every run and
 * thread, and with the compilers' vector types, the same result in two
 * 4-lane registers (lane j sums terms i = j mod 8 in order, as the scalar
 * loop does; contraction is off). GCC -O2 left the scalar loop unvectorized
 * with its sums in memory: a quarter of a classification went to it. */
#if defined(__has_builtin) && defined(__BYTE_ORDER__)
#if __has_builtin(__builtin_shufflevector) && __has_builtin(__builtin_convertvector) &&           \
    __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define HSC_VECTOR 1
typedef float v4f __attribute__((vector_size(16)));
typedef int32_t v4i __attribute__((vector_size(16)));
typedef int16_t v8h __attribute__((vector_size(16)));
typedef int8_t v16b __attribute__((vector_size(16)));

/* Lanes 4k..4k+3 of sixteen int8 as floats: each byte paired with itself
 * and shifted down, twice, sign-extends it (little-endian lanes). */
static inline void widen16(const int8_t *q, v4f out[4])
{
    v16b x;
    memcpy(&x, q, sizeof x);
    v8h a = (v8h)__builtin_shufflevector(x, x, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7) >> 8;
    v8h b = (v8h)__builtin_shufflevector(x, x, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14,
                                         15, 15) >> 8;
    out[0] = __builtin_convertvector((v4i)__builtin_shufflevector(a, a, 0, 0, 1, 1, 2, 2, 3, 3) >> 16, v4f);
    out[1] = __builtin_convertvector((v4i)__builtin_shufflevector(a, a, 4, 4, 5, 5, 6, 6, 7, 7) >> 16, v4f);
    out[2] = __builtin_convertvector((v4i)__builtin_shufflevector(b, b, 0, 0, 1, 1, 2, 2, 3, 3) >> 16, v4f);
    out[3] = __builtin_convertvector((v4i)__builtin_shufflevector(b, b, 4, 4, 5, 5, 6, 6, 7, 7) >> 16, v4f);
}
#endif
#endif

static float sum8(const float acc[8])
{
    return ((acc[0] + acc[4]) + (acc[1] + acc[5])) + ((acc[2] + acc[6]) + (acc[3] + acc[7]));
}

/* The int8 kernels in 8-lane AVX2 registers where the CPU has them (chosen
 * per call: a test of the CPU's feature word): lane j of one register is
 * sum j above, so the results are the same bits as the 4-lane and scalar
 * loops (a product rounded, then the sum; no fused multiply-add). The
 * byte-to-float widening is one instruction there, six shuffles without. */
#if defined(HSC_VECTOR) && defined(__x86_64__) && defined(__GNUC__) && \
    defined(__has_attribute) && !defined(HSC_NO_AVX2)
#if __has_attribute(target)
#define HSC_AVX2 1
#include <immintrin.h>

__attribute__((target("avx2"))) static inline __m256 widen8(const int8_t *q)
{
    return _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_loadl_epi64((const __m128i *)(const void *)q)));
}

__attribute__((target("avx2"))) static float dot_q_avx2(const int8_t *q, const float *b,
                                                        uint32_t n)
{
    float acc[8];
    __m256 s = _mm256_setzero_ps();
    uint32_t i = 0;
    for (; i + 8 <= n; i += 8)
        s = _mm256_add_ps(s, _mm256_mul_ps(widen8(q + i), _mm256_loadu_ps(b + i)));
    _mm256_storeu_ps(acc, s);
    for (; i < n; i++)
        acc[i & 7] += (float)q[i] * b[i];
    return sum8(acc);
}

__attribute__((target("avx2"))) static void add_q_avx2(float *h, const int8_t *q, float scale,
                                                       uint32_t n)
{
    __m256 sc = _mm256_set1_ps(scale);
    uint32_t j = 0;
    for (; j + 8 <= n; j += 8)
        _mm256_storeu_ps(h + j, _mm256_add_ps(_mm256_loadu_ps(h + j),
                                              _mm256_mul_ps(widen8(q + j), sc)));
    for (; j < n; j++)
        h[j] += (float)q[j] * scale;
}

/* Rows added in turn with the sum held in registers: 64 lanes at a time
 * (eight registers), each lane adding row after row in their order, as
 * add_q_avx2 called per row does, without storing and loading h between
 * rows. */
__attribute__((target("avx2"))) static void add_q_rows_avx2(float *h, const int8_t *q,
                                                            const float *scale,
                                                            const uint32_t *rows, uint32_t n,
                                                            uint32_t dim)
{
    uint32_t j = 0;
    for (; j + 64 <= dim; j += 64) {
        __m256 x0 = _mm256_loadu_ps(h + j), x1 = _mm256_loadu_ps(h + j + 8),
               x2 = _mm256_loadu_ps(h + j + 16), x3 = _mm256_loadu_ps(h + j + 24),
               x4 = _mm256_loadu_ps(h + j + 32), x5 = _mm256_loadu_ps(h + j + 40),
               x6 = _mm256_loadu_ps(h + j + 48), x7 = _mm256_loadu_ps(h + j + 56);
        for (uint32_t r = 0; r < n; r++) {
            const int8_t *w = q + (size_t)rows[r] * dim + j;
            __m256 sc = _mm256_set1_ps(scale[rows[r]]);
            x0 = _mm256_add_ps(x0, _mm256_mul_ps(widen8(w), sc));
            x1 = _mm256_add_ps(x1, _mm256_mul_ps(widen8(w + 8), sc));
            x2 = _mm256_add_ps(x2, _mm256_mul_ps(widen8(w + 16), sc));
            x3 = _mm256_add_ps(x3, _mm256_mul_ps(widen8(w + 24), sc));
            x4 = _mm256_add_ps(x4, _mm256_mul_ps(widen8(w + 32), sc));
            x5 = _mm256_add_ps(x5, _mm256_mul_ps(widen8(w + 40), sc));
            x6 = _mm256_add_ps(x6, _mm256_mul_ps(widen8(w + 48), sc));
            x7 = _mm256_add_ps(x7, _mm256_mul_ps(widen8(w + 56), sc));
        }
        _mm256_storeu_ps(h + j, x0);
        _mm256_storeu_ps(h + j + 8, x1);
        _mm256_storeu_ps(h + j + 16, x2);
        _mm256_storeu_ps(h + j + 24, x3);
        _mm256_storeu_ps(h + j + 32, x4);
        _mm256_storeu_ps(h + j + 40, x5);
        _mm256_storeu_ps(h + j + 48, x6);
        _mm256_storeu_ps(h + j + 56, x7);
    }
    if (j < dim)   /* the lanes past the last 64 */
        for (uint32_t r = 0; r < n; r++)
            add_q_avx2(h + j, q + (size_t)rows[r] * dim + j, scale[rows[r]], dim - j);
}

static int have_avx2(void)
{
    return __builtin_cpu_supports("avx2");
}
#endif
#endif

float hsc__dot_f(const float *a, const float *b, uint32_t n)
{
    float acc[8] = {0};
    uint32_t i = 0;
#ifdef HSC_VECTOR
    v4f lo = {0, 0, 0, 0}, hi = lo, x0, x1, y0, y1;
    for (; i + 8 <= n; i += 8) {
        memcpy(&x0, a + i, sizeof x0);
        memcpy(&x1, a + i + 4, sizeof x1);
        memcpy(&y0, b + i, sizeof y0);
        memcpy(&y1, b + i + 4, sizeof y1);
        lo += x0 * y0;
        hi += x1 * y1;
    }
    memcpy(acc, &lo, sizeof lo);
    memcpy(acc + 4, &hi, sizeof hi);
#endif
    for (; i + 8 <= n; i += 8)
        for (uint32_t j = 0; j < 8; j++)
            acc[j] += a[i + j] * b[i + j];
    for (; i < n; i++)
        acc[i & 7] += a[i] * b[i];
    return sum8(acc);
}

float hsc__dot_q(const int8_t *q, const float *b, uint32_t n)
{
#ifdef HSC_AVX2
    if (have_avx2())
        return dot_q_avx2(q, b, n);
#endif
    return hsc__dot_q_portable(q, b, n);
}

float hsc__dot_q_portable(const int8_t *q, const float *b, uint32_t n)
{
    float acc[8] = {0};
    uint32_t i = 0;
#ifdef HSC_VECTOR
    v4f lo = {0, 0, 0, 0}, hi = lo, w[4], y[4];
    for (; i + 16 <= n; i += 16) {   /* terms i..i+15: lanes 0-3, 4-7, 0-3, 4-7 */
        widen16(q + i, w);
        memcpy(y, b + i, sizeof y);
        lo += w[0] * y[0];
        hi += w[1] * y[1];
        lo += w[2] * y[2];
        hi += w[3] * y[3];
    }
    memcpy(acc, &lo, sizeof lo);
    memcpy(acc + 4, &hi, sizeof hi);
#endif
    for (; i + 8 <= n; i += 8)
        for (uint32_t j = 0; j < 8; j++)
            acc[j] += (float)q[i + j] * b[i + j];
    for (; i < n; i++)
        acc[i & 7] += (float)q[i] * b[i];
    return sum8(acc);
}

void hsc__add_q(float *h, const int8_t *q, float scale, uint32_t n)
{
#ifdef HSC_AVX2
    if (have_avx2()) {
        add_q_avx2(h, q, scale, n);
        return;
    }
#endif
    hsc__add_q_portable(h, q, scale, n);
}

void hsc__add_q_rows(float *h, const int8_t *q, const float *scale, const uint32_t *rows,
                     uint32_t n, uint32_t dim)
{
#ifdef HSC_AVX2
    if (have_avx2()) {
        add_q_rows_avx2(h, q, scale, rows, n, dim);
        return;
    }
#endif
    for (uint32_t r = 0; r < n; r++)
        hsc__add_q_portable(h, q + (size_t)rows[r] * dim, scale[rows[r]], dim);
}

void hsc__add_q_portable(float *h, const int8_t *q, float scale, uint32_t n)
{
    uint32_t j = 0;
#ifdef HSC_VECTOR
    v4f w[4], x[4];
    for (; j + 16 <= n; j += 16) {   /* element by element as below: same result */
        widen16(q + j, w);
        memcpy(x, h + j, sizeof x);
        x[0] += w[0] * scale;
        x[1] += w[1] * scale;
        x[2] += w[2] * scale;
        x[3] += w[3] * scale;
        memcpy(h + j, x, sizeof x);
    }
#endif
    for (; j < n; j++)
        h[j] += (float)q[j] * scale;
}

double hsc__node_logit(const hsc__outw *w, uint32_t node, const float *h)
{
    size_t row = (size_t)node * w->dim;
    float z = w->f != NULL ? hsc__dot_f(w->f + row, h, w->dim)
                           : hsc__dot_q(w->q + row, h, w->dim) * w->scale[node];
    return (double)(z * w->inv_temp);
}

int hsc__search_init(hsc__search *s, const hsc__alloc *a, const hsc__tree *t)
{
    memset(s, 0, sizeof *s);
    s->alloc = *a;
    s->n_nodes = t->n_nodes;
    uint32_t fan = 1;
    for (uint32_t i = 0; i < t->n_nodes; i++)
        if (t->nodes[i].n_children > fan)
            fan = t->nodes[i].n_children;
    s->prob = hsc__calloc(a, t->n_nodes, sizeof *s->prob);
    s->seen = hsc__calloc(a, t->n_nodes, sizeof *s->seen);
    s->expanded = hsc__calloc(a, t->n_nodes, sizeof *s->expanded);
    s->logits = hsc__calloc(a, fan, sizeof *s->logits);
    s->heap_cap = 64;
    s->heap = hsc__calloc(a, s->heap_cap, sizeof *s->heap);
    if (s->prob == NULL || s->seen == NULL || s->expanded == NULL || s->logits == NULL ||
        s->heap == NULL) {
        hsc__search_free(s);
        return HSC_E_NOMEM;
    }
    return HSC_OK;
}

void hsc__search_free(hsc__search *s)
{
    hsc__free(&s->alloc, s->prob);
    hsc__free(&s->alloc, s->seen);
    hsc__free(&s->alloc, s->expanded);
    hsc__free(&s->alloc, s->logits);
    hsc__free(&s->alloc, s->heap);
    memset(s, 0, sizeof *s);
}

void hsc__search_begin(hsc__search *s)
{
    if (++s->epoch == 0) { /* wrapped: clear the stamps once */
        memset(s->seen, 0, s->n_nodes * sizeof *s->seen);
        memset(s->expanded, 0, s->n_nodes * sizeof *s->expanded);
        s->epoch = 1;
    }
}

/* Children probabilities of node n (path probability times softmax). */
static void expand(hsc__search *s, const hsc__tree *t, const hsc__outw *w, const float *h,
                   uint32_t n)
{
    if (s->expanded[n] == s->epoch)
        return;
    s->expanded[n] = s->epoch;
    const hsc__node *node = &t->nodes[n];
    uint32_t c0 = node->first_child, nc = node->n_children;
    double base = s->prob[n];
    if (nc == 1) { /* a single child is certain: no vector needed */
        s->prob[c0] = base;
        s->seen[c0] = s->epoch;
        return;
    }
    /* Softmax in double: the probabilities of a level then sum to 1 within
     * rounding far below what a caller can see. */
    double mx = -INFINITY;
    for (uint32_t i = 0; i < nc; i++) {
        s->logits[i] = hsc__node_logit(w, c0 + i, h);
        if (s->logits[i] > mx)
            mx = s->logits[i];
    }
    double sum = 0.0;
    for (uint32_t i = 0; i < nc; i++) {
        s->logits[i] = exp(s->logits[i] - mx);
        sum += s->logits[i];
    }
    for (uint32_t i = 0; i < nc; i++) {
        s->prob[c0 + i] = base * (s->logits[i] / sum);
        s->seen[c0 + i] = s->epoch;
    }
}

static int heap_push(hsc__search *s, uint32_t n)
{
    if (s->heap_len == s->heap_cap) {
        uint32_t *p = hsc__grow_array(&s->alloc, s->heap, &s->heap_cap,
                                      s->heap_len + 1, sizeof *p, 64);
        if (p == NULL)
            return HSC_E_NOMEM;
        s->heap = p;
    }
    /* Ties break on node index so the order is total and reproducible. */
    size_t i = s->heap_len++;
    while (i > 0) {
        size_t up = (i - 1) / 2;
        uint32_t u = s->heap[up];
        if (s->prob[u] > s->prob[n] || (s->prob[u] == s->prob[n] && u < n))
            break;
        s->heap[i] = u;
        i = up;
    }
    s->heap[i] = n;
    return HSC_OK;
}

static uint32_t heap_pop(hsc__search *s)
{
    uint32_t top = s->heap[0], last = s->heap[--s->heap_len];
    size_t i = 0, n = s->heap_len;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n) {
            uint32_t a = s->heap[c], b = s->heap[c + 1];
            if (s->prob[b] > s->prob[a] || (s->prob[b] == s->prob[a] && b < a))
                c++;
        }
        uint32_t x = s->heap[c];
        if (s->prob[last] > s->prob[x] || (s->prob[last] == s->prob[x] && last < x))
            break;
        s->heap[i] = x;
        i = c;
    }
    if (n)
        s->heap[i] = last;
    return top;
}

int hsc__search_terminal(const hsc__tree *t, uint32_t n, uint32_t digits)
{
    const hsc__node *node = &t->nodes[n];
    if (digits == 0)
        return node->label != UINT32_MAX;
    return node->digits == digits && t->nodes[node->parent].digits < digits;
}

double hsc__search_path_prob(hsc__search *s, const hsc__tree *t, const hsc__outw *w,
                             const float *h, uint32_t node)
{
    uint32_t chain[16], n = 0;   /* the tree is at most 8 levels deep */
    for (uint32_t x = t->nodes[node].parent; x != UINT32_MAX && n < 16; x = t->nodes[x].parent)
        chain[n++] = x;
    if (s->seen[0] != s->epoch) {
        s->prob[0] = 1.0;
        s->seen[0] = s->epoch;
    }
    while (n > 0)
        expand(s, t, w, h, chain[--n]);
    return node == 0 ? s->prob[0] : s->prob[node];
}

int hsc__search_topk(hsc__search *s, const hsc__tree *t, const hsc__outw *w, const float *h,
                     uint32_t digits, uint32_t k, uint32_t *nodes, double *probs, uint32_t *n_out)
{
    *n_out = 0;
    if (s->seen[0] != s->epoch) {
        s->prob[0] = 1.0f;
        s->seen[0] = s->epoch;
    }
    s->heap_len = 0;
    int st = heap_push(s, 0);
    while (st == HSC_OK && s->heap_len && *n_out < k) {
        uint32_t n = heap_pop(s);
        if (hsc__search_terminal(t, n, digits)) {
            nodes[*n_out] = n;
            probs[*n_out] = s->prob[n];
            (*n_out)++;
            continue;
        }
        const hsc__node *node = &t->nodes[n];
        if (node->n_children == 0 || (digits && node->digits >= digits))
            continue; /* a label above the requested level: not a terminal */
        expand(s, t, w, h, n);
        for (uint32_t i = 0; i < node->n_children && st == HSC_OK; i++)
            if (s->mask == NULL || s->mask[node->first_child + i])
                st = heap_push(s, node->first_child + i);
    }
    return st;
}
