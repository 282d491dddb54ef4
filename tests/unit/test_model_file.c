/* test_model_file.c - model files that are not what they seem (issue 12):
 * saving never replaces anything but a regular file (devices, FIFOs,
 * directories, dangling links are refused; a link to a regular file is
 * written through), keeps the umask; loading never blocks on a FIFO,
 * stops at HSC_CFG_MAX_MODEL_BYTES on devices, and a loaded model is
 * unaffected by its file being rewritten or truncated in place while a
 * thread classifies with it. A tiny real model trained on tests/data. */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "test_util.h"

static hsc_model *model;    /* trained once */
static void *image;         /* its saved bytes */
static size_t image_len;
static char dir[64];

static const char *in_dir(const char *name)
{
    static char buf[8][256];   /* a few paths alive at once */
    static int k;
    k = (k + 1) % 8;
    snprintf(buf[k], sizeof buf[k], "%s/%s", dir, name);
    return buf[k];
}

static int setup(void **state)
{
    (void)state;
    hsc_config *cfg = NULL;
    hsc_trainer *tr = NULL;
    hsc_status st = hsc_config_new(&cfg);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_DIM, 8);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 3);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 1u << 16);
    if (!st) st = hsc_trainer_new(cfg, &tr);
    if (!st) st = hsc_trainer_add_file(tr, test_data_path("train_real.tsv"), 1.0, 0);
    if (!st) st = hsc_trainer_train(tr, &model);
    if (!st) st = hsc_model_save_memory(model, &image, &image_len);
    hsc_trainer_free(tr);
    hsc_config_free(cfg);
    snprintf(dir, sizeof dir, "/tmp/hsc-model-file-XXXXXX");
    if (st != HSC_OK || mkdtemp(dir) == NULL)
        return -1;
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    hsc_model_free(model);
    hsc_buffer_free(image);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static void write_bytes(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static char *read_bytes(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    char *data = NULL;
    *len = 0;
    for (size_t cap = 0;;) {
        if (*len == cap) {
            cap = cap > 0 ? cap * 2 : 65536;
            char *more = realloc(data, cap);
            assert_non_null(more);
            data = more;
        }
        size_t got = fread(data + *len, 1, cap - *len, f);
        *len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    return data;
}

/* No "NAME.XXXXXX" left beside NAME. */
static int temporaries_left(void)
{
    char cmd[160];
    snprintf(cmd, sizeof cmd, "ls -a '%s' | grep -q '\\.[A-Za-z0-9]\\{6\\}$'", dir);
    return system(cmd) == 0;
}

/* ---- saving ------------------------------------------------------------------- */

static void test_save_refuses_what_is_not_a_regular_file(void **state)
{
    (void)state;
    const char *fifo = in_dir("fifo"), *sub = in_dir("sub"), *dangling = in_dir("dangling");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    assert_int_equal(mkdir(sub, 0700), 0);
    assert_int_equal(symlink(in_dir("nowhere"), dangling), 0);
    const char *paths[] = {fifo, sub, dangling};
    for (size_t i = 0; i < 3; i++) {
        assert_int_equal(hsc_model_save_check(paths[i]), HSC_E_IO);
        assert_int_equal(hsc_model_save_file(model, paths[i]), HSC_E_IO);
    }
    struct stat sb;
    assert_int_equal(lstat(fifo, &sb), 0);
    assert_true(S_ISFIFO(sb.st_mode));
    assert_int_equal(lstat(sub, &sb), 0);
    assert_true(S_ISDIR(sb.st_mode));
    assert_int_equal(lstat(dangling, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    assert_int_equal(stat(in_dir("nowhere"), &sb), -1);
    /* a character device like /dev/null, made here (root only) */
    const char *dev = in_dir("null");
    if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0) {
        assert_int_equal(hsc_model_save_file(model, dev), HSC_E_IO);
        assert_int_equal(lstat(dev, &sb), 0);
        assert_true(S_ISCHR(sb.st_mode));
        unlink(dev);
    }
    /* a missing directory, and NULL */
    assert_int_equal(hsc_model_save_check(in_dir("no/such.hscm")), HSC_E_IO);
    assert_int_equal(hsc_model_save_check(NULL), HSC_E_INVALID_ARG);
    assert_false(temporaries_left());
    unlink(fifo);
    rmdir(sub);
    unlink(dangling);
}

static void test_save_through_a_link_keeps_the_link(void **state)
{
    (void)state;
    const char *target = in_dir("target.hscm"), *link = in_dir("live.hscm");
    write_bytes(target, "old", 3);
    assert_int_equal(symlink("target.hscm", link), 0);
    assert_int_equal(hsc_model_save_check(link), HSC_OK);
    assert_int_equal(hsc_model_save_file(model, link), HSC_OK);
    struct stat sb;
    assert_int_equal(lstat(link, &sb), 0);
    assert_true(S_ISLNK(sb.st_mode));
    assert_int_equal(stat(target, &sb), 0);
    assert_int_equal((size_t)sb.st_size, image_len);
    hsc_model *m = NULL;
    assert_int_equal(hsc_model_load_file(link, NULL, &m, NULL), HSC_OK);
    hsc_model_free(m);
    assert_false(temporaries_left());
    unlink(link);
    unlink(target);
}

static void test_save_keeps_the_umask(void **state)
{
    (void)state;
    const mode_t masks[] = {022, 077, 002};
    for (size_t i = 0; i < 3; i++) {
        mode_t old = umask(masks[i]);
        const char *p = in_dir("umask.hscm");
        assert_int_equal(hsc_model_save_file(model, p), HSC_OK);
        umask(old);
        struct stat sb;
        assert_int_equal(stat(p, &sb), 0);
        assert_int_equal(sb.st_mode & 0777, 0666 & ~masks[i]);
        unlink(p);
    }
}

/* ---- loading ------------------------------------------------------------------ */

static void test_load_limits_and_fifos(void **state)
{
    (void)state;
    hsc_config *cfg = NULL;
    uint32_t v = 0;
    assert_int_equal(hsc_config_new(&cfg), HSC_OK);
    assert_int_equal(hsc_config_get_u32(cfg, HSC_CFG_MAX_MODEL_BYTES, &v), HSC_OK);
    assert_int_equal(v, 2147483648u);
    assert_int_equal(hsc_config_get_u32(cfg, HSC_CFG_MODEL_MMAP, &v), HSC_OK);
    assert_int_equal(v, 0);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_MAX_MODEL_BYTES, 0), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_MODEL_MMAP, 2), HSC_E_INVALID_ARG);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_MAX_MODEL_BYTES, 1u << 20), HSC_OK);
    hsc_model *m = (hsc_model *)1;
    /* endless devices stop at the limit */
    assert_int_equal(hsc_model_load_file("/dev/zero", cfg, &m, NULL), HSC_E_MODEL_LIMIT);
    assert_null(m);
    assert_int_equal(hsc_model_load_file("/dev/urandom", cfg, &m, NULL), HSC_E_MODEL_LIMIT);
    /* a regular file over the limit is refused before it is read */
    const char *p = in_dir("m.hscm");
    write_bytes(p, image, image_len);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_MAX_MODEL_BYTES, (uint32_t)image_len - 1),
                     HSC_OK);
    assert_int_equal(hsc_model_load_file(p, cfg, &m, NULL), HSC_E_MODEL_LIMIT);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_MODEL_MMAP, 1), HSC_OK);
    assert_int_equal(hsc_model_load_file(p, cfg, &m, NULL), HSC_E_MODEL_LIMIT);
    assert_int_equal(hsc_config_set_u32(cfg, HSC_CFG_MAX_MODEL_BYTES, (uint32_t)image_len),
                     HSC_OK);
    assert_int_equal(hsc_model_load_file(p, cfg, &m, NULL), HSC_OK); /* mapped */
    hsc_model_free(m);
    /* a FIFO with no writer: an empty read, at once, not a hang */
    const char *fifo = in_dir("model.fifo");
    assert_int_equal(mkfifo(fifo, 0600), 0);
    time_t t0 = time(NULL);
    assert_int_equal(hsc_model_load_file(fifo, NULL, &m, NULL), HSC_E_MODEL_TRUNCATED);
    assert_int_equal(hsc_model_load_file(fifo, cfg, &m, NULL), HSC_E_MODEL_TRUNCATED);
    assert_true(time(NULL) - t0 < 5);
    /* a directory */
    assert_int_equal(hsc_model_load_file(dir, NULL, &m, NULL), HSC_E_IO);
    hsc_config_free(cfg);
    unlink(fifo);
    unlink(p);
}

/* ---- a live model's file rewritten in place ------------------------------------- */

typedef struct runner {
    hsc_model *m;
    atomic_int stop;
    char first[3][16];    /* the first answers */
    long runs, changed, failed;
} runner;

static const char *const texts[3] = {"frozen boneless beef", "apricots, fresh",
                                     "airbags for motor vehicles"};

static void *classify_loop(void *arg)
{
    runner *r = arg;
    hsc_session *s = NULL;
    if (hsc_session_new(r->m, NULL, &s) != HSC_OK) {
        r->failed++;
        return NULL;
    }
    for (long i = 0; !atomic_load(&r->stop) || i < 3; i++) {
        const char *code = NULL;
        double p;
        const char *t = texts[i % 3];
        if (hsc_session_classify(s, t, strlen(t), 3) != HSC_OK ||
            hsc_session_result(s, 0, 0, &code, &p) != HSC_OK) {
            r->failed++;
            continue;
        }
        if (i < 3)
            snprintf(r->first[i], sizeof r->first[i], "%s", code);
        else if (strcmp(code, r->first[i % 3]) != 0)
            r->changed++;
        r->runs++;
    }
    hsc_session_free(s);
    return NULL;
}

static void test_live_model_survives_its_file(void **state)
{
    (void)state;
    const char *p = in_dir("live.hscm");
    write_bytes(p, image, image_len);
    runner r = {0};
    assert_int_equal(hsc_model_load_file(p, NULL, &r.m, NULL), HSC_OK);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, classify_loop, &r), 0);
    /* rewrite in place (cp semantics: truncate, then write), truncate,
     * fill with garbage, as deployments and broken disks do */
    char *junk = malloc(image_len);
    assert_non_null(junk);
    memset(junk, 0x5A, image_len);
    for (int round = 0; round < 20; round++) {
        int fd = open(p, O_WRONLY | O_TRUNC);
        assert_true(fd >= 0);
        const void *what = round % 2 ? junk : image;
        assert_int_equal(write(fd, what, image_len / (size_t)(1 + round % 3)),
                         (ssize_t)(image_len / (size_t)(1 + round % 3)));
        close(fd);
        assert_int_equal(truncate(p, (off_t)(round % 4) * 100), 0);
        nanosleep(&(struct timespec){0, 2000000}, NULL);
    }
    atomic_store(&r.stop, 1);
    pthread_join(th, NULL);
    free(junk);
    assert_int_equal(r.failed, 0);
    assert_int_equal(r.changed, 0);
    assert_true(r.runs >= 3);
    hsc_model_free(r.m);
    unlink(p);
}

/* A trained model is saved as the image it was parsed from (no second
 * serialization): those bytes must be what serializing the model gives,
 * i.e. what saving the same model loaded from them writes. */
static void test_trained_model_saves_its_serialization(void **state)
{
    (void)state;
    hsc_model *again = NULL;
    void *resaved = NULL;
    size_t resaved_len = 0;
    assert_int_equal(hsc_model_load_memory(image, image_len, NULL, &again, NULL), HSC_OK);
    assert_int_equal(hsc_model_save_memory(again, &resaved, &resaved_len), HSC_OK);
    assert_int_equal(resaved_len, image_len);
    assert_memory_equal(resaved, image, image_len);
    const char *p = in_dir("trained.hscm");
    assert_int_equal(hsc_model_save_file(model, p), HSC_OK);
    size_t len = 0;
    char *saved = read_bytes(p, &len);
    assert_non_null(saved);
    assert_int_equal(len, image_len);
    assert_memory_equal(saved, image, image_len);
    free(saved);
    unlink(p);
    hsc_buffer_free(resaved);
    hsc_model_free(again);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_save_refuses_what_is_not_a_regular_file),
        cmocka_unit_test(test_save_through_a_link_keeps_the_link),
        cmocka_unit_test(test_save_keeps_the_umask),
        cmocka_unit_test(test_load_limits_and_fifos),
        cmocka_unit_test(test_live_model_survives_its_file),
        cmocka_unit_test(test_trained_model_saves_its_serialization),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
