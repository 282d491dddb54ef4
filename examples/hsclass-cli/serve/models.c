/* models.c - the served model and its replacement.
 *
 * Each loaded model has a reference count and a pool of sessions (a session
 * is one thread's working state; a request takes one for its run and gives
 * it back). The slot holds one reference on the current model and every
 * request holds one on the model it started with, so a reload swaps the
 * slot's pointer and in-flight requests finish on the old model, which is
 * freed, sessions and all, when its last request lets go. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

static atomic_uint alive;

unsigned srv_models_alive(void)
{
    return atomic_load(&alive);
}

/* The whole file, read once: the model is then loaded from memory and
 * never looks at the file again, so rewriting or truncating it in place
 * cannot disturb requests (hsc_model_load_file maps it). */
static hsc_status read_file(const char *path, void **data, size_t *len, char *why, size_t size)
{
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd < 0 || fstat(fd, &sb) != 0) {
        snprintf(why, size, "cannot read model '%s': %s", path, strerror(errno));
        if (fd >= 0)
            close(fd);
        return HSC_E_IO;
    }
    /* Far above any real model; the loader's own limits come after. */
    if (!S_ISREG(sb.st_mode) || sb.st_size > (off_t)1 << 30) {
        snprintf(why, size, "cannot read model '%s': %s", path,
                 S_ISREG(sb.st_mode) ? "larger than 1 GiB" : "not a regular file");
        close(fd);
        return HSC_E_IO;
    }
    size_t want = (size_t)sb.st_size, got = 0;
    unsigned char *buf = malloc(want ? want : 1);
    if (!buf) {
        close(fd);
        snprintf(why, size, "out of memory reading '%s'", path);
        return HSC_E_NOMEM;
    }
    while (got < want) {
        ssize_t n = read(fd, buf + got, want - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    close(fd);
    /* A file that shrank while being read gives fewer bytes: the loader
     * then refuses it (its header records the size). */
    *data = buf;
    *len = got;
    return HSC_OK;
}

hsc_status srv_model_load(const char *path, const hsc_config *cfg, srv_model **out, char *why,
                          size_t why_size)
{
    void *data;
    size_t len;
    *out = NULL;
    hsc_status st = read_file(path, &data, &len, why, why_size);
    if (st != HSC_OK)
        return st;
    uint64_t off = 0;
    hsc_model *m = NULL;
    st = hsc_model_load_memory(data, len, cfg, &m, &off);
    free(data);
    if (st != HSC_OK) {
        snprintf(why, why_size, "cannot load model '%s': %s (at byte %llu)", path,
                 hsc_status_string(st), (unsigned long long)off);
        return st;
    }
    srv_model *sm = calloc(1, sizeof *sm);
    if (!sm || pthread_mutex_init(&sm->mu, NULL) != 0) {
        free(sm);
        hsc_model_free(m);
        snprintf(why, why_size, "out of memory");
        return HSC_E_NOMEM;
    }
    sm->m = m;
    sm->cfg = cfg;
    atomic_init(&sm->refs, 1);
    const char *fp = NULL;
    hsc_model_info_str(m, HSC_INFO_FINGERPRINT, &fp);
    snprintf(sm->fingerprint, sizeof sm->fingerprint, "%s", fp ? fp : "");
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(sm->loaded_at, sizeof sm->loaded_at, "%Y-%m-%dT%H:%M:%SZ", &tm);
    atomic_fetch_add(&alive, 1);
    *out = sm;
    return HSC_OK;
}

void srv_model_unref(srv_model *sm)
{
    if (!sm || atomic_fetch_sub(&sm->refs, 1) != 1)
        return;
    for (size_t i = 0; i < sm->n_pool; i++)
        hsc_session_free(sm->pool[i]);
    free(sm->pool);
    pthread_mutex_destroy(&sm->mu);
    hsc_model_free(sm->m);
    free(sm);
    atomic_fetch_sub(&alive, 1);
}

hsc_status srv_model_session(srv_model *sm, hsc_session **out)
{
    pthread_mutex_lock(&sm->mu);
    if (sm->n_pool > 0) {
        *out = sm->pool[--sm->n_pool];
        pthread_mutex_unlock(&sm->mu);
        return HSC_OK;
    }
    pthread_mutex_unlock(&sm->mu);
    /* The pool grows to the number of requests running at once, which the
     * worker count bounds. */
    return hsc_session_new(sm->m, sm->cfg, out);
}

void srv_model_session_put(srv_model *sm, hsc_session *s, int constrained)
{
    if (constrained && hsc_session_set_constraint(s, "", 0) != HSC_OK) {
        hsc_session_free(s);
        return;
    }
    pthread_mutex_lock(&sm->mu);
    if (sm->n_pool == sm->cap_pool) {
        size_t cap = sm->cap_pool ? sm->cap_pool * 2 : 8;
        hsc_session **p = realloc(sm->pool, cap * sizeof *p);
        if (!p) {
            pthread_mutex_unlock(&sm->mu);
            hsc_session_free(s);
            return;
        }
        sm->pool = p;
        sm->cap_pool = cap;
    }
    sm->pool[sm->n_pool++] = s;
    pthread_mutex_unlock(&sm->mu);
}

void srv_slot_init(srv_slot *slot, srv_model *first)
{
    pthread_mutex_init(&slot->mu, NULL);
    slot->cur = first;
}

srv_model *srv_slot_acquire(srv_slot *slot)
{
    pthread_mutex_lock(&slot->mu);
    srv_model *sm = slot->cur;
    atomic_fetch_add(&sm->refs, 1);
    pthread_mutex_unlock(&slot->mu);
    return sm;
}

void srv_slot_replace(srv_slot *slot, srv_model *next)
{
    pthread_mutex_lock(&slot->mu);
    srv_model *old = slot->cur;
    slot->cur = next;
    pthread_mutex_unlock(&slot->mu);
    srv_model_unref(old);
}

void srv_slot_destroy(srv_slot *slot)
{
    srv_model_unref(slot->cur);
    slot->cur = NULL;
    pthread_mutex_destroy(&slot->mu);
}
