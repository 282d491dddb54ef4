/* nomen_api.c - the public calls on the nomenclature a model carries:
 * hsc_model_nomenclature_*, hsc_model_describe and hsc_model_national_*.
 * The tables are decoded on the first call that needs them
 * (hsc__model_tables). */
#include <string.h>

#include "hscode.h"
#include "model.h"
#include "model_format.h"

/* The national lines of a model (hsc__model_tables). */
static int natl_of(const hsc_model *model, const hsc__natl **n)
{
    const hsc__tables *t;
    if (model == NULL)
        return HSC_E_INVALID_ARG;
    int st = hsc__model_tables(model, &t);
    *n = st == HSC_OK ? &t->natl : NULL;
    return st;
}

/* ---- public model API -------------------------------------------------------------------- */

hsc_status hsc_model_nomenclature_languages(const hsc_model *model, const char **out)
{
    const hsc__tables *t;
    if (model == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    int st = hsc__model_tables(model, &t);
    if (st == HSC_OK)
        *out = t->nomen.langs_str;
    return st;
}

hsc_status hsc_model_nomenclature_count(const hsc_model *model, size_t *out)
{
    const hsc__tables *t;
    if (model == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    int st = hsc__model_tables(model, &t);
    if (st == HSC_OK)
        *out = t->nomen.n_codes;
    return st;
}

hsc_status hsc_model_nomenclature_entry(const hsc_model *model, size_t index, const char *lang,
                                        const char **code, const char **description)
{
    const hsc__tables *tb;
    if (model == NULL)
        return HSC_E_INVALID_ARG;
    int st = hsc__model_tables(model, &tb);
    if (st != HSC_OK)
        return st;
    const hsc__nomen *n = &tb->nomen;
    if (index >= n->n_codes)
        return HSC_E_NO_RESULT;
    const char *t = hsc__nomen_entry_text(n, index, lang);
    if (code != NULL)
        *code = n->pool + n->code[index];
    if (description != NULL)
        *description = t != NULL ? t : "";
    return HSC_OK;
}

/* A prefix argument (hscode.h); "" matches all. */
static int prefix_arg(const char *prefix, size_t len, char digits[HSC__CODE_CAP], size_t *nd)
{
    if (prefix == NULL && len > 0)
        return HSC_E_INVALID_ARG;
    if (hsc__code_parse(prefix != NULL ? prefix : "", len, digits, nd) != HSC__CODE_OK)
        return HSC_E_BAD_CODE;
    return HSC_OK;
}

hsc_status hsc_model_nomenclature_find(const hsc_model *model, const char *prefix, size_t len,
                                       size_t *first, size_t *count)
{
    char d[HSC__CODE_CAP];
    size_t nd;
    size_t f, c;
    const hsc__tables *t;
    if (model == NULL)
        return HSC_E_INVALID_ARG;
    int st = prefix_arg(prefix, len, d, &nd);
    if (st == HSC_OK)
        st = hsc__model_tables(model, &t);
    if (st != HSC_OK)
        return st;
    hsc__nomen_range(&t->nomen, d, nd, first != NULL ? first : &f, count != NULL ? count : &c);
    return HSC_OK;
}

hsc_status hsc_model_describe(const hsc_model *model, const char *code, size_t len,
                              const char *lang, const char **out)
{
    char d[HSC__CODE_CAP];
    size_t nd;
    const hsc__tables *t;
    if (model == NULL || (code == NULL && len > 0) || out == NULL)
        return HSC_E_INVALID_ARG;
    *out = NULL;
    if (hsc__code_parse(code != NULL ? code : "", len, d, &nd) != HSC__CODE_OK || nd < HSCM_MIN_CODE_DIGITS)
        return HSC_E_BAD_CODE;
    int st = hsc__model_tables(model, &t);
    if (st != HSC_OK)
        return st;
    *out = hsc__describe(&t->nomen, &t->natl, d, nd, lang != NULL && *lang ? lang : NULL);
    return *out != NULL ? HSC_OK : HSC_E_NO_RESULT;
}

hsc_status hsc_model_national_scheme_count(const hsc_model *model, size_t *out)
{
    const hsc__tables *t;
    if (model == NULL || out == NULL)
        return HSC_E_INVALID_ARG;
    int st = hsc__model_tables(model, &t);
    if (st == HSC_OK)
        *out = t->natl.n_schemes;
    return st;
}

hsc_status hsc_model_national_scheme(const hsc_model *model, size_t scheme, const char **name,
                                     const char **lang)
{
    const hsc__natl *n;
    int tst = natl_of(model, &n);
    if (tst != HSC_OK)
        return tst;
    if (scheme >= n->n_schemes)
        return HSC_E_NO_RESULT;
    if (name != NULL)
        *name = n->schemes[scheme].name;
    if (lang != NULL)
        *lang = n->schemes[scheme].lang;
    return HSC_OK;
}

hsc_status hsc_model_national_find(const hsc_model *model, size_t scheme, const char *prefix,
                                   size_t len, size_t *first, size_t *count)
{
    char d[HSC__CODE_CAP];
    size_t nd;
    size_t f, c;
    const hsc__natl *n;
    int tst = natl_of(model, &n);
    if (tst != HSC_OK)
        return tst;
    if (scheme >= n->n_schemes)
        return HSC_E_NO_RESULT;
    int st = prefix_arg(prefix, len, d, &nd);
    if (st != HSC_OK)
        return st;
    hsc__natl_range(n, (uint32_t)scheme, d, nd, first != NULL ? first : &f,
                    count != NULL ? count : &c);
    return HSC_OK;
}

hsc_status hsc_model_national_line(const hsc_model *model, size_t scheme, size_t index,
                                   const char **code, const char **description)
{
    const hsc__natl *n;
    int tst = natl_of(model, &n);
    if (tst != HSC_OK)
        return tst;
    if (scheme >= n->n_schemes || index >= n->schemes[scheme].n_lines)
        return HSC_E_NO_RESULT;
    if (code != NULL)
        *code = n->pool + n->schemes[scheme].code[index];
    if (description != NULL)
        *description = n->pool + n->schemes[scheme].text[index];
    return HSC_OK;
}
