/* hscode.h - HS codes as people write them; the one parser behind every
 * code the library reads (training rows, descriptions, national lines,
 * lookups, constraints, hsc_code_parse). Private.
 *
 * The rule: a code is written with digits, and '.' or ' ' may appear
 * anywhere in it and are ignored ("8703.23", "8703 23", "0201.30.00").
 * Any other character is an error, and so are more than 12 digits; each
 * caller sets its own minimum (2 for a code, 4 for a national line, none
 * for a lookup prefix). In a list of codes (constraints, "84, 8517;
 * 0201.30") commas and semicolons separate the codes; a space inside a
 * list is part of a code, so "84 85" is the heading 8485, not two
 * chapters. */
#ifndef HSC_HSCODE_H
#define HSC_HSCODE_H

#include <stddef.h>

#define HSC__CODE_MAX_DIGITS 12u
#define HSC__CODE_CAP 16u       /* digits + NUL, with room to spare */

/* Why a code was refused, for row messages. */
enum { HSC__CODE_OK = 0, HSC__CODE_NOT_DIGIT = 1, HSC__CODE_TOO_LONG = 2 };

/* One code in s[0..len): writes its digits and a NUL, and their count
 * (0 for "" or only separators). Returns HSC__CODE_OK or, for the first
 * problem from the left, HSC__CODE_NOT_DIGIT or HSC__CODE_TOO_LONG. */
int hsc__code_parse(const char *s, size_t len, char digits[HSC__CODE_CAP], size_t *n_digits);

/* The next code of a list, from *pos (start at 0): items between ',' or
 * ';' are parsed as above, blank items skipped. Returns 1 with the code,
 * 0 at the end of the list, -1 for an item that is not a code of
 * min_digits..12 digits; *pos moves past the item. */
int hsc__code_list_next(const char *s, size_t len, size_t *pos, size_t min_digits,
                        char digits[HSC__CODE_CAP], size_t *n_digits);
/* 1 when s[0..len) is only spaces: no list at all (",,," is a list of no
 * code). */
int hsc__code_list_blank(const char *s, size_t len);

#endif /* HSC_HSCODE_H */
