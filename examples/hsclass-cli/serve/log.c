/* log.c - one JSON object per line on stderr: the access log and events
 * (start, reloads, drain). The service never writes files; where the lines
 * go is the supervisor's business (journald, docker logs). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve.h"

void srv_log(json_t *obj)
{
    if (!obj)
        return;
    struct timespec ts;
    struct tm tm;
    char when[40];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(when + n, sizeof when - n, ".%03ldZ", ts.tv_nsec / 1000000);
    json_object_set_new(obj, "ts", json_string(when));
    char *line = json_dumps(obj, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6));
    json_decref(obj);
    if (!line)
        return;
    size_t len = strlen(line);
    line[len] = '\n'; /* replaces the NUL: the buffer has room for it */
    const char *p = line;
    size_t left = len + 1;
    while (left > 0) {
        ssize_t w = write(STDERR_FILENO, p, left);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        p += w;
        left -= (size_t)w;
    }
    free(line);
}

void srv_log_event(const char *event, const char *message)
{
    json_t *o = json_object();
    if (!o)
        return;
    json_object_set_new(o, "event", json_string(event));
    json_object_set_new(o, "message", srv_jstr(message, strlen(message)));
    srv_log(o);
}
