/*
 * The C API's answers for the Java tests to compare with (ReferenceTest):
 *   classify_reference MODEL K < texts (one per line)
 * For each line: "T status decision reason", then one "R digits code
 * probability" per result at levels 0, 2 and 4, probabilities in %a (exact).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hsclass.h"

static const uint32_t LEVELS[] = {0, 2, 4};

static int print_results(hsc_session *s, uint32_t digits) {
    size_t n = 0;
    if (hsc_session_result_count(s, digits, &n) != HSC_OK) {
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *code = NULL;
        double p = 0;
        if (hsc_session_result(s, digits, i, &code, &p) != HSC_OK) {
            return 1;
        }
        printf("R %u %s %a\n", (unsigned)digits, code, p);
    }
    return 0;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s MODEL K < texts\n", argv[0]);
        return 2;
    }
    hsc_model *model = NULL;
    hsc_session *s = NULL;
    hsc_status st = hsc_model_load_file(argv[1], NULL, &model, NULL);
    if (st == HSC_OK) {
        st = hsc_session_new(model, NULL, &s);
    }
    if (st != HSC_OK) {
        fprintf(stderr, "%s: %s\n", argv[1], hsc_status_string(st));
        hsc_model_free(model);
        return 1;
    }
    uint32_t k = (uint32_t)strtoul(argv[2], NULL, 10);
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int failed = 0;
    while (!failed && (len = getline(&line, &cap, stdin)) >= 0) {
        if (len > 0 && line[len - 1] == '\n') {
            len--;
        }
        uint32_t decision = 0, reason = 0;
        st = hsc_session_classify(s, line, (size_t)len, k);
        if (st == HSC_OK) {
            st = hsc_session_decision(s, &decision, &reason);
        }
        printf("T %d %u %u\n", st, (unsigned)decision, (unsigned)reason);
        for (size_t i = 0; st == HSC_OK && i < sizeof LEVELS / sizeof LEVELS[0]; i++) {
            failed = print_results(s, LEVELS[i]);
        }
    }
    free(line);
    hsc_session_free(s);
    hsc_model_free(model);
    return failed;
}
