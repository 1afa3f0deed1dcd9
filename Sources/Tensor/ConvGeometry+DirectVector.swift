import CVectorMath

/// The unpadded stride-1 direct kernels in C with AVX-512 (CVectorMath's direct_conv.c): sixteen
/// pixels a lane, all output channels of a strip in registers, and for the weight gradient all of a
/// kernel row's taps at once. (The input gradient of these layers is a convolution of the output
/// gradient with the flipped kernel, with many output channels: see `Tensor.conv2d`.) Each result is the same operations in the same order as the Swift
/// kernels in ConvGeometry+DirectUnpadded, so the two give the same bits (DirectConvVectorTests).
extension ConvGeometry {
    /// Whether the direct kernels run with AVX-512 (the CPU and OS support it; decided once).
    public static let directKernelsVectorised: Bool = pleinair_direct_conv_supported() != 0

    private func descriptor(_ cout: Int) -> pleinair_direct_conv {
        pleinair_direct_conv(channels: Int32(channels), height: Int32(height), width: Int32(width),
                             kernel_height: Int32(kernelHeight), kernel_width: Int32(kernelWidth),
                             dilation: Int32(dilation), out_channels: Int32(cout))
    }

    /// `unpaddedForward` with AVX-512; output rows run in parallel.
    func vectorForward(_ image: UnsafePointer<Float>, _ weight: UnsafePointer<Float>, outputChannels cout: Int,
                       _ out: UnsafeMutablePointer<Float>) {
        precondition(isUnpaddedUnitStride && cout <= 4, "vectorForward needs stride 1, padding 0, ≤ 4 outputs")
        var conv = descriptor(cout)
        Parallel.forEachRange(outHeight, work: cout * columnRows * outWidth) { rows in
            pleinair_direct_forward_rows(&conv, image, weight, out, Int32(rows.lowerBound), Int32(rows.upperBound))
        }
    }

    /// `unpaddedWeightGradient` with AVX-512; input channels run in parallel.
    func vectorWeightGradient(_ image: UnsafePointer<Float>, _ grad: UnsafePointer<Float>, outputChannels cout: Int,
                              _ gradWeight: UnsafeMutablePointer<Float>) {
        precondition(isUnpaddedUnitStride && cout <= 4, "vectorWeightGradient needs stride 1, padding 0, ≤ 4 outputs")
        var conv = descriptor(cout)
        Parallel.forEachRange(channels, work: cout * kernelHeight * kernelWidth * outHeight * outWidth) { range in
            pleinair_direct_weight_gradient(&conv, image, grad, gradWeight, Int32(range.lowerBound), Int32(range.upperBound))
        }
    }
}
