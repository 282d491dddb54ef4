/* hscode.c - the HS code parser (the rule is in hscode.h) and its public
 * form, hsc_code_parse. */
#include <string.h>

#include "hsc_internal.h"
#include "hscode.h"
#include "model_format.h"

_Static_assert(HSC__CODE_MAX_DIGITS == HSCM_MAX_CODE_DIGITS &&
                   HSC__CODE_MAX_DIGITS == HSC_CODE_MAX_DIGITS,
               "a code the parser accepts fits a model label and the public limit");
_Static_assert(HSC__CODE_CAP > HSC__CODE_MAX_DIGITS, "room for the NUL");

int hsc__code_parse(const char *s, size_t len, char digits[HSC__CODE_CAP], size_t *n_digits)
{
    size_t n = 0;
    int why = HSC__CODE_OK;
    for (size_t i = 0; i < len && why == HSC__CODE_OK; i++) {
        char c = s[i];
        if (c == '.' || c == ' ')
            continue;
        if (c < '0' || c > '9')
            why = HSC__CODE_NOT_DIGIT;
        else if (n == HSC__CODE_MAX_DIGITS)
            why = HSC__CODE_TOO_LONG;
        else
            digits[n++] = c;
    }
    digits[n] = '\0';
    *n_digits = n;
    return why;
}

static int is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ')
            return 0;
    return 1;
}

int hsc__code_list_blank(const char *s, size_t len)
{
    return is_blank(s, len);
}

int hsc__code_list_next(const char *s, size_t len, size_t *pos, size_t min_digits,
                        char digits[HSC__CODE_CAP], size_t *n_digits)
{
    while (*pos < len) {
        size_t start = *pos, end = start;
        while (end < len && s[end] != ',' && s[end] != ';')
            end++;
        *pos = end < len ? end + 1 : end;
        if (is_blank(s + start, end - start))
            continue;
        if (hsc__code_parse(s + start, end - start, digits, n_digits) != HSC__CODE_OK ||
            *n_digits < min_digits)
            return -1;
        return 1;
    }
    return 0;
}

hsc_status hsc_code_parse(const char *text, size_t len, char *digits, size_t cap,
                          size_t *n_digits)
{
    if (n_digits != NULL)
        *n_digits = 0;
    if ((text == NULL && len > 0) || digits == NULL || cap <= HSC_CODE_MAX_DIGITS)
        return HSC_E_INVALID_ARG;
    char d[HSC__CODE_CAP];
    size_t n;
    if (hsc__code_parse(text != NULL ? text : "", len, d, &n) != HSC__CODE_OK) {
        digits[0] = '\0';
        return HSC_E_BAD_CODE;
    }
    memcpy(digits, d, n + 1);
    if (n_digits != NULL)
        *n_digits = n;
    return HSC_OK;
}
