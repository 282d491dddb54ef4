/* fileio.c - whole-file reads and atomic writes (temporary file + rename). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hsc_internal.h"

int hsc__read_file(const hsc__alloc *a, const char *path, hsc__buf *out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return HSC_E_IO;
    int st = HSC_OK;
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        st = hsc__buf_append(a, out, chunk, n);
        if (st != HSC_OK)
            break;
    }
    if (st == HSC_OK && ferror(f))
        st = HSC_E_IO;
    fclose(f);
    if (st == HSC_OK && out->data == NULL)
        st = hsc__buf_reserve(a, out, 0); /* empty file: a valid empty buffer */
    return st;
}

int hsc__write_file_atomic(const char *path, const void *data, size_t len)
{
    size_t plen = strlen(path);
    char *tmp = malloc(plen + 8);
    if (tmp == NULL)
        return HSC_E_NOMEM;
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".XXXXXX", 8); /* unique per writer: mkstemp */
    int fd = mkstemp(tmp);
    if (fd < 0) {
        free(tmp);
        return HSC_E_IO;
    }
    int st = HSC_OK;
    const char *p = data;
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            st = HSC_E_IO;
            break;
        }
        p += w;
        len -= (size_t)w;
    }
    if (fsync(fd) != 0)
        st = HSC_E_IO;
    if (close(fd) != 0)
        st = HSC_E_IO;
    if (st == HSC_OK && chmod(tmp, 0644) != 0)
        st = HSC_E_IO;
    if (st == HSC_OK && rename(tmp, path) != 0)
        st = HSC_E_IO;
    if (st != HSC_OK)
        remove(tmp);
    free(tmp);
    return st;
}
