/* tokenize.c - the PCRE2 tokenizer over normalized text.
 *
 * One pattern, compiled once per analyzer, finds (in this order):
 *   1 CODE      HS code mentions: "0201.30", "0201.30.00", "8703 23 90"
 *               (4 digits starting with a chapter 01-97, then 2-digit
 *               groups separated by dots or single spaces);
 *   2 QUANTITY  a number (optionally "2x"/"4 x " multipliers first) and a
 *               unit from the table below, with or without a space; group 3
 *               is the unit;
 *   4 NUMBER    "20", "3.5", "3,5", "1.000,50" not glued to letters;
 *   5 CHUNK     letters/marks/digits joined by - / . ' _ (and "," between
 *               digits); the analyzer splits a chunk into WORD, ALNUM,
 *               NUMBER and QUANTITY tokens.
 * Everything else (spaces, punctuation, symbols) separates tokens.
 *
 * Every repetition is possessive or bounded, and every position that
 * starts a long scan also ends a match there, so matching is linear in the
 * text; the match/depth/heap limits are a second line of defence. A chunk
 * has at most 64 parts (each joined part costs the matcher a step), so
 * "a-a-a-..." a megabyte long is many chunks, not a limit error. */
#include <string.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "text.h"

/* Normalized spellings (lowercase, accents stripped). canon is what a
 * QUANTITY token shows; family and to_base give the order of magnitude in
 * a base unit (kg, l, m, m2, ...). spaced = 0: only glued to the number
 * ("3in", not "3 in 1"; "10a", not Spanish "de 10 a 20"; "10bar", not
 * "2 bar stools"). */
static const hsc__unit units[] = {
    {"mg", "mg", "mass", 1e-6, 1}, {"g", "g", "mass", 1e-3, 1}, {"gr", "g", "mass", 1e-3, 1},
    {"grs", "g", "mass", 1e-3, 1}, {"gm", "g", "mass", 1e-3, 1}, {"gms", "g", "mass", 1e-3, 1},
    {"gram", "g", "mass", 1e-3, 1}, {"grams", "g", "mass", 1e-3, 1},
    {"gramme", "g", "mass", 1e-3, 1}, {"grammes", "g", "mass", 1e-3, 1},
    {"grama", "g", "mass", 1e-3, 1}, {"gramas", "g", "mass", 1e-3, 1},
    {"gramo", "g", "mass", 1e-3, 1}, {"gramos", "g", "mass", 1e-3, 1},
    {"kg", "kg", "mass", 1, 1}, {"kgs", "kg", "mass", 1, 1}, {"kilo", "kg", "mass", 1, 1},
    {"kilos", "kg", "mass", 1, 1}, {"kilogram", "kg", "mass", 1, 1},
    {"kilograms", "kg", "mass", 1, 1}, {"kilogramme", "kg", "mass", 1, 1},
    {"kilogrammes", "kg", "mass", 1, 1}, {"kilogramo", "kg", "mass", 1, 1},
    {"kilogramos", "kg", "mass", 1, 1}, {"quilo", "kg", "mass", 1, 1},
    {"quilos", "kg", "mass", 1, 1}, {"quilograma", "kg", "mass", 1, 1},
    {"quilogramas", "kg", "mass", 1, 1}, {"t", "t", "mass", 1e3, 0},
    {"ton", "t", "mass", 1e3, 1}, {"tons", "t", "mass", 1e3, 1}, {"tonne", "t", "mass", 1e3, 1},
    {"tonnes", "t", "mass", 1e3, 1}, {"tonelada", "t", "mass", 1e3, 1},
    {"toneladas", "t", "mass", 1e3, 1}, {"lb", "lb", "mass", 0.45359237, 1},
    {"lbs", "lb", "mass", 0.45359237, 1}, {"oz", "oz", "mass", 0.028349523, 1},
    {"ct", "ct", "mass", 2e-4, 1},
    {"ml", "ml", "vol", 1e-3, 1}, {"mls", "ml", "vol", 1e-3, 1}, {"cl", "cl", "vol", 1e-2, 1},
    {"dl", "dl", "vol", 0.1, 1}, {"l", "l", "vol", 1, 1}, {"lt", "l", "vol", 1, 1},
    {"lts", "l", "vol", 1, 1}, {"ltr", "l", "vol", 1, 1}, {"ltrs", "l", "vol", 1, 1},
    {"litre", "l", "vol", 1, 1}, {"litres", "l", "vol", 1, 1}, {"liter", "l", "vol", 1, 1},
    {"liters", "l", "vol", 1, 1}, {"litro", "l", "vol", 1, 1}, {"litros", "l", "vol", 1, 1},
    {"gal", "gal", "vol", 3.785411784, 1}, {"gallon", "gal", "vol", 3.785411784, 1},
    {"gallons", "gal", "vol", 3.785411784, 1}, {"cc", "cm3", "vol", 1e-3, 1},
    {"cm3", "cm3", "vol", 1e-3, 1}, {"m3", "m3", "vol", 1e3, 1},
    {"mm", "mm", "len", 1e-3, 1}, {"cm", "cm", "len", 1e-2, 1}, {"dm", "dm", "len", 0.1, 1},
    {"m", "m", "len", 1, 1}, {"mtr", "m", "len", 1, 1}, {"mtrs", "m", "len", 1, 1},
    {"mts", "m", "len", 1, 1}, {"metre", "m", "len", 1, 1}, {"metres", "m", "len", 1, 1},
    {"meter", "m", "len", 1, 1}, {"meters", "m", "len", 1, 1}, {"metro", "m", "len", 1, 1},
    {"metros", "m", "len", 1, 1}, {"km", "km", "len", 1e3, 1},
    {"\xce\xbcm", "um", "len", 1e-6, 1}, {"um", "um", "len", 1e-6, 0},
    {"micron", "um", "len", 1e-6, 1}, {"microns", "um", "len", 1e-6, 1},
    {"in", "in", "len", 0.0254, 0}, {"inch", "in", "len", 0.0254, 1},
    {"inches", "in", "len", 0.0254, 1}, {"ft", "ft", "len", 0.3048, 1},
    {"yd", "yd", "len", 0.9144, 1}, {"yds", "yd", "len", 0.9144, 1},
    {"mm2", "mm2", "area", 1e-6, 1}, {"cm2", "cm2", "area", 1e-4, 1},
    {"m2", "m2", "area", 1, 1}, {"sqm", "m2", "area", 1, 1},
    {"g/m2", "g/m2", "gsm", 1, 1}, {"gr/m2", "g/m2", "gsm", 1, 1}, {"gsm", "g/m2", "gsm", 1, 1},
    {"dtex", "dtex", "lin", 0.1, 1}, {"tex", "tex", "lin", 1, 1},
    {"v", "v", "volt", 1, 1}, {"kv", "kv", "volt", 1e3, 1}, {"vac", "v", "volt", 1, 1},
    {"vdc", "v", "volt", 1, 1}, {"w", "w", "power", 1, 1}, {"kw", "kw", "power", 1e3, 1},
    {"hp", "hp", "power", 745.7, 1}, {"cv", "cv", "power", 735.5, 1},
    {"va", "va", "apparent", 1, 1}, {"kva", "kva", "apparent", 1e3, 1},
    {"a", "a", "amp", 1, 0}, {"ma", "ma", "amp", 1e-3, 0}, {"ah", "ah", "charge", 1, 1},
    {"mah", "mah", "charge", 1e-3, 1}, {"wh", "wh", "energy", 1, 1},
    {"kwh", "kwh", "energy", 1e3, 1}, {"hz", "hz", "freq", 1, 1}, {"khz", "khz", "freq", 1e3, 1},
    {"mhz", "mhz", "freq", 1e6, 1}, {"ghz", "ghz", "freq", 1e9, 1},
    {"kb", "kb", "data", 1e3, 1}, {"mb", "mb", "data", 1e6, 1}, {"gb", "gb", "data", 1e9, 1},
    {"tb", "tb", "data", 1e12, 1}, {"bar", "bar", "press", 1e5, 0},
    {"psi", "psi", "press", 6894.757, 1}, {"kpa", "kpa", "press", 1e3, 1},
    {"mpa", "mpa", "press", 1e6, 1},
    {"pcs", "pcs", NULL, 1, 1}, {"pc", "pcs", NULL, 1, 1}, {"pce", "pcs", NULL, 1, 1},
    {"pces", "pcs", NULL, 1, 1}, {"pz", "pcs", NULL, 1, 1}, {"pzs", "pcs", NULL, 1, 1},
    {"\xc2\xb0", "deg", NULL, 1, 1}, {"\xc2\xb0" "c", "degc", NULL, 1, 1},
    {"\xc2\xb0" "f", "degf", NULL, 1, 1},
};

#define N_UNITS (sizeof units / sizeof units[0])

const hsc__unit *hsc__unit_find(const char *s, size_t len)
{
    if (len == 1 && s[0] == '%') {
        static const hsc__unit pct = {"%", "%", NULL, 1, 1};
        return &pct;
    }
    for (size_t i = 0; i < N_UNITS; i++)
        if (strlen(units[i].spelling) == len && memcmp(units[i].spelling, s, len) == 0)
            return &units[i];
    return NULL;
}

struct hsc__tokenizer {
    hsc__alloc alloc;
    pcre2_general_context *gctx;   /* NULL: PCRE2's malloc */
    pcre2_code *code;
    pcre2_match_data *md;
    pcre2_match_context *mctx;
    int regex_only;                /* tests: no ASCII fast path */
};

static void *pcre_malloc(PCRE2_SIZE size, void *data)
{
    return hsc__calloc(data, 1, size);
}

static void pcre_free(void *p, void *data)
{
    hsc__free(data, p);
}

/* Alternation of unit spellings, longest first so "g/m2" beats "g". */
static int append_units(const hsc__alloc *a, hsc__buf *b, int spaced)
{
    int first = 1, st;
    for (size_t len = 16; len > 0; len--) {
        for (size_t i = 0; i < N_UNITS; i++) {
            if (strlen(units[i].spelling) != len || (spaced && !units[i].spaced))
                continue;
            st = first ? HSC_OK : hsc__buf_append(a, b, "|", 1);
            if (st == HSC_OK)
                st = hsc__buf_append_str(a, b, units[i].spelling);
            if (st != HSC_OK)
                return st;
            first = 0;
        }
    }
    return HSC_OK;
}

#define ALNUM "[\\p{L}\\p{M}\\p{N}]"
#define NUM "[0-9]++(?:[.,][0-9]++){0,3}+"
#define BOUND "(?!" ALNUM "|['\\-]" ALNUM ")"

static int build_pattern(const hsc__alloc *a, hsc__buf *b)
{
    int st;
#define APPEND(s)                                                                        \
    do {                                                                                 \
        st = hsc__buf_append_str(a, b, s);                                               \
        if (st != HSC_OK)                                                                \
            return st;                                                                   \
    } while (0)
    APPEND("(?<![0-9.,])((?:0[1-9]|[1-8][0-9]|9[0-7])[0-9]{2}"
           "(?:\\.[0-9]{2}(?:\\.?+[0-9]{2}){0,2}+|(?: [0-9]{2}){1,3}+))"
           "(?!" ALNUM "|[.,][0-9])");
    APPEND("|((?:" NUM " ?+[x*\xc3\x97] ?+){0,3}+" NUM "(?| ?+(");
    st = append_units(a, b, 1);
    if (st != HSC_OK)
        return st;
    APPEND(")" BOUND "|(");
    st = append_units(a, b, 0);
    if (st != HSC_OK)
        return st;
    APPEND(")" BOUND "| ?+(%)))");
    APPEND("|(" NUM ")(?!" ALNUM "|[-/._'][\\p{L}\\p{M}\\p{N}])");
    APPEND("|(" ALNUM "++(?:(?:[-/.'_]|(?<=[0-9]),(?=[0-9]))" ALNUM "++){0,63}+)");
#undef APPEND
    return HSC_OK;
}

#define COMPILE_ERR_NOMEMORY 121 /* pcre2_compile's ERR21 */

static int has_custom_alloc(const hsc__alloc *a)
{
    return a != NULL && a->calloc_fn != NULL;
}

int hsc__tokenizer_new(const hsc__alloc *a, uint32_t match_limit, hsc__tokenizer **out)
{
    hsc__tokenizer *tk;
    hsc__buf pat = {0};
    int errcode, st;
    PCRE2_SIZE erroff;
    pcre2_compile_context *cctx = NULL;

    *out = NULL;
    tk = hsc__calloc(a, 1, sizeof *tk);
    if (tk == NULL)
        return HSC_E_NOMEM;
    if (a != NULL)
        tk->alloc = *a;
    st = HSC_E_NOMEM;
    if (has_custom_alloc(a) &&
        (tk->gctx = pcre2_general_context_create(pcre_malloc, pcre_free, &tk->alloc)) == NULL)
        goto fail;
    st = build_pattern(&tk->alloc, &pat);
    if (st != HSC_OK)
        goto fail;
    st = HSC_E_NOMEM;
    if ((cctx = pcre2_compile_context_create(tk->gctx)) == NULL)
        goto fail;
    tk->code = pcre2_compile((PCRE2_SPTR)pat.data, pat.len,
                             PCRE2_UTF | PCRE2_UCP | PCRE2_NO_UTF_CHECK, &errcode, &erroff, cctx);
    pcre2_compile_context_free(cctx);
    if (tk->code == NULL) {
        /* The pattern is fixed and tested, so only memory can fail it:
         * compile error 21 is "failed to get memory". */
        st = errcode == COMPILE_ERR_NOMEMORY ? HSC_E_NOMEM : HSC_E_INTERNAL;
        goto fail;
    }
    /* JIT when the platform has it; the interpreter otherwise. Both honour
     * the match limit. */
    (void)pcre2_jit_compile(tk->code, PCRE2_JIT_COMPLETE);
    if ((tk->md = pcre2_match_data_create_from_pattern(tk->code, tk->gctx)) == NULL ||
        (tk->mctx = pcre2_match_context_create(tk->gctx)) == NULL)
        goto fail;
    hsc__buf_free(&tk->alloc, &pat);
    hsc__tokenizer_set_limit(tk, match_limit);
    *out = tk;
    return HSC_OK;
fail:
    hsc__buf_free(&tk->alloc, &pat);
    hsc__tokenizer_free(tk);
    return st;
}

void hsc__tokenizer_set_limit(hsc__tokenizer *tk, uint32_t match_limit)
{
    pcre2_set_match_limit(tk->mctx, match_limit);
    pcre2_set_depth_limit(tk->mctx, match_limit);
    pcre2_set_heap_limit(tk->mctx, 16384); /* KiB of backtracking frames */
}

void hsc__tokenizer_free(hsc__tokenizer *tk)
{
    hsc__alloc a;
    if (tk == NULL)
        return;
    pcre2_match_context_free(tk->mctx);
    pcre2_match_data_free(tk->md);
    pcre2_code_free(tk->code);
    pcre2_general_context_free(tk->gctx);
    a = tk->alloc;
    hsc__free(&a, tk);
}

void hsc__tokenizer_regex_only(hsc__tokenizer *tk, int on)
{
    tk->regex_only = on;
}

static int ascii_alnum(unsigned char c)
{
    return (unsigned)((c | 0x20) - 'a') < 26u || (unsigned)(c - '0') < 10u;
}

static int ascii_letter(unsigned char c)
{
    return (unsigned)((c | 0x20) - 'a') < 26u;
}

/* The ASCII fast path. Every branch of the pattern starts at a letter,
 * mark or digit (CODE, QUANTITY and NUMBER at a digit, CHUNK at any of
 * them), so the other ASCII bytes start no match and are skipped. At an
 * ASCII letter only CHUNK can match: its first run takes every letter,
 * mark and digit that follows, and a part is joined only by - / . ' _ or
 * a comma. So letters and digits up to the end, or up to an ASCII byte
 * that joins nothing, are the whole match, found without the regex
 * engine; anything else (a non-ASCII byte, a joiner, a digit first) is
 * left to the pattern from there, as the pattern would have found no
 * match before it. */
static int fast_chunk(const char *s, size_t len, size_t *start, hsc__match *m)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = *start;
    while (i < len && u[i] < 0x80 && !ascii_alnum(u[i]))
        i++;
    *start = i;
    if (i >= len || !ascii_letter(u[i]))
        return 0;
    size_t j = i + 1;
    while (j < len && ascii_alnum(u[j]))
        j++;
    if (j < len && (u[j] >= 0x80 || u[j] == '-' || u[j] == '/' || u[j] == '.' || u[j] == '\'' ||
                    u[j] == '_' || u[j] == ','))
        return 0;
    memset(m, 0, sizeof *m);
    m->kind = HSC__M_CHUNK;
    m->begin = i;
    m->end = j;
    return 1;
}

int hsc__tokenizer_next(hsc__tokenizer *tk, const char *s, size_t len, size_t start,
                        hsc__match *m, int *found)
{
    int st;
    PCRE2_SIZE *ov;

    *found = 0;
    if (!tk->regex_only && fast_chunk(s, len, &start, m)) {
        *found = 1;
        return HSC_OK;
    }
    if (start >= len)
        return HSC_OK;
    st = pcre2_match(tk->code, (PCRE2_SPTR)s, len, start, PCRE2_NO_UTF_CHECK, tk->md, tk->mctx);
    if (st == PCRE2_ERROR_NOMATCH)
        return HSC_OK;
    if (st == PCRE2_ERROR_MATCHLIMIT || st == PCRE2_ERROR_DEPTHLIMIT ||
        st == PCRE2_ERROR_HEAPLIMIT || st == PCRE2_ERROR_JIT_STACKLIMIT)
        return HSC_E_REGEX_LIMIT;
    if (st == PCRE2_ERROR_NOMEMORY)
        return HSC_E_NOMEM;
    if (st < 0)
        return HSC_E_INTERNAL;
    ov = pcre2_get_ovector_pointer(tk->md);
    if (ov[0] >= ov[1])
        return HSC_E_INTERNAL; /* every branch consumes at least one byte */
    memset(m, 0, sizeof *m);
    m->begin = ov[0];
    m->end = ov[1];
    if (st > 1 && ov[2] != PCRE2_UNSET) {
        m->kind = HSC__M_CODE;
    } else if (st > 2 && ov[4] != PCRE2_UNSET) {
        m->kind = HSC__M_QTY;
        m->unit_begin = ov[6];
        m->unit_end = ov[7];
    } else if (st > 4 && ov[8] != PCRE2_UNSET) {
        m->kind = HSC__M_NUM;
    } else {
        m->kind = HSC__M_CHUNK;
    }
    *found = 1;
    return HSC_OK;
}
