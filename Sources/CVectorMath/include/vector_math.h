#ifndef PLEINAIR_VECTOR_MATH_H
#define PLEINAIR_VECTOR_MATH_H

#include <stddef.h>

/// 1 where the CPU and OS give AVX-512F and FMA, the instructions `pleinair_expf` needs.
int pleinair_expf_supported(void);

/// y[i] = expf(x[i]) for i < n, sixteen at a time with AVX-512: glibc's own expf algorithm
/// (the FMA variant: a 32-entry table of 2^(i/32) and a cubic in double precision), so that each
/// value has glibc's bits. Lanes outside its fast range (|x| ≥ 88 or NaN) above −103.97 go to
/// `expf` itself; below it the answer is +0, as glibc's. Only call where `pleinair_expf_supported`.
/// x and y may be the same array.
void pleinair_expf(const float *x, float *y, size_t n);

#endif
