#ifndef PLEINAIR_DIRECT_CONV_H
#define PLEINAIR_DIRECT_CONV_H

/// Direct kernels for an unpadded, stride-1 convolution with 1–4 output channels (the generator's
/// RGB output), sixteen pixels at a time with AVX-512. Each value is the same IEEE operations in the
/// same order as the scalar Swift kernels in ConvGeometry+DirectUnpadded.swift (a separate multiply
/// and add per tap), so the results have the same bits. Only call where `pleinair_direct_conv_supported`.
///
/// Shapes: image [channels][height][width]; weight [cout][channels·kh·kw]; output and its gradient
/// [cout][oh][ow] with oh = height − dilation·(kh − 1), ow = width − dilation·(kw − 1).
/// 1 where the CPU and OS give AVX-512F and AVX-512VL (eight-lane registers beyond the sixteenth).
int pleinair_direct_conv_supported(void);

typedef struct {
    int channels, height, width, kernel_height, kernel_width, dilation, out_channels;
} pleinair_direct_conv;

/// out rows [row_begin, row_end) of every output channel: Σ over (c, ki, kj), in that order, of
/// weight · shifted input, starting from +0. Overwrites them.
void pleinair_direct_forward_rows(const pleinair_direct_conv *conv, const float *image, const float *weight,
                                  float *out, int row_begin, int row_end);

/// grad_weight[co][tap] += the dot product of output gradient co with the shifted input of tap, for
/// the taps of channels [channel_begin, channel_end): per tap and channel, eight partial sums over
/// x ≡ lane (mod 8) taken row by row, added lane 0 to 7 from −0, plus the row tails' scalar sum.
void pleinair_direct_weight_gradient(const pleinair_direct_conv *conv, const float *image, const float *grad,
                                     float *grad_weight, int channel_begin, int channel_end);

#endif
