import CVectorMath

/// Winograd F(m×m, r×r) for a square r×r kernel (r odd, stride 1, padding (r − 1)/2 on both axes) from
/// the one-axis transforms of `Winograd1DConvolution`, applied along the height and then the width:
/// α² = (m + r − 1)² matrix products [Cout, Cin] × [Cin, tiles], each tile m×m outputs. F(2×2, 5×5)
/// does 9 multiplications per output where im2col does 25 (Inception's 5×5 layers). Inference only.
///
/// Y = Aᵀ[(G·g·Gᵀ) ⊙ (Bᵀ·d·B)]A with the one-axis matrices (points 0, ±1, ±2, … and ∞).
public struct Winograd2DConvolution {
    public let inChannels: Int, outChannels: Int, taps: Int, outputs: Int
    let alpha: Int
    /// U as α² matrices [Cout, Cin], element (ξ, η) at (ξ·α + η)·`weightStride`.
    let transformedWeight: Storage
    let weightStride: Int
    /// Bᵀ [α, α] and Aᵀ [m, α], row-major.
    let bTranspose: [Float], aTranspose: [Float]

    /// The outputs per tile side a convolution of this shape takes this route with, nil when it does
    /// not: F(2×2, 5×5) for a 5×5 kernel, stride 1, padding 2, with enough channels for the products to pay.
    public static func outputs(kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
                               padHeight: Int, padWidth: Int, inChannels: Int, outChannels: Int) -> Int? {
        guard kernelHeight == 5 && kernelWidth == 5 && strideHeight == 1 && strideWidth == 1 && padHeight == 2
              && padWidth == 2 && inChannels >= 8 && outChannels >= 16 else { return nil }
        return 2
    }

    /// Transforms `weight` ([Cout, Cin, r, r]) for tiles of `outputs` × `outputs` outputs.
    public init(weight: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int, taps: Int, outputs: Int = 2) {
        precondition(taps % 2 == 1 && taps >= 3 && outputs >= 1, "taps must be odd and at least 3")
        precondition(outputs + taps - 2 <= 7, "F(\(outputs), \(taps)) needs more than the seven finite points")
        inChannels = inputChannels; outChannels = outputChannels; self.taps = taps; self.outputs = outputs
        let alpha = outputs + taps - 1
        self.alpha = alpha
        let (aT, g, bT) = Winograd1DConvolution.transforms(outputs: outputs, taps: taps)
        aTranspose = aT; bTranspose = bT
        let pairs = outputChannels * inputChannels, stride = WinogradConvolution.elementStride(pairs)
        weightStride = stride
        let u = Storage(uninitializedCount: alpha * alpha * stride)
        transformedWeight = u
        // U = G·g·Gᵀ for every channel pair: first along the kernel's rows, then its columns.
        var half = [Float](repeating: 0, count: alpha * taps)  // G·g, [α, r]
        for p in 0..<pairs {
            let kernel = weight + p * taps * taps
            for xi in 0..<alpha {
                for j in 0..<taps {
                    var s: Float = 0
                    for i in 0..<taps { s += g[xi * taps + i] * kernel[i * taps + j] }
                    half[xi * taps + j] = s
                }
            }
            for xi in 0..<alpha {
                for eta in 0..<alpha {
                    var s: Float = 0
                    for j in 0..<taps { s += half[xi * taps + j] * g[eta * taps + j] }
                    u.base[(xi * alpha + eta) * stride + p] = s
                }
            }
        }
    }

    /// Convolves `images` NCHW-strided images (channel c of image n at c·`channelStride` + n·`imageStride`),
    /// writing the output the same way; output height and width equal the input's.
    public func forward(_ input: UnsafePointer<Float>, channelStride: Int, imageStride: Int, images: Int,
                        height: Int, width: Int, _ output: UnsafeMutablePointer<Float>,
                        outChannelStride: Int, outImageStride: Int, budget: Int = 1 << 21) {
        let m = outputs, tilesHigh = (height + m - 1) / m, tilesWide = (width + m - 1) / m
        let perImage = tilesHigh * tilesWide, elements = alpha * alpha
        let band = max(1, min(images, budget / (elements * max(inChannels, outChannels) * perImage)))
        let capacity = band * perImage
        let vStride = WinogradConvolution.elementStride(inChannels * capacity)
        let mStride = WinogradConvolution.elementStride(outChannels * capacity)
        let v = Storage(uninitializedCount: elements * vStride), product = Storage(uninitializedCount: elements * mStride)
        let geometry = SquareTiles(height: height, width: width, taps: taps, outputs: m, tilesHigh: tilesHigh,
                                   tilesWide: tilesWide, bTranspose: bTranspose, aTranspose: aTranspose)
        for n0 in Swift.stride(from: 0, to: images, by: band) {
            let count = min(band, images - n0), tiles = count * perImage
            let vb = v.base, mb = product.base
            Parallel.forEachRange(inChannels, work: elements * tiles) { channels in
                for c in channels {
                    for n in 0..<count {
                        geometry.transformInput(input + c * channelStride + (n0 + n) * imageStride,
                                                into: vb + c * tiles + n * perImage, elementStride: vStride)
                    }
                }
            }
            let u = transformedWeight.base, weightStride = weightStride
            BLASKernel.splittingCalls(elements) { e in
                Tensor.gemm(false, false, outChannels, tiles, inChannels, 1, u + e * weightStride, inChannels,
                            vb + e * vStride, tiles, 0, mb + e * mStride, tiles)
            }
            Parallel.forEachRange(outChannels, work: elements * tiles) { channels in
                for o in channels {
                    for n in 0..<count {
                        geometry.transformOutput(mb + o * tiles + n * perImage, elementStride: mStride,
                                                 into: output + o * outChannelStride + (n0 + n) * outImageStride)
                    }
                }
            }
        }
    }
}

/// Where F(m×m, r×r) tiles fall on one plane, and the per-plane transforms: the one-axis transforms down
/// the plane's columns (along the height), then down the columns of each result transposed (along the
/// width). Tile t = (tx, ty) at t = tx·tilesHigh + ty.
struct SquareTiles {
    let height: Int, width: Int, taps: Int, outputs: Int, tilesHigh: Int, tilesWide: Int
    let bTranspose: [Float], aTranspose: [Float]

    var alpha: Int { outputs + taps - 1 }
    var padding: Int { (taps - 1) / 2 }

    /// V = Bᵀ·d·B for every tile of one plane; element (ξ, η) of tile t goes to `into[(ξ·α + η)·elementStride + t]`.
    func transformInput(_ plane: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>, elementStride s: Int) {
        let alpha = alpha, rowsOut = tilesHigh * width
        withUnsafeTemporaryAllocation(of: Float.self, capacity: alpha * rowsOut + rowsOut) { buffer in
            let alongHeight = buffer.baseAddress!, transposed = alongHeight + alpha * rowsOut
            bTranspose.withUnsafeBufferPointer { b in
                let b = b.baseAddress!
                // [ξ][ty][x]: Bᵀ down the columns.
                pleinair_line_input(plane, Int32(height), Int32(width), b, Int32(alpha), Int32(outputs), Int32(padding),
                                    Int32(tilesHigh), alongHeight, rowsOut)
                for xi in 0..<alpha {
                    // [x][ty], then Bᵀ down its columns: element η of tile (tx, ty).
                    let source = alongHeight + xi * rowsOut
                    for ty in 0..<tilesHigh { for x in 0..<width { transposed[x * tilesHigh + ty] = source[ty * width + x] } }
                    pleinair_line_input(transposed, Int32(width), Int32(tilesHigh), b, Int32(alpha), Int32(outputs),
                                        Int32(padding), Int32(tilesWide), v + xi * alpha * s, s)
                }
            }
        }
    }

    /// Y = Aᵀ·M·A for every tile of one plane, writing the plane's outputs (those inside it).
    func transformOutput(_ m: UnsafePointer<Float>, elementStride s: Int, into plane: UnsafeMutablePointer<Float>) {
        let alpha = alpha, rowsOut = tilesHigh * width
        withUnsafeTemporaryAllocation(of: Float.self, capacity: alpha * rowsOut + rowsOut) { buffer in
            let alongWidth = buffer.baseAddress!, transposed = alongWidth + alpha * rowsOut
            aTranspose.withUnsafeBufferPointer { a in
                let a = a.baseAddress!
                for xi in 0..<alpha {
                    // Aᵀ over η: [x][ty] for element ξ, then back to [ty][x].
                    pleinair_line_output(m + xi * alpha * s, s, a, Int32(alpha), Int32(outputs), Int32(tilesWide),
                                         Int32(width), Int32(tilesHigh), transposed)
                    let target = alongWidth + xi * rowsOut
                    for x in 0..<width { for ty in 0..<tilesHigh { target[ty * width + x] = transposed[x * tilesHigh + ty] } }
                }
                // Aᵀ over ξ, down the columns.
                pleinair_line_output(alongWidth, rowsOut, a, Int32(alpha), Int32(outputs), Int32(tilesHigh), Int32(height),
                                     Int32(width), plane)
            }
        }
    }
}
