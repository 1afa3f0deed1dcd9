/// Which Winograd algorithm an NCHW 3×3 stride-1 convolution takes (`Tensor.conv2d`), and its three
/// passes on NCHW tensors: outputs of 8×8 and more F(4×4, 3×3), smaller ones F(2×2, 3×3).
enum WinogradRoute {
    /// F(4×4, 3×3). Its kernel transform is not kept for backward: the input gradient transforms the
    /// flipped kernel itself, and the transform is 36 matrices of Cout·Cin floats.
    case tiles4
    /// F(2×2, 3×3), with the forward's transformed kernel, which the input gradient reads transposed.
    case tiles2(WinogradConvolution)

    /// The route of a convolution by `weight` ([Cout, Cin, 3, 3]) over `geometry`, or nil when it should
    /// not take Winograd (`WinogradConvolution.suits`).
    init?(weight: UnsafePointer<Float>, geometry geo: ConvGeometry, outputChannels cout: Int) {
        guard WinogradConvolution.suits(kernelHeight: geo.kernelHeight, kernelWidth: geo.kernelWidth, stride: geo.stride,
                                        dilation: geo.dilation, inChannels: geo.channels, outChannels: cout,
                                        outHeight: geo.outHeight, outWidth: geo.outWidth) else { return nil }
        if Winograd4Convolution.suits(kernelHeight: 3, kernelWidth: 3, stride: 1, dilation: 1, inChannels: geo.channels,
                                      outChannels: cout, outHeight: geo.outHeight, outWidth: geo.outWidth) {
            self = .tiles4
        } else {
            self = .tiles2(WinogradConvolution(weight: weight, outputChannels: cout, inputChannels: geo.channels,
                                               padding: geo.padding))
        }
    }

    /// out [N, Cout, oh, ow] = the convolution of `images` [N, Cin, H, W] by `weight`.
    func forward(_ images: UnsafePointer<Float>, count n: Int, weight: UnsafePointer<Float>, geometry geo: ConvGeometry,
                 outputChannels cout: Int, into out: UnsafeMutablePointer<Float>) {
        let plane = geo.height * geo.width, hw = geo.columnCount
        switch self {
        case .tiles4:
            Winograd4Convolution(weight: weight, outputChannels: cout, inputChannels: geo.channels, padding: geo.padding)
                .forward(images, channelStride: plane, imageStride: geo.channels * plane, images: n, height: geo.height,
                         width: geo.width, out, outChannelStride: hw, outImageStride: cout * hw)
        case .tiles2(let convolution):
            convolution.forward(images, channelStride: plane, imageStride: geo.channels * plane, images: n,
                                height: geo.height, width: geo.width, out, outChannelStride: hw, outImageStride: cout * hw)
        }
    }

    /// The input gradient [N, Cin, H, W] from the output gradient `grad` [N, Cout, oh, ow]: the adjoint
    /// convolution (the kernel flipped and transposed, padding 2 − p) on this route, or nil where that
    /// convolution does not suit Winograd (fewer than 16 input channels, say).
    func inputGradient(_ grad: UnsafePointer<Float>, count n: Int, weight: UnsafePointer<Float>, geometry geo: ConvGeometry,
                       outputChannels cout: Int) -> Tensor? {
        let plane = geo.height * geo.width, hw = geo.columnCount
        let dx = { Tensor(shape: [n, geo.channels, geo.height, geo.width], storage: Storage(uninitializedCount: n * geo.channels * plane)) }
        switch self {
        case .tiles4:
            guard Winograd4Convolution.suits(kernelHeight: 3, kernelWidth: 3, stride: 1, dilation: 1, inChannels: cout,
                                             outChannels: geo.channels, outHeight: geo.height, outWidth: geo.width) else { return nil }
            let dx = dx()
            Winograd4Convolution(weight: weight, outputChannels: geo.channels, inputChannels: cout, padding: 2 - geo.padding,
                                 adjoint: true)
                .forward(grad, channelStride: hw, imageStride: cout * hw, images: n, height: geo.outHeight,
                         width: geo.outWidth, dx.pointer, outChannelStride: plane, outImageStride: geo.channels * plane)
            return dx
        case .tiles2(let convolution):
            guard WinogradConvolution.suits(kernelHeight: 3, kernelWidth: 3, stride: 1, dilation: 1, inChannels: cout,
                                            outChannels: geo.channels, outHeight: geo.height, outWidth: geo.width) else { return nil }
            let dx = dx()
            convolution.adjoint()
                .forward(grad, channelStride: hw, imageStride: cout * hw, images: n, height: geo.outHeight,
                         width: geo.outWidth, dx.pointer, outChannelStride: plane, outImageStride: geo.channels * plane)
            return dx
        }
    }

    /// Adds the kernel's gradient to `gradWeight` [Cout, Cin, 3, 3], from the convolution's input
    /// `images` [N, Cin, H, W] and the output gradient `grad` [N, Cout, oh, ow].
    func weightGradient(_ images: UnsafePointer<Float>, _ grad: UnsafePointer<Float>, count n: Int, geometry geo: ConvGeometry,
                        outputChannels cout: Int, into gradWeight: UnsafeMutablePointer<Float>) {
        let plane = geo.height * geo.width, hw = geo.columnCount
        switch self {
        case .tiles4:
            Winograd4Convolution.weightGradient(
                inputChannels: geo.channels, outputChannels: cout, padding: geo.padding, images, channelStride: plane,
                imageStride: geo.channels * plane, images: n, height: geo.height, width: geo.width, gradOutput: grad,
                outChannelStride: hw, outImageStride: cout * hw, into: gradWeight)
        case .tiles2:
            WinogradConvolution.weightGradient(
                inputChannels: geo.channels, outputChannels: cout, padHeight: geo.padding, padWidth: geo.padding, images,
                channelStride: plane, imageStride: geo.channels * plane, images: n, height: geo.height, width: geo.width,
                gradOutput: grad, outChannelStride: hw, outImageStride: cout * hw, into: gradWeight)
        }
    }
}
