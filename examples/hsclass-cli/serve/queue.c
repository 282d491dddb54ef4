/* queue.c - a bounded FIFO of jobs and the worker threads that run them.
 * Bounded so that overload is answered at once (503 and Retry-After)
 * instead of growing latency without limit. */
#include <stdlib.h>

#include "serve.h"

static void *worker(void *arg)
{
    srv_queue *q = arg;
    for (;;) {
        pthread_mutex_lock(&q->mu);
        while (q->n == 0 && !q->stop)
            pthread_cond_wait(&q->cv, &q->mu);
        if (q->n == 0) { /* stopping, and nothing left to run */
            pthread_mutex_unlock(&q->mu);
            return NULL;
        }
        void *job = q->items[q->head];
        q->head = (q->head + 1) % q->cap;
        q->n--;
        pthread_mutex_unlock(&q->mu);
        q->run(job);
    }
}

int srv_queue_start(srv_queue *q, size_t threads, size_t cap, srv_job_fn run)
{
    q->items = calloc(cap, sizeof *q->items);
    q->threads = calloc(threads, sizeof *q->threads);
    q->cap = cap;
    q->head = q->n = 0;
    q->stop = 0;
    q->run = run;
    q->n_threads = 0;
    if (!q->items || !q->threads || pthread_mutex_init(&q->mu, NULL) != 0) {
        free(q->items);
        free(q->threads);
        return -1;
    }
    pthread_cond_init(&q->cv, NULL);
    for (; q->n_threads < threads; q->n_threads++) {
        if (pthread_create(&q->threads[q->n_threads], NULL, worker, q) != 0) {
            srv_queue_stop(q);
            return -1;
        }
    }
    return 0;
}

int srv_queue_push(srv_queue *q, void *job)
{
    pthread_mutex_lock(&q->mu);
    if (q->n == q->cap || q->stop) {
        pthread_mutex_unlock(&q->mu);
        return -1;
    }
    q->items[(q->head + q->n) % q->cap] = job;
    q->n++;
    pthread_cond_signal(&q->cv);
    pthread_mutex_unlock(&q->mu);
    return 0;
}

size_t srv_queue_depth(srv_queue *q)
{
    pthread_mutex_lock(&q->mu);
    size_t n = q->n;
    pthread_mutex_unlock(&q->mu);
    return n;
}

void srv_queue_stop(srv_queue *q)
{
    pthread_mutex_lock(&q->mu);
    q->stop = 1;
    pthread_cond_broadcast(&q->cv);
    pthread_mutex_unlock(&q->mu);
    for (size_t i = 0; i < q->n_threads; i++)
        pthread_join(q->threads[i], NULL);
    pthread_cond_destroy(&q->cv);
    pthread_mutex_destroy(&q->mu);
    free(q->items);
    free(q->threads);
    q->items = NULL;
    q->threads = NULL;
    q->n_threads = 0;
}
