/* soak_live_model.c - a live model against its file (issue 12): THREADS
 * threads classify the texts of a TSV file for SECONDS seconds with a model
 * loaded from LIVE, while LIVE is rewritten in place (as `cp new live`
 * does), truncated and filled with garbage every REWRITE seconds; RSS is
 * sampled every second. Prints the classifications, the rewrites, how many
 * classifications failed or changed (best code or its probability), and
 * the RSS curve. A benchmark, not a test: bench/soak_live_model.sh builds
 * and runs it.
 *
 * usage: soak_live_model MODEL LIVE TEXTS.tsv [SECONDS [THREADS [REWRITE]]] */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hsclass.h"

#define MAX_TEXTS 4096

static char *texts[MAX_TEXTS];
static char best[MAX_TEXTS][16];
static double best_p[MAX_TEXTS];
static size_t n_texts;
static hsc_model *model;
static atomic_int stop;
static atomic_llong runs, failed, changed;

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *b = malloc((size_t)n + 1);
    if (b != NULL && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    if (b != NULL)
        b[n] = '\0', *len = (size_t)n;
    return b;
}

static void put(const char *path, const void *data, size_t len)
{
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT, 0644);   /* in place, as cp does */
    if (fd < 0)
        return;
    for (size_t off = 0; off < len;) {
        ssize_t w = write(fd, (const char *)data + off, len - off);
        if (w <= 0)
            break;
        off += (size_t)w;
    }
    close(fd);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static long rss_kib(void)
{
    long pages = 0, rss = 0;
    FILE *f = fopen("/proc/self/statm", "r");
    if (f != NULL && fscanf(f, "%ld %ld", &pages, &rss) != 2)
        rss = 0;
    if (f != NULL)
        fclose(f);
    return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void *worker(void *arg)
{
    size_t i = (size_t)(uintptr_t)arg;
    hsc_session *s = NULL;
    if (hsc_session_new(model, NULL, &s) != HSC_OK) {
        atomic_fetch_add(&failed, 1);
        return NULL;
    }
    long long local = 0;
    while (!atomic_load_explicit(&stop, memory_order_relaxed)) {
        const char *t = texts[i % n_texts], *code;
        double p;
        if (hsc_session_classify(s, t, strlen(t), 5) != HSC_OK ||
            hsc_session_result(s, 0, 0, &code, &p) != HSC_OK)
            atomic_fetch_add(&failed, 1);
        else if (strcmp(code, best[i % n_texts]) != 0 || p != best_p[i % n_texts])
            atomic_fetch_add(&changed, 1);
        i += 7;
        if (++local == 1000) {
            atomic_fetch_add(&runs, local);
            local = 0;
        }
    }
    atomic_fetch_add(&runs, local);
    hsc_session_free(s);
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s MODEL LIVE TEXTS.tsv [SECONDS [THREADS [REWRITE]]]\n", argv[0]);
        return 2;
    }
    const char *src = argv[1], *live = argv[2];
    int seconds = argc > 4 ? atoi(argv[4]) : 600, threads = argc > 5 ? atoi(argv[5]) : 8;
    int every = argc > 6 ? atoi(argv[6]) : 3;
    size_t len = 0, tlen = 0;
    char *image = slurp(src, &len), *tsv = slurp(argv[3], &tlen);
    if (image == NULL || tsv == NULL || threads < 1 || threads > 64 || seconds < 1) {
        fprintf(stderr, "soak: cannot read %s or %s\n", src, argv[3]);
        return 2;
    }
    for (char *line = strtok(tsv, "\n"); line != NULL && n_texts < MAX_TEXTS;
         line = strtok(NULL, "\n")) {
        char *tab = strchr(line, '\t');
        if (tab != NULL)
            texts[n_texts++] = tab + 1;
    }
    put(live, image, len);
    if (n_texts == 0 || hsc_model_load_file(live, NULL, &model, NULL) != HSC_OK) {
        fprintf(stderr, "soak: no texts, or %s does not load\n", live);
        return 2;
    }
    hsc_session *s = NULL;
    hsc_session_new(model, NULL, &s);
    for (size_t i = 0; i < n_texts; i++) {
        const char *code = "";
        best_p[i] = -1;
        hsc_session_classify(s, texts[i], strlen(texts[i]), 5);
        hsc_session_result(s, 0, 0, &code, &best_p[i]);
        snprintf(best[i], sizeof best[i], "%s", code);
    }
    hsc_session_free(s);
    char *junk = malloc(len);
    memset(junk, 0x5A, len);
    pthread_t th[64];
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, worker, (void *)(uintptr_t)i);
    long *rss = calloc((size_t)seconds + 1, sizeof *rss);
    long rewrites = 0;
    double start = now(), next_rewrite = start;
    /* one RSS sample a second of wall time, whatever the machine's load */
    for (int sec = 0; sec < seconds; sec++) {
        while (now() < start + sec)
            nanosleep(&(struct timespec){0, 50000000}, NULL);
        rss[sec] = rss_kib();
        if (now() >= next_rewrite) {   /* the file: rewritten, cut, garbage, cut again */
            next_rewrite += every;
            switch (rewrites % 4) {
            case 0: put(live, image, len); break;
            case 1: put(live, image, len / 3); break;
            case 2: put(live, junk, len); break;
            default: truncate(live, 0);
            }
            rewrites++;
        }
    }
    while (now() < start + seconds)
        nanosleep(&(struct timespec){0, 50000000}, NULL);
    atomic_store(&stop, 1);
    double elapsed = now() - start;
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    rss[seconds] = rss_kib();
    long lo = rss[1], hi = rss[1];
    for (int i = 1; i <= seconds; i++) {
        lo = rss[i] < lo ? rss[i] : lo;
        hi = rss[i] > hi ? rss[i] : hi;
    }
    printf("threads %d, %d s, model %s (%zu bytes) loaded from %s\n", threads, seconds, src, len,
           live);
    printf("classifications %lld in %.0f s (%.0f/s), rewrites/truncations of the file %ld\n",
           (long long)runs, elapsed, (double)runs / elapsed, rewrites);
    printf("failed %lld, changed %lld\n", (long long)failed, (long long)changed);
    printf("RSS KiB: after 1 s %ld, min %ld, max %ld, at the end %ld\n", rss[1], lo, hi,
           rss[seconds]);
    printf("RSS curve (KiB, every %d s):", seconds >= 60 ? 30 : 1);
    for (int i = 0; i <= seconds; i += seconds >= 60 ? 30 : 1)
        printf(" %ld", rss[i]);
    printf("\n");
    hsc_model_free(model);
    free(junk);
    free(rss);
    free(image);
    free(tsv);
    return failed || changed ? 1 : 0;
}
