/* trade_noise.c - a training text dressed as declarations are: packaging,
 * counts, quantities, shipping marks, model references, origins, a
 * dropped letter. Learning each text also in such a dress teaches the model
 * that "SACS 50KG", "CTNS" or "MODEL XK-200" say nothing about the goods.
 * The vocabulary mixes English, French and Portuguese, as declarations in
 * West and Central Africa do. */
#include <stdio.h>
#include <string.h>

#include "train_data.h"

#define N_OF(a) (sizeof(a) / sizeof *(a))

static const char *const packs[] = {
    "CTNS",    "CTN",     "CARTONS", "SACS",     "SAC",     "BAGS",     "BAG",      "SACOS",
    "BTE",     "BTES",    "BOITES",  "BOXES",    "CX",      "CXS",      "CAIXAS",   "UN",
    "UND",     "UNITES",  "PCS",     "PIECES",   "PKGS",    "COLIS",    "BIDONS",   "JERRYCANS",
    "DRUMS",   "FUTS",    "TAMBORES","BALLES",   "BALES",   "FARDOS",   "ROLLS",    "ROULEAUX",
    "ROLOS",   "PALETTES","PALLETS", "PALETES",  "BOTTLES", "BOUTEILLES","GARRAFAS","CANS",
    "LATAS",   "SACHETS", "TINS",    "PACKS",    "PAQUETS", "PACOTES",  "LOTS",     "DOZ",
    "SETS",    "PAIRES",  "PARES",   "PRS",      "NOS",     "EA",       "CRATES",   "CAISSES",
};
static const char *const units[] = {"KG", "KGS", "G", "GR", "L", "LTRS", "LT", "ML",
                                    "T", "MT", "TONNES", "M", "CM", "MM", "CL", "LBS"};
static const char *const preps[] = {"EN", "IN", "EM", "PAR", "PER", "POR", "DANS", "AVEC", "WITH",
                                    "COM"};
static const char *const marks[] = {"MODEL", "MODELE", "MODELO", "REF", "MARCA", "MARQUE", "BRAND",
                                    "LOT N", "ART", "CODE", "P/N", "TYPE", "TIPO", "PO", "INV"};
static const char *const origins[] = {"ORIGIN CHINA", "ORIGINE CHINE", "ORIGEM CHINA",
                                      "MADE IN TURKEY", "ORIGINE INDE", "ORIGIN INDIA",
                                      "ORIGEM BRASIL", "MADE IN UAE", "ORIGINE FRANCE",
                                      "1X40HC", "1X20'", "CONTAINER 40'", "CONTENEUR 20'",
                                      "CONTENTOR 40", "NET WT", "POIDS NET", "PESO LIQUIDO"};
static const unsigned counts[] = {1,  2,  3,  5,  6,  10,  12,  20,  24,  25,   30,   40,
                                  48, 50, 60, 100, 120, 200, 250, 330, 400, 500, 1000, 5000};

/* An index below n from the next bits of *r (rotated 8 bits a pick). */
static size_t pick(uint64_t *r, size_t n)
{
    *r = *r >> 8 | *r << 56;
    return (size_t)(*r % n);
}

#define PICK(tab, r) (tab[pick(r, N_OF(tab))])

/* The text with one letter of its longest word dropped ("FROZN"). */
static int drop_letter(const hsc__alloc *a, const char *text, size_t len, uint64_t r,
                       hsc__buf *out)
{
    size_t best = 0, best_len = 0;
    for (size_t i = 0; i < len;) {
        size_t j = i;
        while (j < len && ((text[j] | 0x20) >= 'a' && (text[j] | 0x20) <= 'z'))
            j++;
        if (j - i > best_len)
            best = i, best_len = j - i;
        i = j + 1;
    }
    if (best_len < 6)
        return hsc__buf_append(a, out, text, len);
    size_t cut = best + 1 + (size_t)(r % (best_len - 2));
    int st = hsc__buf_append(a, out, text, cut);
    return st != HSC_OK ? st : hsc__buf_append(a, out, text + cut + 1, len - cut - 1);
}

int hsc__trade_noise(const hsc__alloc *a, uint64_t r, const char *text, size_t len,
                     hsc__buf *out)
{
    char pre[64] = "", post[96] = "";
    unsigned n1 = PICK(counts, &r), n2 = PICK(counts, &r);
    const char *pack = PICK(packs, &r), *unit = PICK(units, &r), *prep = PICK(preps, &r);
    const char *mark = PICK(marks, &r), *origin = PICK(origins, &r);
    unsigned kind = (unsigned)((r >> 3) % 9);
    int typo = kind == 8 || (r >> 7) % 9 == 0;
    switch (kind) {
    case 0: snprintf(post, sizeof post, "%u%s %s", n1, unit, pack); break;
    case 1: snprintf(pre, sizeof pre, "%u %s", n1, pack); break;
    case 2: snprintf(post, sizeof post, "%s %s DE %u%s", prep, pack, n1, unit); break;
    case 3: snprintf(post, sizeof post, "%u %s", n1, pack); break;
    case 4:
        snprintf(post, sizeof post, "%s %c%c-%u", mark, 'A' + (int)(r % 26),
                 'A' + (int)((r >> 5) % 26), n2);
        break;
    case 5:
        snprintf(pre, sizeof pre, "%s %u", pack, n2);
        snprintf(post, sizeof post, "%u%s", n1, unit);
        break;
    case 6: snprintf(post, sizeof post, "%u X %u%s %s", n2, n1, unit, pack); break;
    case 7: snprintf(post, sizeof post, "%s %u %s", origin, n1, pack); break;
    default: break;   /* a typo only */
    }
    out->len = 0;
    int st = hsc__buf_append(a, out, pre, strlen(pre));
    if (st == HSC_OK && pre[0] != '\0')
        st = hsc__buf_append(a, out, " ", 1);
    if (st == HSC_OK)
        st = typo ? drop_letter(a, text, len, r >> 11, out) : hsc__buf_append(a, out, text, len);
    if (st == HSC_OK && post[0] != '\0')
        st = hsc__buf_append(a, out, " ", 1);
    if (st == HSC_OK)
        st = hsc__buf_append(a, out, post, strlen(post));
    return st;
}
