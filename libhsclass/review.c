/* review.c - what decides between accepting a suggestion and sending the
 * declaration to a human, besides the threshold: how much classifiable
 * content a text has (content words the model knows, generic words). */
#include <stdlib.h>
#include <string.h>

#include "review.h"

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

static int cmp_word(const void *key, const void *item)
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

int hsc__vague_word(const char *norm, size_t len)
{
    char buf[40];
    if (len == 0 || len >= 24 || !fold(norm, len, buf, sizeof buf))
        return 0;
    return bsearch(buf, vague_words, N_VAGUE, sizeof *vague_words, cmp_word) != NULL;
}

/* A word is known when one of its stems has a row (a collision is
 * possible but rare); other tokens when any of their features has one. */
static int token_known(const hsc_model *m, const hsc__analyzer *an, const hsc__token *t,
                       uint32_t index)
{
    if (t->type == HSC_TOKEN_WORD) {
        const char *p = hsc__analyzer_pool(an) + t->stems_off, *end = p + t->stems_len;
        while (p < end) {
            const char *bar = memchr(p, '|', (size_t)(end - p));
            size_t len = bar != NULL ? (size_t)(bar - p) : (size_t)(end - p);
            uint64_t h = hsc__hash(m->spec.hash_seed, HSC__FK_WORD, p, len);
            if (hsc__model_find_row(m, (uint32_t)(h % m->spec.buckets)) >= 0)
                return 1;
            p += len + 1;
        }
        return 0;
    }
    const hsc__feature *f = hsc__analyzer_features(an);
    size_t nf = hsc__analyzer_feature_count(an);
    for (size_t i = 0; i < nf; i++)
        if (f[i].token == index && hsc__model_find_row(m, f[i].bucket) >= 0)
            return 1;
    return 0;
}

void hsc__review_content(const hsc_model *m, const hsc__analyzer *an, hsc__content *out)
{
    memset(out, 0, sizeof *out);
    const hsc__token *tok = hsc__analyzer_tokens(an);
    size_t n = hsc__analyzer_token_count(an);
    const char *pool = hsc__analyzer_pool(an);
    for (size_t i = 0; i < n; i++) {
        const hsc__token *t = &tok[i];
        if ((t->flags & HSC_TOKEN_FLAG_STOPWORD) || t->type == HSC_TOKEN_NUMBER ||
            t->type == HSC_TOKEN_QUANTITY)
            continue;   /* "20 kg" says nothing about the goods */
        if (t->type == HSC_TOKEN_WORD && hsc__vague_word(pool + t->norm_off, t->norm_len)) {
            out->vague++;
            continue;
        }
        out->content++;
        out->known += (uint32_t)token_known(m, an, t, (uint32_t)i);
    }
}
