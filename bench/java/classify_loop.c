/*
 * The C side of bench/java/run.sh, as a shared library the Java benchmark
 * calls once per round (one JNA call for a whole round: its cost is not in
 * the figures): hsc_session_classify over texts, reading the results the
 * binding's Model.classify reads (k codes at the label level, at 2 and at 4
 * digits). Running both sides in one process, on the same threads, in
 * alternating rounds, puts them under the same load: on a shared machine,
 * separate processes measured at different moments differ by more than the
 * binding's overhead.
 */
#include <string.h>

#include "hsclass.h"

int bench_classify(hsc_session *s, const char *const *texts, const size_t *lens, size_t n,
                   uint32_t k);

static int read_results(hsc_session *s, uint32_t digits, uint32_t k) {
    size_t n = 0;
    if (hsc_session_result_count(s, digits, &n) != HSC_OK) {
        return 1;
    }
    for (size_t i = 0; i < n && i < k; i++) {
        const char *code;
        double p;
        if (hsc_session_result(s, digits, i, &code, &p) != HSC_OK) {
            return 1;
        }
    }
    return 0;
}

/* Returns the number of texts that failed. */
int bench_classify(hsc_session *s, const char *const *texts, const size_t *lens, size_t n,
                   uint32_t k) {
    int failed = 0;
    for (size_t i = 0; i < n; i++) {
        if (hsc_session_classify(s, texts[i], lens[i], k) != HSC_OK || read_results(s, 0, k)
            || read_results(s, 2, k) || read_results(s, 4, k)) {
            failed++;
        }
    }
    return failed;
}
