/* test_util.h - shared by the C suites: paths to tests/data and a small real
 * model trained from it (public API only). */
#ifndef HSC_TEST_UTIL_H
#define HSC_TEST_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsclass.h"

static inline const char *test_data_path(const char *name)
{
    static char buf[4096];
    const char *dir = getenv("HSCLASS_TEST_DATA");
    snprintf(buf, sizeof buf, "%s/%s", dir ? dir : "tests/data", name);
    return buf;
}

/* A real model from tests/data: HS2022 + EU CN French texts (nomenclature,
 * augmented) and HMRC search references, 12 chapters, HS6 labels. */
static inline hsc_status test_train_model(uint32_t threads, uint32_t seed, hsc_model **out)
{
    hsc_config *cfg = NULL;
    hsc_trainer *tr = NULL;
    hsc_status st = hsc_config_new(&cfg);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_DIM, 32);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_EPOCHS, 10);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_BUCKETS, 1u << 18);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_THREADS, threads);
    if (!st) st = hsc_config_set_u32(cfg, HSC_CFG_SEED, seed);
    if (!st) st = hsc_config_set_str(cfg, HSC_CFG_LANGUAGES, "en,fr");
    if (!st) st = hsc_trainer_new(cfg, &tr);
    if (!st) st = hsc_trainer_add_file(tr, test_data_path("train_nomenclature.tsv"), 1.0,
                                       HSC_ROWS_NOMENCLATURE);
    if (!st) st = hsc_trainer_add_file(tr, test_data_path("train_real.tsv"), 3.0, 0);
    if (!st) st = hsc_trainer_train(tr, out);
    hsc_trainer_free(tr);
    hsc_config_free(cfg);
    return st;
}

#endif
