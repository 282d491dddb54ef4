/* stopwords.c - function words of en, fr, pt, es, and the string set that
 * holds the union for an analyzer; the generic and packaging words that
 * name no goods on their own (review decisions, the phrase head).
 *
 * Descriptions are not language-identified, so a token is a stopword when
 * it is one in ANY configured language. The lists are therefore short
 * (articles, prepositions, conjunctions, pronouns) and leave out every word
 * that is content in another of our languages once accents are folded:
 *   en "or"       French "or" = gold
 *   pt "os"       French "os" = bone ("sans os" = boneless)
 *   pt "mais"     French "maïs" = maize
 *   fr/es "la"    Portuguese "lã" = wool
 *   es/pt "pelo"  Spanish "pelo" = hair (pt "by the")
 *   fr "son"      French "son" = bran ("son de blé")
 *   pt/es "para"  chemistry prefix "para-" (para-xylene)
 * Negations and HS residual words ("not", "without", "sans", "sem", "sin",
 * "other", "autres", "outros") are content in a tariff and are kept. */
#include <stdlib.h>
#include <string.h>

#include "text.h"

static const char *const stop_en[] = {
    "a", "also", "an", "and", "are", "as", "at", "be", "been", "being", "by", "etc", "for",
    "from", "had", "has", "have", "in", "into", "is", "it", "its", "of", "on", "onto", "than",
    "that", "the", "their", "these", "this", "those", "thereof", "to", "upon", "was", "were",
    "whether", "which", "with", NULL};

static const char *const stop_fr[] = {
    "à", "au", "aux", "avec", "ce", "ces", "cet", "cette", "d", "dans", "de", "des", "dont",
    "du", "en", "est", "et", "l", "le", "les", "leur", "leurs", "ou", "par", "pour", "qu",
    "que", "qui", "sa", "se", "ses", "sont", "sur", "un", "une", NULL};

static const char *const stop_pt[] = {
    "a", "à", "ao", "aos", "as", "às", "com", "da", "das", "de", "do", "dos", "e", "em", "na",
    "nas", "no", "nos", "num", "numa", "o", "ou", "pela", "pelas", "por", "que", "se", "seu",
    "seus", "sua", "suas", "um", "uma", "umas", "uns", NULL};

static const char *const stop_es[] = {
    "a", "al", "con", "de", "del", "e", "el", "en", "es", "las", "lo", "los", "o", "por",
    "que", "se", "su", "sus", "u", "un", "una", "unas", "unos", "y", NULL};

const char *const *hsc__stopword_list(uint32_t lang)
{
    switch (lang) {
    case HSC__LANG_EN: return stop_en;
    case HSC__LANG_FR: return stop_fr;
    case HSC__LANG_PT: return stop_pt;
    case HSC__LANG_ES: return stop_es;
    default: return NULL;
    }
}

static uint32_t str_hash(const char *s, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 16777619u;
    }
    return h;
}

int hsc__wordset_has(const hsc__wordset *ws, const char *s, size_t len)
{
    uint32_t mask, i;
    if (ws->cap == 0)
        return 0;
    mask = ws->cap - 1;
    for (i = str_hash(s, len) & mask; ws->slots[i] != 0; i = (i + 1) & mask) {
        const char *w = ws->pool.data + ws->slots[i] - 1;
        if (strncmp(w, s, len) == 0 && w[len] == '\0')
            return 1;
    }
    return 0;
}

static void insert(hsc__wordset *ws, uint32_t off, size_t len)
{
    uint32_t mask = ws->cap - 1;
    uint32_t i = str_hash(ws->pool.data + off, len) & mask;
    while (ws->slots[i] != 0)
        i = (i + 1) & mask;
    ws->slots[i] = off + 1;
}

int hsc__stopwords_build(const hsc__alloc *a, const hsc__textspec *spec, hsc__wordset *ws)
{
    hsc__norm norm = {0};
    size_t total = 0;
    uint32_t cap = 16;
    int st = HSC_OK;

    memset(ws, 0, sizeof *ws);
    for (uint32_t l = 0; l < spec->n_langs; l++) {
        const char *const *list = hsc__stopword_list(spec->langs[l]);
        for (size_t i = 0; list != NULL && list[i] != NULL; i++)
            total++;
    }
    if (total == 0)
        return HSC_OK;
    while (cap < 2 * total)
        cap *= 2;
    if ((ws->slots = hsc__calloc(a, cap, sizeof *ws->slots)) == NULL)
        return HSC_E_NOMEM;
    ws->cap = cap;
    for (uint32_t l = 0; l < spec->n_langs && st == HSC_OK; l++) {
        const char *const *list = hsc__stopword_list(spec->langs[l]);
        for (size_t i = 0; list != NULL && list[i] != NULL; i++) {
            size_t off = ws->pool.len;
            /* Normalize like text, so "à" matches with and without accent
             * stripping. */
            st = hsc__normalize(a, list[i], strlen(list[i]), spec->strip_accents, &norm);
            if (st != HSC_OK)
                break;
            if (hsc__wordset_has(ws, norm.text.data, norm.text.len))
                continue;
            st = hsc__buf_append(a, &ws->pool, norm.text.data, norm.text.len + 1);
            if (st != HSC_OK)
                break;
            insert(ws, (uint32_t)off, norm.text.len);
        }
    }
    hsc__norm_free(a, &norm);
    if (st != HSC_OK)
        hsc__wordset_free(a, ws);
    return st;
}

void hsc__wordset_free(const hsc__alloc *a, hsc__wordset *ws)
{
    hsc__free(a, ws->slots);
    hsc__buf_free(a, &ws->pool);
    ws->slots = NULL;
    ws->cap = 0;
}

/* ---- generic and packaging words ------------------------------------------ */

/* Words that name no kind of goods on their own, in en, fr, pt and es,
 * accent-free and sorted (bytewise): generic words ("spare parts",
 * "samples", "various items", "marchandises diverses", "pecas de
 * reposicao" are made only of them) and packaging ("1 pallet", "20 sacs",
 * "CTNS"), which the model learns as trade noise. A text needs one other
 * word before a code can be accepted. */
static const char *const vague_words[] = {
    "accesorio", "accesorios", "accessoire", "accessoires", "accessories", "accessory",
    "acessorio", "acessorios", "amostra", "amostras", "article", "articles", "articulo",
    "articulos", "artigo", "artigos", "assorted", "assortes", "assortis", "autre", "autres", "bag",
    "bags", "bale", "bales", "balle", "balles", "ballot", "ballots", "batch", "bidon", "bidons",
    "boite", "boites", "box", "boxes", "brinde", "brindes", "bte", "btes", "bulto", "bultos",
    "bundle", "bundles", "cadeau", "cadeaux", "caisse", "caisses", "caixa", "caixas", "caixote",
    "caixotes", "carga", "cargo", "carton", "cartons", "charge", "colis", "commercial",
    "commodities", "commodity", "consignment", "consolidated", "contain", "container",
    "containers", "contains", "conteneur", "conteneurs", "contentor", "contentores", "crate",
    "crates", "ctn", "ctns", "cx", "cxs", "detache", "detachee", "detachees", "detaches",
    "diversas", "diverse", "diverses", "diverso", "diversos", "doz", "drum", "drums", "dz", "ea",
    "echantillon", "echantillons", "effects", "effets", "embalagem", "emballage", "equipamento",
    "equipamentos", "equipement", "equipements", "equipment", "equipo", "equipos", "fak", "fardo",
    "fardos", "fourniture", "fournitures", "free", "freight", "fut", "futs", "general", "generale",
    "generales", "generaux", "gift", "gifts", "goods", "household", "item", "items", "itens",
    "jerrycan", "jerrycans", "kit", "kits", "lot", "lots", "marchandise", "marchandises",
    "materiais", "material", "materiales", "materials", "materiel", "materiels", "mercaderia",
    "mercaderias", "mercadoria", "mercadorias", "mercancia", "mercancias", "merchandise", "misc",
    "miscellaneous", "mixed", "muestra", "muestras", "neuf", "neufs", "neuve", "neuves", "new",
    "nos", "novo", "novos", "nuevo", "nuevos", "objects", "objet", "objeto", "objetos", "objets",
    "occasion", "other", "others", "otra", "otras", "otro", "otros", "outra", "outras", "outro",
    "outros", "pack", "package", "packages", "packaging", "packing", "packs", "pacote", "pacotes",
    "palete", "paletes", "palette", "palettes", "pallet", "pallets", "paquet", "paquets", "part",
    "parts", "pc", "pcs", "peca", "pecas", "personal", "personnel", "personnels", "piece",
    "pieces", "pieza", "piezas", "pkg", "pkgs", "product", "producto", "productos", "products",
    "produit", "produits", "produto", "produtos", "prs", "qty", "quantity", "rechange", "regalo",
    "regalos", "reposicao", "repuesto", "repuestos", "roll", "rolls", "rolo", "rolos", "rouleau",
    "rouleaux", "sac", "sachet", "sachets", "sack", "sacks", "saco", "sacos", "sacs", "said",
    "sample", "samples", "set", "sets", "shipment", "sobressalente", "sobressalentes", "spare",
    "spares", "stc", "stuff", "sundries", "sundry", "tambor", "tambores", "thing", "things", "un",
    "und", "unit", "units", "usado", "usados", "usage", "usagee", "usagees", "usages", "used",
    "value", "varia", "varias", "varie", "variee", "variees", "varies", "vario", "varios",
    "various", "volume", "volumes",
};
#define N_VAGUE (sizeof vague_words / sizeof vague_words[0])

static int cmp_generic(const void *key, const void *item)
{
    return strcmp((const char *)key, *(const char *const *)item);
}

/* Lowercase Latin letters with accents (U+00E0..U+00FF, and oe) to ASCII,
 * so the list also matches models that keep accents. 0 if it won't fit. */
static int fold(const char *s, size_t len, char *out, size_t cap)
{
    static const char latin[] = "aaaaaaaceeeeiiii" "dnooooo/ouuuuyty";
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (n + 3 > cap)
            return 0;
        if (c == 0xC3 && i + 1 < len && (unsigned char)s[i + 1] >= 0xA0) {
            out[n++] = latin[(unsigned char)s[++i] - 0xA0];
        } else if (c == 0xC5 && i + 1 < len && (unsigned char)s[i + 1] == 0x93) {
            out[n++] = 'o';
            out[n++] = 'e';
            i++;
        } else {
            out[n++] = (char)c;
        }
    }
    out[n] = '\0';
    return 1;
}

int hsc__generic_word(const char *norm, size_t len)
{
    char buf[40];
    if (len == 0 || len >= 24 || !fold(norm, len, buf, sizeof buf))
        return 0;
    return bsearch(buf, vague_words, N_VAGUE, sizeof *vague_words, cmp_generic) != NULL;
}
