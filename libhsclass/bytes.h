/* bytes.h - little-endian fixed-width field access and checked size
 * arithmetic. On-disk fields are always decoded through these helpers, byte
 * by byte, so the format does not depend on the host's endianness, alignment
 * or struct layout. */
#ifndef HSC_BYTES_H
#define HSC_BYTES_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint16_t hsc__rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | (p[1] << 8));
}

static inline uint32_t hsc__rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
           ((uint32_t)p[3] << 24);
}

static inline uint64_t hsc__rd64(const uint8_t *p)
{
    return (uint64_t)hsc__rd32(p) | ((uint64_t)hsc__rd32(p + 4) << 32);
}

/* IEEE-754 binary32/64 stored as their little-endian bit patterns. memcpy
 * between same-sized scalars is the portable bit cast. */
static inline float hsc__rdf32(const uint8_t *p)
{
    uint32_t u = hsc__rd32(p);
    float f;
    memcpy(&f, &u, sizeof f);
    return f;
}

static inline double hsc__rdf64(const uint8_t *p)
{
    uint64_t u = hsc__rd64(p);
    double d;
    memcpy(&d, &u, sizeof d);
    return d;
}

static inline void hsc__wr16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static inline void hsc__wr32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

static inline void hsc__wr64(uint8_t *p, uint64_t v)
{
    hsc__wr32(p, (uint32_t)v);
    hsc__wr32(p + 4, (uint32_t)(v >> 32));
}

static inline void hsc__wrf32(uint8_t *p, float f)
{
    uint32_t u;
    memcpy(&u, &f, sizeof u);
    hsc__wr32(p, u);
}

static inline void hsc__wrf64(uint8_t *p, double d)
{
    uint64_t u;
    memcpy(&u, &d, sizeof u);
    hsc__wr64(p, u);
}

/* Checked arithmetic: return 0 and store the result, or 1 on overflow. */
static inline int hsc__add_overflow(size_t a, size_t b, size_t *out)
{
    if (a > SIZE_MAX - b)
        return 1;
    *out = a + b;
    return 0;
}

static inline int hsc__mul_overflow(size_t a, size_t b, size_t *out)
{
    if (b != 0 && a > SIZE_MAX / b)
        return 1;
    *out = a * b;
    return 0;
}

static inline int hsc__add64_overflow(uint64_t a, uint64_t b, uint64_t *out)
{
    if (a > UINT64_MAX - b)
        return 1;
    *out = a + b;
    return 0;
}

/* LEB128 varints (7 bits a byte, low first): at most 5 bytes for a u32. */
static inline size_t hsc__varint_put(uint8_t *p, uint32_t v)
{
    size_t n = 0;
    while (v >= 0x80) {
        p[n++] = (uint8_t)(v | 0x80);
        v >>= 7;
    }
    p[n++] = (uint8_t)v;
    return n;
}

/* Decode one varint of at most 5 bytes from p[*pos..end); 0 when it runs
 * past end or overflows 32 bits. */
static inline int hsc__varint_get(const uint8_t *p, size_t end, size_t *pos, uint32_t *v)
{
    if (*pos < end && p[*pos] < 0x80) {   /* most are one byte */
        *v = p[(*pos)++];
        return 1;
    }
    uint32_t x = 0;
    for (unsigned shift = 0; shift < 35 && *pos < end; shift += 7) {
        uint8_t b = p[(*pos)++];
        if (shift == 28 && (b & 0x70))
            return 0;
        x |= (uint32_t)(b & 0x7F) << shift;
        if (!(b & 0x80)) {
            *v = x;
            return 1;
        }
    }
    return 0;
}

#endif /* HSC_BYTES_H */
