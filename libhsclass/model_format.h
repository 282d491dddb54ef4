/* model_format.h - the .hscm model file format (version 1.0, 1.1 with a
 * nomenclature, 1.2 with a scoring rule and a precedent memory, 1.3 with
 * the memory stored for use in place): on-disk constants, limits and META keys, shared by the
 * reader (model_read.c), the writer (model_write.c) and the META semantics
 * (model_meta.c).
 *
 * Layout. All integers little-endian, floats IEEE-754 little-endian.
 *
 *   Header, 64 bytes:
 *      0  u8[8]  signature 89 'H' 'S' 'C' 'M' 0D 0A 1A
 *      8  u16    major (1)          10 u16 minor (0)
 *     12  u32    header_size (64)
 *     16  u32    required_flags     (unknown bit -> reject; none defined)
 *     20  u32    optional_flags     (unknown bits ignored; none defined)
 *     24  u64    file_size
 *     32  u64    section_table_offset (multiple of 64)
 *     40  u32    section_count      44 u32 section_entry_size (40)
 *     48  u32    0x0A0B0C0D byte-order word
 *     52  u8[8]  reserved, zero
 *     60  u32    CRC-32 of bytes 0..59
 *   Section entry, 40 bytes:
 *      0 u32 tag (FourCC, first letter in the lowest byte)
 *      4 u32 flags (bit 0 critical, bit 1 zlib; other bits must be zero)
 *      8 u64 offset (multiple of 64)   16 u64 stored_size   24 u64 raw_size
 *     32 u32 CRC-32 of the stored bytes  36 u32 reserved, zero
 *   Every byte outside the header, the table and the sections is zero
 *   padding. The writer puts the table at 64, then the sections in the order
 *   META LABL ROWS EMBD OUTW CALB [NOMN] [NATL], each at the next multiple of
 *   64; the file ends with the last section, after [SCOR] [PREC] [PTXT].
 *   Minor version 1 marks a file with NOMN or NATL (the writer keeps 0
 *   otherwise); readers of 1.0 skip both, since they are not critical.
 *   Minor version 2 marks a file with SCOR: it is critical, so readers of
 *   1.1 refuse a model whose scores they would compute differently.
 *   Minor version 3 marks a file whose PREC is version 2 (readers of 1.2
 *   refuse its memory's version with HSC_E_MODEL_VALUE).
 *
 * Sections (raw content, before the optional zlib layer):
 *   META  u32 count, then count x (u32 key_len, key, u32 value_len, value).
 *         Keys [a-z0-9_.], strictly ascending; values UTF-8 without NUL.
 *   LABL  u32 count, u32 offsets[count + 1], pool of ASCII digits. Codes
 *         2..12 digits, strictly ascending.
 *   ROWS  u32 n_rows, then the bucket ids (strictly ascending, < buckets) as
 *         u32 gaps: the first id, then each id minus the previous one (>= 1).
 *   EMBD  u32 n_rows, u32 dim, f32 scale[n_rows], i8 q[n_rows * dim].
 *   OUTW  u32 n_nodes, u32 dim, f32 scale[n_nodes], i8 q[n_nodes * dim]:
 *         one row per HS tree node, in tree order (see tree.c).
 *   CALB  f64 temperature (> 0), f64 accept threshold ([0, 1]).
 *   NOMN  (optional, since 1.1) code descriptions: u32 n_langs (1..8),
 *         n_langs x str language tag ([a-z]{2,8}, distinct), u32 n_codes
 *         (1..2^20), then n_codes x (str code, n_langs x str text). Codes
 *         are 2..12 digits, strictly ascending; texts UTF-8 without control
 *         characters, at most 4096 bytes, "" when the language has none, at
 *         least one non-empty per code. A str is u32 length + bytes.
 *   NATL  (optional, since 1.1) national tariff lines: u32 n_schemes (1..8),
 *         then per scheme: str name ([A-Za-z0-9._-]{1,31}, distinct), str
 *         language tag, u32 n_lines (1..2^20), n_lines x (str code of 4..12
 *         digits, strictly ascending; str text, 1..4096 bytes as above).
 *   SCOR  (optional, since 1.2; critical) how final scores are made: u32
 *         version (1), f64 mix (share of the precedents' votes, [0, 1)),
 *         f64 power (calibration exponent, [0.05, 20]). Without SCOR a
 *         model scores as 1.0/1.1 did: logits / CALB temperature at every
 *         level of the tree. With it, CALB's temperature is 1 and the
 *         final distribution q = (1 - mix) P(model) + mix V(votes) is
 *         calibrated by c1 = q1 ^ power for the best code and a common
 *         factor for the others (rank.c), which never changes the order.
 *   PREC  (optional, since 1.2) the precedent memory (precedent.c): u32
 *         version (1 or 2), u32 n_rows (1..2^26), u32 n_keys (1..2^26), u32
 *         neighbours (1..64), u32 max_df (>= 1), f64 vote_power
 *         ([0.25, 16]), u32 n_sources (1..255) and n_sources x str name
 *         (<= 255 bytes); then
 *         version 2 (written since 1.3, used in place: nothing is decoded
 *         at load): zero bytes up to a multiple of 4 from the section's
 *         start; u32 label[n_rows] (< n_labels); f32 norm[n_rows] (> 0,
 *         < 1e6); n_blocks = ceil(n_keys / 16) x (u32 first key, u32 key
 *         table pos, u32 postings pos) for keys 16b..16b+15: first keys,
 *         table and postings positions strictly ascending, the first 0,
 *         each inside its run; u8 source[n_rows] (< n_sources); str key
 *         table; str postings; nothing after. A block's entries are
 *         checked when searched (key order, df, runs inside the block's
 *         postings); one that is not ends the block.
 *         version 1 (1.2): str key table; str postings; str n_rows x
 *         varint label (< n_labels); f32 norm[n_rows] (> 0); u8
 *         source[n_rows] (< n_sources); checked whole at load.
 *         Both: the key table is n_keys x (varint key gap, first absolute,
 *         then >= 1; varint df in 1..n_rows; varint posting bytes in
 *         df..5df); the postings are per key its rows ascending, varint
 *         first row then gaps minus one. Varints are LEB128, at most 5
 *         bytes. Stored raw: used in place from the file image.
 *   PTXT  (optional, since 1.2; needs PREC) the precedents' texts: u32
 *         n_rows (= PREC's), n_rows x str (<= 4096 bytes of UTF-8 without
 *         control characters). Compressed like META.
 *   The first six are critical in v1; NOMN and NATL are written without
 *   the critical flag (a reader accepts either) and compressed like META.
 *   A weight is q * scale; a row's scale is
 *   max|x| / 127 and q = round-half-away(x / scale) in [-127, 127].
 *   META, LABL and ROWS are zlib-compressed (level 6) when that is smaller.
 *   The int8 matrices stay raw: zlib saves only 2-4% on them (measured on
 *   trained and random weights) while inflating 25 MB costs ~100 ms, and
 *   raw matrices are used in place from a read-only file mapping.
 *   The fingerprint (HSC_INFO_FINGERPRINT) is the CRC-32 of the whole file. */
#ifndef HSC_MODEL_FORMAT_H
#define HSC_MODEL_FORMAT_H

#include <stdint.h>

#define HSCM_SIGNATURE "\x89HSCM\r\n\x1a"
#define HSCM_SIGNATURE_LEN 8u
#define HSCM_MAJOR 1u
#define HSCM_MINOR 0u
#define HSCM_MINOR_NOMEN 1u   /* files with NOMN or NATL */
#define HSCM_MINOR_SCORING 2u /* files with SCOR (and PREC version 1, PTXT) */
#define HSCM_MINOR_PREC_IN_PLACE 3u /* files with PREC version 2 */
#define HSCM_HEADER_SIZE 64u
#define HSCM_ENTRY_SIZE 40u
#define HSCM_ALIGN 64u
#define HSCM_BYTE_ORDER 0x0A0B0C0Du

/* header field offsets */
#define HSCM_H_MAJOR 8u
#define HSCM_H_MINOR 10u
#define HSCM_H_HEADER_SIZE 12u
#define HSCM_H_REQUIRED 16u
#define HSCM_H_OPTIONAL 20u
#define HSCM_H_FILE_SIZE 24u
#define HSCM_H_TABLE_OFFSET 32u
#define HSCM_H_SECTION_COUNT 40u
#define HSCM_H_ENTRY_SIZE 44u
#define HSCM_H_BYTE_ORDER 48u
#define HSCM_H_RESERVED 52u
#define HSCM_H_RESERVED_LEN 8u
#define HSCM_H_CRC 60u

/* section entry field offsets */
#define HSCM_E_TAG 0u
#define HSCM_E_FLAGS 4u
#define HSCM_E_OFFSET 8u
#define HSCM_E_STORED 16u
#define HSCM_E_RAW 24u
#define HSCM_E_CRC 32u
#define HSCM_E_RESERVED 36u

#define HSCM_SEC_CRITICAL 0x1u
#define HSCM_SEC_ZLIB 0x2u
#define HSCM_SEC_KNOWN_FLAGS (HSCM_SEC_CRITICAL | HSCM_SEC_ZLIB)

#define HSCM_TAG(a, b, c, d)                                                   \
    ((uint32_t)(uint8_t)(a) | ((uint32_t)(uint8_t)(b) << 8) |                   \
     ((uint32_t)(uint8_t)(c) << 16) | ((uint32_t)(uint8_t)(d) << 24))
#define HSCM_TAG_META HSCM_TAG('M', 'E', 'T', 'A')
#define HSCM_TAG_LABL HSCM_TAG('L', 'A', 'B', 'L')
#define HSCM_TAG_ROWS HSCM_TAG('R', 'O', 'W', 'S')
#define HSCM_TAG_EMBD HSCM_TAG('E', 'M', 'B', 'D')
#define HSCM_TAG_OUTW HSCM_TAG('O', 'U', 'T', 'W')
#define HSCM_TAG_CALB HSCM_TAG('C', 'A', 'L', 'B')
#define HSCM_N_KNOWN 6u
#define HSCM_TAG_NOMN HSCM_TAG('N', 'O', 'M', 'N')
#define HSCM_TAG_NATL HSCM_TAG('N', 'A', 'T', 'L')
#define HSCM_TAG_SCOR HSCM_TAG('S', 'C', 'O', 'R')
#define HSCM_TAG_PREC HSCM_TAG('P', 'R', 'E', 'C')
#define HSCM_TAG_PTXT HSCM_TAG('P', 'T', 'X', 'T')
#define HSCM_N_OPTIONAL 5u
#define HSCM_SCOR_VERSION 1u
#define HSCM_MIN_POWER 0.05
#define HSCM_MAX_POWER 20.0

/* Loader limits, checked before anything is allocated. */
#define HSCM_MAX_SECTIONS 32u
#define HSCM_MAX_SECTION_RAW (1u << 30)   /* bytes, stored or inflated */
/* deflate expands at most ~1032:1, so a larger raw_size is a lie, caught
 * before the output buffer is allocated */
#define HSCM_MAX_INFLATE_RATIO 1032u
#define HSCM_MAX_META 1024u
#define HSCM_MAX_META_KEY 64u
#define HSCM_MAX_META_VALUE 4096u
#define HSCM_MAX_LABELS (1u << 20)
#define HSCM_MIN_CODE_DIGITS 2u
#define HSCM_MAX_CODE_DIGITS 12u
#define HSCM_MAX_DIM 1024u
#define HSCM_MAX_BUCKETS (1u << 30)
#define HSCM_MAX_ROWS (1u << 26)
#define HSCM_MAX_CHAR_NGRAM 32u

/* Quantization range of the int8 weights. */
#define HSCM_QMAX 127

/* META keys every v1 file stores: the writer records each one, the reader
 * requires each one (one table, model_meta.c; hs.edition may come from the
 * draft, the others are the writer's own). */
enum {
    HSCM_K_CREATED_BY,
    HSCM_K_DIM,
    HSCM_K_FEATURE_VERSION,
    HSCM_K_HASH,
    HSCM_K_HASH_BUCKETS,
    HSCM_K_HASH_SEED,
    HSCM_K_CODE_DIGITS,
    HSCM_K_HS_EDITION,
    HSCM_K_LANGUAGES,
    HSCM_K_CHAR_MAX,
    HSCM_K_CHAR_MIN,
    HSCM_K_WORD_NGRAMS,
    HSCM_K_NORMALIZATION,
    HSCM_K_UTF8PROC,
    HSCM_K_SKELETONS,
    HSCM_K_STEMMER,
    HSCM_K_STEMMER_ALGOS,
    HSCM_K_TOKENIZER_VERSION,
    HSCM_K_COUNT
};

#define HSCM_V_HASH "fnv1a64"
#define HSCM_V_STEMMER "snowball"
#define HSCM_V_NORM "NFKC+casefold"
#define HSCM_V_NORM_STRIP "NFKC+casefold+strip-accents"
#define HSCM_V_NO_EDITION "unspecified"
/* Keys with this prefix are passed through from the trainer. */
#define HSCM_TRAIN_PREFIX "train."
/* Derived keys, never stored: one per HSC_INFO_* key, listed after the
 * stored keys by hsc_model_meta_get. */
#define HSCM_INFO_PREFIX "info."

#endif /* HSC_MODEL_FORMAT_H */
