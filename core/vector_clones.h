#pragma once
// Hot loops that the portable x86-64 baseline (SSE2) runs at a fraction of the speed AVX2 or
// AVX-512 can: GCC compiles one clone of a function marked SEQREC_VECTOR_CLONES per
// instruction set and picks one at load time, so the binary stays portable.
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__) && defined(__linux__)
#define SEQREC_VECTOR_CLONES __attribute__((target_clones("avx512f", "avx2", "default")))
#else
#define SEQREC_VECTOR_CLONES
#endif

// A helper (or lambda) called from a clone is compiled for the clone's instruction set only
// when it is inlined into it; otherwise the clone calls one baseline copy.
#if defined(__GNUC__)
#define SEQREC_INLINE_INTO_CLONES __attribute__((always_inline))
#else
#define SEQREC_INLINE_INTO_CLONES
#endif
