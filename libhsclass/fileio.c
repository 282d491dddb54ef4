/* fileio.c - whole-file reads with a size limit, files read line by line,
 * and atomic writes (temporary file + rename) that only ever replace a
 * regular file. */
/* realpath is XSI */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "hsc_internal.h"

/* Open for reading without ever waiting: O_NONBLOCK so that a FIFO
 * without a writer does not block open() forever; reads then block
 * normally again (a FIFO with no writer reads as empty). Directories are
 * refused. */
static int open_for_read(const char *path, struct stat *sb)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
    if (fd < 0)
        return -1;
    int fl = fcntl(fd, F_GETFL);
    if (fstat(fd, sb) != 0 || S_ISDIR(sb->st_mode) || fl < 0 ||
        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
        int e = S_ISDIR(sb->st_mode) ? EISDIR : errno;
        close(fd);
        errno = e;
        return -1;
    }
    return fd;
}

#define LINE_CHUNK 65536u

int hsc__lines_open(hsc__line_reader *r, const hsc__alloc *a, const char *path)
{
    memset(r, 0, sizeof *r);
    r->alloc = *a;
    struct stat sb;
    r->fd = open_for_read(path, &sb);
    if (r->fd >= 0 && S_ISREG(sb.st_mode))
        r->size = (uint64_t)sb.st_size;
    return r->fd < 0 ? HSC_E_IO : HSC_OK;
}

int hsc__lines_next(hsc__line_reader *r, const char **line, size_t *len)
{
    for (;;) {
        size_t avail = r->buf.len - r->pos;
        char *start = avail ? r->buf.data + r->pos : NULL;   /* no arithmetic on NULL */
        char *nl = avail ? memchr(start, '\n', avail) : NULL;
        if (nl != NULL || (r->eof && avail > 0)) {
            size_t n = nl != NULL ? (size_t)(nl - start) : avail;
            r->pos += nl != NULL ? n + 1 : n;
            *line = start;
            *len = n;
            return HSC_OK;
        }
        if (r->eof)
            return HSC_E_NO_DATA;
        /* no whole line left: keep the partial one, read the next chunk
         * (before the first one the buffer is NULL: no memmove of it) */
        if (avail > 0)
            memmove(r->buf.data, start, avail);
        r->buf.len = avail;
        r->pos = 0;
        if (hsc__buf_reserve(&r->alloc, &r->buf, LINE_CHUNK) != HSC_OK)
            return HSC_E_NOMEM;
        ssize_t got = read(r->fd, r->buf.data + r->buf.len, r->buf.cap - r->buf.len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0)
            return HSC_E_IO;
        r->buf.len += (size_t)got;
        r->bytes += (uint64_t)got;
        r->eof = got == 0;
    }
}

void hsc__lines_close(hsc__line_reader *r)
{
    if (r->fd >= 0)
        close(r->fd);
    r->fd = -1;
    hsc__buf_free(&r->alloc, &r->buf);
}

int hsc__read_file(const hsc__alloc *a, const char *path, size_t max, hsc__buf *out)
{
    struct stat sb;
    int fd = open_for_read(path, &sb);
    if (fd < 0)
        return HSC_E_IO;
    int st = HSC_OK;
    int regular = S_ISREG(sb.st_mode);
    /* A regular file is read into one allocation of its size (a model's
     * peak memory is then the file once); a device or a pipe in growing
     * chunks, up to max. */
    if (regular && (uint64_t)sb.st_size > max) {
        st = HSC_E_MODEL_LIMIT;
    } else if (regular && sb.st_size > 0) {
        char *p = hsc__realloc(a, NULL, (size_t)sb.st_size + 1);
        if (p == NULL)
            st = HSC_E_NOMEM;
        else
            *out = (hsc__buf){p, 0, (size_t)sb.st_size + 1};
    }
    while (st == HSC_OK) {
        size_t room = out->cap > out->len + 1 ? out->cap - 1 - out->len : 0;
        char probe;
        /* full: a regular file has reached the size it had; read on with a
         * one-byte probe (it may have grown), a stream with a new chunk */
        if (room == 0 && !regular) {
            st = hsc__buf_reserve(a, out, 65536);
            continue;
        }
        ssize_t n = room ? read(fd, out->data + out->len, room) : read(fd, &probe, 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            st = HSC_E_IO;
            break;
        }
        if (n == 0)
            break;
        if ((size_t)n > max - out->len) {
            st = HSC_E_MODEL_LIMIT;
            break;
        }
        if (room == 0) {
            st = hsc__buf_append(a, out, &probe, 1);
        } else {
            out->len += (size_t)n;
            out->data[out->len] = '\0';
        }
    }
    close(fd);
    if (st == HSC_OK && out->data == NULL)
        st = hsc__buf_reserve(a, out, 0); /* empty file: a valid empty buffer */
    return st;
}

/* ---- atomic writes ----------------------------------------------------------- */

/* Where a write to path must go: path itself when it does not exist or is
 * a regular file, the target of a symbolic link to a regular file (the
 * link stays), and nothing else: a device, FIFO, socket or directory is
 * never replaced. *target is malloc'ed. */
static int write_target(const char *path, char **target)
{
    struct stat sb;
    *target = NULL;
    if (lstat(path, &sb) != 0) {
        if (errno != ENOENT)
            return HSC_E_IO;
        *target = strdup(path);
        return *target != NULL ? HSC_OK : HSC_E_NOMEM;
    }
    if (S_ISLNK(sb.st_mode)) {
        if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
            return HSC_E_IO;
        *target = realpath(path, NULL);
        return *target != NULL ? HSC_OK : HSC_E_IO;
    }
    if (!S_ISREG(sb.st_mode))
        return HSC_E_IO;
    *target = strdup(path);
    return *target != NULL ? HSC_OK : HSC_E_NOMEM;
}

/* Create target's temporary sibling "target.XXXXXX" with mode 0666 less
 * the caller's umask (mkstemp would give 0600). The suffix comes from the
 * clock and the process id; O_EXCL makes a collision a retry. */
static int create_temp(const char *target, char **tmp_out)
{
    size_t plen = strlen(target);
    char *tmp = malloc(plen + 8);
    if (tmp == NULL)
        return -1;
    memcpy(tmp, target, plen);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t x = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40);
    static const char digits[] = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
    for (int attempt = 0; attempt < 100; attempt++) {
        x = x * 6364136223846793005u + 1442695040888963407u;
        tmp[plen] = '.';
        for (int i = 0; i < 6; i++)
            tmp[plen + 1 + i] = digits[(x >> (58 - 6 * i)) % 62];
        tmp[plen + 7] = '\0';
        int fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
        if (fd >= 0) {
            *tmp_out = tmp;
            return fd;
        }
        if (errno != EEXIST)
            break;
    }
    free(tmp);
    return -1;
}

int hsc__write_check(const char *path)
{
    char *target, *tmp;
    int st = write_target(path, &target);
    if (st != HSC_OK)
        return st;
    int fd = create_temp(target, &tmp);
    free(target);
    if (fd < 0)
        return HSC_E_IO;
    close(fd);
    unlink(tmp);
    free(tmp);
    return HSC_OK;
}

/* ---- the fixed temporary of a checkpoint ---------------------------------------- */

#define PARTIAL_SUFFIX ".partial"

/* fd is what a write through this temporary leaves when killed: a regular
 * file with no other link, whose bytes are a prefix of magic or start with
 * it (the first write is the header), and which no other process is
 * writing (a write lock, held until the commit). */
static int is_partial(int fd, const char *magic, size_t magic_len)
{
    struct stat sb;
    char head[64];
    if (magic_len > sizeof head || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode) ||
        sb.st_nlink != 1)
        return 0;
    size_t want = (uint64_t)sb.st_size < magic_len ? (size_t)sb.st_size : magic_len;
    ssize_t got = want > 0 ? pread(fd, head, want, 0) : 0;
    if (got != (ssize_t)want || (want > 0 && memcmp(head, magic, want) != 0))
        return 0;
    struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
    return fcntl(fd, F_SETLK, &lk) == 0;
}

/* Open target's temporary TARGET.partial: created, or taken over when
 * is_partial (emptied); anything else there is left as it is (-1). */
static int open_partial(const char *target, const char *magic, size_t magic_len, char **tmp_out)
{
    size_t plen = strlen(target);
    char *tmp = malloc(plen + sizeof PARTIAL_SUFFIX);
    if (tmp == NULL)
        return -1;
    memcpy(tmp, target, plen);
    memcpy(tmp + plen, PARTIAL_SUFFIX, sizeof PARTIAL_SUFFIX);
    int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY, 0666);
    if (fd >= 0) {
        struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
        fcntl(fd, F_SETLK, &lk);   /* new: no one else has it */
    } else if (errno == EEXIST) {
        /* O_NONBLOCK: a FIFO of that name must not block the open */
        fd = open(tmp, O_RDWR | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        int fl = fd >= 0 ? fcntl(fd, F_GETFL) : -1;
        if (fd >= 0 && (!is_partial(fd, magic, magic_len) || fl < 0 ||
                        fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0 || ftruncate(fd, 0) != 0)) {
            close(fd);
            fd = -1;
        }
    }
    if (fd < 0) {
        free(tmp);
        return -1;
    }
    *tmp_out = tmp;
    return fd;
}

int hsc__atomic_open_partial(hsc__atomic_file *f, const char *path, const char *magic,
                             size_t magic_len)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    int st = write_target(path, &f->target);
    if (st != HSC_OK)
        return st;
    f->fd = open_partial(f->target, magic, magic_len, &f->tmp);
    if (f->fd < 0) {
        free(f->target);
        f->target = NULL;
        return HSC_E_IO;
    }
    return HSC_OK;
}

int hsc__write_check_partial(const char *path, const char *magic, size_t magic_len)
{
    char *target, *tmp;
    int st = write_target(path, &target);
    if (st != HSC_OK)
        return st;
    size_t plen = strlen(target);
    struct stat sb;
    int fresh = (tmp = malloc(plen + sizeof PARTIAL_SUFFIX)) != NULL;
    if (fresh) {
        memcpy(tmp, target, plen);
        memcpy(tmp + plen, PARTIAL_SUFFIX, sizeof PARTIAL_SUFFIX);
        fresh = lstat(tmp, &sb) != 0 && errno == ENOENT;
        free(tmp);
    }
    int fd = open_partial(target, magic, magic_len, &tmp);
    free(target);
    if (fd < 0)
        return HSC_E_IO;
    close(fd);
    if (fresh)   /* made for the check: ours to remove; a leftover stays for the run */
        unlink(tmp);
    free(tmp);
    return HSC_OK;
}

int hsc__atomic_open(hsc__atomic_file *f, const char *path)
{
    memset(f, 0, sizeof *f);
    f->fd = -1;
    int st = write_target(path, &f->target);
    if (st != HSC_OK)
        return st;
    f->fd = create_temp(f->target, &f->tmp);
    if (f->fd < 0) {
        free(f->target);
        f->target = NULL;
        return HSC_E_IO;
    }
    return HSC_OK;
}

int hsc__atomic_write(hsc__atomic_file *f, const void *data, size_t len)
{
    const char *p = data;
    while (f->st == HSC_OK && len > 0) {
        ssize_t w = write(f->fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)   /* EFBIG past a file-size limit, ENOSPC... */
            f->st = HSC_E_IO;
        else {
            p += w;
            len -= (size_t)w;
        }
    }
    return f->st;
}

int hsc__atomic_commit(hsc__atomic_file *f)
{
    int st = f->st;
    if (st == HSC_OK && fsync(f->fd) != 0)
        st = HSC_E_IO;
    if (close(f->fd) != 0)
        st = HSC_E_IO;
    if (st == HSC_OK && rename(f->tmp, f->target) != 0)
        st = HSC_E_IO;
    if (st != HSC_OK)
        unlink(f->tmp);
    free(f->tmp);
    free(f->target);
    memset(f, 0, sizeof *f);
    f->fd = -1;
    return st;
}

int hsc__write_file_atomic(const char *path, const void *data, size_t len)
{
    hsc__atomic_file f;
    int st = hsc__atomic_open(&f, path);
    if (st != HSC_OK)
        return st;
    hsc__atomic_write(&f, data, len);
    return hsc__atomic_commit(&f);
}
