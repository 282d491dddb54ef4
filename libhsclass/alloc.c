/* alloc.c - allocation through the config's allocator (also zlib's), large
 * tables in huge pages, and a growable buffer. */
/* MAP_ANONYMOUS and MADV_HUGEPAGE */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>

#if defined(__unix__) || defined(__APPLE__)
#include <sys/mman.h>
#define HSC_HAVE_MMAP 1
#endif

#include "hsc_internal.h"

void *hsc__calloc(const hsc__alloc *a, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    if (n == 0 || size == 0)
        n = size = 1; /* never ask for zero bytes: NULL would mean failure */
    if (a != NULL && a->calloc_fn != NULL)
        return a->calloc_fn(a->user, n, size);
    return calloc(n, size);
}

void *hsc__realloc(const hsc__alloc *a, void *p, size_t size)
{
    if (size == 0)
        size = 1;
    if (a != NULL && a->realloc_fn != NULL)
        return a->realloc_fn(a->user, p, size);
    return realloc(p, size);
}

void *hsc__realloc_array(const hsc__alloc *a, void *p, size_t n, size_t size)
{
    if (size != 0 && n > SIZE_MAX / size)
        return NULL;
    return hsc__realloc(a, p, n * size);
}

/* Doubling from a floor keeps appends amortized O(1). */
static size_t grown_capacity(size_t cap, size_t need, size_t first)
{
    if (cap < first)
        cap = first;
    while (cap < need)
        cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    return cap;
}

void *hsc__grow_array(const hsc__alloc *a, void *p, size_t *cap, size_t need, size_t size,
                      size_t first)
{
    if (need <= *cap)
        return p;
    size_t n = grown_capacity(*cap, need, first);
    void *q = hsc__realloc_array(a, p, n, size);
    if (q != NULL)
        *cap = n;
    return q;
}

void hsc__free(const hsc__alloc *a, void *p)
{
    if (p == NULL)
        return;
    if (a != NULL && a->free_fn != NULL)
        a->free_fn(a->user, p);
    else
        free(p);
}

#ifdef HSC_HAVE_MMAP
/* With the C library's allocator, tables of 2 MB and more get an anonymous
 * mapping in 2 MB transparent huge pages where the system offers them:
 * faulting in small pages one by one cost more than the rest of a model's
 * load (measured: 40 ms for 14 MB on a VM, 3 ms in huge pages). */
#define HUGE_PAGE ((size_t)2 << 20)

static size_t huge_size(const hsc__alloc *a, size_t size)
{
    int plain = a == NULL || (a->calloc_fn == NULL && a->realloc_fn == NULL && a->free_fn == NULL);
    if (!plain || size < HUGE_PAGE || size > SIZE_MAX - 2 * HUGE_PAGE)
        return 0;
    return (size + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
}
#endif

void *hsc__calloc_big(const hsc__alloc *a, size_t size)
{
#ifdef HSC_HAVE_MMAP
    size_t cap = huge_size(a, size);
    if (cap > 0) {
        char *raw = mmap(NULL, cap + HUGE_PAGE, PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (raw == MAP_FAILED)
            return NULL;
        /* keep the huge-page-aligned part only */
        size_t head = (HUGE_PAGE - (uintptr_t)raw % HUGE_PAGE) % HUGE_PAGE;
        if (head > 0)
            munmap(raw, head);
        munmap(raw + head + cap, HUGE_PAGE - head);
#ifdef MADV_HUGEPAGE
        madvise(raw + head, cap, MADV_HUGEPAGE);   /* a hint: without it, small pages */
#endif
        return raw + head;
    }
#endif
    return hsc__calloc(a, size, 1);
}

void hsc__free_big(const hsc__alloc *a, void *p, size_t size)
{
    if (p == NULL)
        return;
#ifdef HSC_HAVE_MMAP
    size_t cap = huge_size(a, size);
    if (cap > 0) {
        munmap(p, cap);
        return;
    }
#endif
    hsc__free(a, p);
}

char *hsc__strndup(const hsc__alloc *a, const char *s, size_t len)
{
    if (len == SIZE_MAX)
        return NULL;
    char *d = hsc__calloc(a, len + 1, 1);
    if (d != NULL && len)
        memcpy(d, s, len);
    return d;
}

int hsc__buf_reserve(const hsc__alloc *a, hsc__buf *b, size_t extra)
{
    if (extra > SIZE_MAX - 1 - b->len)
        return HSC_E_NOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->cap)
        return HSC_OK;
    size_t cap = grown_capacity(b->cap, need, 64);
    char *p = hsc__realloc(a, b->data, cap);
    if (p == NULL)
        return HSC_E_NOMEM;
    b->data = p;
    b->cap = cap;
    return HSC_OK;
}

int hsc__buf_append(const hsc__alloc *a, hsc__buf *b, const void *p, size_t n)
{
    int st = hsc__buf_reserve(a, b, n);
    if (st != HSC_OK)
        return st;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return HSC_OK;
}

int hsc__buf_append_str(const hsc__alloc *a, hsc__buf *b, const char *s)
{
    return hsc__buf_append(a, b, s, strlen(s));
}

void hsc__buf_free(const hsc__alloc *a, hsc__buf *b)
{
    hsc__free(a, b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void *hsc__zalloc(void *opaque, unsigned items, unsigned size)
{
    return hsc__calloc((const hsc__alloc *)opaque, items, size);
}

void hsc__zfree(void *opaque, void *p)
{
    hsc__free((const hsc__alloc *)opaque, p);
}
