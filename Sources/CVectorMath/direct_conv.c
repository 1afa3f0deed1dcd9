#include "direct_conv.h"

#include <cpuid.h>
#include <immintrin.h>

// The scalar kernels round each product before adding it: no fused multiply-adds here.
#pragma STDC FP_CONTRACT OFF

int pleinair_direct_conv_supported(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    const unsigned osxsave = 1u << 27;
    if (!(c & osxsave)) return 0;
    // The OS saves the AVX-512 state (XCR0 bits 1, 2, 5, 6, 7).
    unsigned lo, hi;
    __asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    if ((lo & 0xe6) != 0xe6) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    const unsigned avx512f = 1u << 16, avx512vl = 1u << 31;
    return (b & avx512f) && (b & avx512vl);
}

static inline __mmask16 lanes_below(int count) {
    return count >= 16 ? (__mmask16)0xffff : count <= 0 ? 0 : (__mmask16)((1u << count) - 1);
}

// Four 16-pixel strips of one output row for every output channel: up to 16 accumulators, kept in
// registers because `cout` is a constant in each of the four copies.
__attribute__((target("avx512f,avx512vl"), always_inline))
static inline void forward_rows(const pleinair_direct_conv *conv, const float *image, const float *weight,
                                float *out, int row_begin, int row_end, const int cout) {
    const int channels = conv->channels, width = conv->width, kh = conv->kernel_height, kw = conv->kernel_width;
    const int dil = conv->dilation;
    const int oh = conv->height - dil * (kh - 1), ow = width - dil * (kw - 1);
    const long plane = (long)conv->height * width, k = (long)channels * kh * kw;
    for (int y = row_begin; y < row_end; y++) {
        for (int x0 = 0; x0 < ow; x0 += 64) {
            __mmask16 m[4];
            for (int s = 0; s < 4; s++) m[s] = lanes_below(ow - x0 - 16 * s);
            __m512 acc[4][4];
            for (int co = 0; co < cout; co++)
                for (int s = 0; s < 4; s++) acc[co][s] = _mm512_setzero_ps();
            for (int c = 0; c < channels; c++) {
                for (int ki = 0; ki < kh; ki++) {
                    const float *row = image + c * plane + (long)(y + ki * dil) * width + x0;
                    const float *w = weight + ((long)c * kh + ki) * kw;
                    for (int kj = 0; kj < kw; kj++) {
                        __m512 v[4];
                        for (int s = 0; s < 4; s++) v[s] = _mm512_maskz_loadu_ps(m[s], row + kj * dil + 16 * s);
                        for (int co = 0; co < cout; co++) {
                            const __m512 wv = _mm512_set1_ps(w[co * k + kj]);
                            for (int s = 0; s < 4; s++) acc[co][s] = _mm512_add_ps(acc[co][s], _mm512_mul_ps(v[s], wv));
                        }
                    }
                }
            }
            for (int co = 0; co < cout; co++)
                for (int s = 0; s < 4; s++)
                    _mm512_mask_storeu_ps(out + ((long)co * oh + y) * ow + x0 + 16 * s, m[s], acc[co][s]);
        }
    }
}

__attribute__((target("avx512f,avx512vl")))
void pleinair_direct_forward_rows(const pleinair_direct_conv *conv, const float *image, const float *weight,
                                  float *out, int row_begin, int row_end) {
    switch (conv->out_channels) {
    case 1: forward_rows(conv, image, weight, out, row_begin, row_end, 1); break;
    case 2: forward_rows(conv, image, weight, out, row_begin, row_end, 2); break;
    case 3: forward_rows(conv, image, weight, out, row_begin, row_end, 3); break;
    default: forward_rows(conv, image, weight, out, row_begin, row_end, 4); break;
    }
}

// Per channel and kernel row, all kw taps at once: kw·cout eight-lane chains (at most 7·4 = 28 in
// registers for the generator's 7×7), each still summed in the scalar loop's order.
__attribute__((target("avx512f,avx512vl"), always_inline))
static inline void weight_gradient_row(const pleinair_direct_conv *conv, const float *image, const float *grad,
                                       float *grad_weight, int c, int ki, int kj0, const int kjn, const int cout) {
    const int height = conv->height, width = conv->width, kh = conv->kernel_height, kw = conv->kernel_width;
    const int dil = conv->dilation, channels = conv->channels;
    const int oh = height - dil * (kh - 1), ow = width - dil * (kw - 1);
    const long plane = (long)height * width, ohw = (long)oh * ow, k = (long)channels * kh * kw;
    __m256 acc[7][4];
    float tail[7][4];
    for (int j = 0; j < kjn; j++)
        for (int co = 0; co < 4; co++) { acc[j][co] = _mm256_setzero_ps(); tail[j][co] = 0; }
    for (int y = 0; y < oh; y++) {
        const float *row = image + c * plane + (long)(y + ki * dil) * width;
        const long r = (long)y * ow;
        int x = 0;
        for (; x + 8 <= ow; x += 8) {
            __m256 g[4];
            for (int co = 0; co < cout; co++) g[co] = _mm256_loadu_ps(grad + co * ohw + r + x);
            for (int j = 0; j < kjn; j++) {
                const __m256 s = _mm256_loadu_ps(row + (kj0 + j) * dil + x);
                for (int co = 0; co < cout; co++) acc[j][co] = _mm256_add_ps(acc[j][co], _mm256_mul_ps(g[co], s));
            }
        }
        for (; x < ow; x++)
            for (int j = 0; j < kjn; j++) {
                const float s = row[(kj0 + j) * dil + x];
                for (int co = 0; co < cout; co++) tail[j][co] += grad[co * ohw + r + x] * s;
            }
    }
    for (int j = 0; j < kjn; j++) {
        const long tap = ((long)c * kh + ki) * kw + kj0 + j;
        for (int co = 0; co < cout; co++) {
            float lanes[8];
            _mm256_storeu_ps(lanes, acc[j][co]);
            float sum = -0.0f;
            for (int i = 0; i < 8; i++) sum += lanes[i];
            grad_weight[co * k + tap] += sum + tail[j][co];
        }
    }
}

__attribute__((target("avx512f,avx512vl")))
void pleinair_direct_weight_gradient(const pleinair_direct_conv *conv, const float *image, const float *grad,
                                     float *grad_weight, int channel_begin, int channel_end) {
    const int kh = conv->kernel_height, kw = conv->kernel_width;
    const int cout = conv->out_channels;
    for (int c = channel_begin; c < channel_end; c++)
        for (int ki = 0; ki < kh; ki++)
            for (int kj0 = 0; kj0 < kw; kj0 += 7) {
                const int n = kw - kj0 < 7 ? kw - kj0 : 7;
                // The generator's 7×7 three-channel layer gets a copy with constant counts.
                if (n == 7 && cout == 3) weight_gradient_row(conv, image, grad, grad_weight, c, ki, kj0, 7, 3);
                else weight_gradient_row(conv, image, grad, grad_weight, c, ki, kj0, n, cout);
            }
}
