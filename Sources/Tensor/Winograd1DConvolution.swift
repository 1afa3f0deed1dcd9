import CVectorMath

/// Winograd F(m, r) along one axis: a convolution by a (1, r) or (r, 1) kernel (r odd, stride 1,
/// padding (r − 1)/2 on that axis, none on the other) as α = m + r − 1 matrix products [Cout, Cin] ×
/// [Cin, tiles], each tile m outputs. It does α/m multiplications per output where im2col does r:
/// F(2, 7) does 4 against 7 for Inception's 1×7 and 7×1 layers, F(4, 3) 1.5 against 3 for its 1×3 and
/// 3×1 layers. Inference only (no gradients).
///
/// The transforms come from the points 0, ±1, ±2, ±½ (as many as needed) and ∞ (Lavin and Gray's
/// construction, built exactly in rationals and rounded once): Y = Aᵀ[(G·g) ⊙ (Bᵀ·d)]. With F(2, 7)
/// the relative error is about 4e-7 per output in float, the order of F(4×4, 3×3)'s.
public struct Winograd1DConvolution {
    /// The axis the kernel runs along.
    public enum Axis: Sendable { case width, height }

    public let inChannels: Int, outChannels: Int, taps: Int, axis: Axis
    /// Outputs per tile (m).
    public let outputs: Int
    /// Tile length: m + taps − 1 inputs for m outputs.
    let alpha: Int
    /// U as α matrices [Cout, Cin], element ξ at ξ·`weightStride`.
    let transformedWeight: Storage
    let weightStride: Int
    /// Bᵀ [α, α] and Aᵀ [m, α], row-major.
    let bTranspose: [Float], aTranspose: [Float]

    /// The outputs per tile a convolution of this shape takes this route with, nil when it does not:
    /// F(2, 7) for a 1×7 or 7×1 kernel, F(4, 3) for a 1×3 or 3×1 one; stride 1, "same" padding on the
    /// kernel's axis and none on the other, and enough channels for the products to pay.
    public static func outputs(kernelHeight: Int, kernelWidth: Int, strideHeight: Int, strideWidth: Int,
                               padHeight: Int, padWidth: Int, inChannels: Int, outChannels: Int) -> Int? {
        guard strideHeight == 1 && strideWidth == 1 && inChannels >= 8 && outChannels >= 16 else { return nil }
        let taps: Int
        if kernelHeight == 1 && padHeight == 0 && 2 * padWidth + 1 == kernelWidth {
            taps = kernelWidth
        } else if kernelWidth == 1 && padWidth == 0 && 2 * padHeight + 1 == kernelHeight {
            taps = kernelHeight
        } else {
            return nil
        }
        return [7: 2, 3: 4][taps]
    }

    /// Transforms `weight` ([Cout, Cin, r] in memory: a [Cout, Cin, 1, r] or [Cout, Cin, r, 1] kernel)
    /// for tiles of `outputs` outputs.
    public init(weight: UnsafePointer<Float>, outputChannels: Int, inputChannels: Int, taps: Int, outputs: Int = 2, axis: Axis) {
        precondition(taps % 2 == 1 && taps >= 3 && outputs >= 1, "taps must be odd and at least 3")
        precondition(outputs + taps - 2 <= 7, "F(\(outputs), \(taps)) needs more than the seven finite points")
        self.inChannels = inputChannels; self.outChannels = outputChannels; self.taps = taps; self.axis = axis
        self.outputs = outputs
        let alpha = outputs + taps - 1
        self.alpha = alpha
        let (aT, g, bT) = Self.transforms(outputs: outputs, taps: taps)
        aTranspose = aT; bTranspose = bT
        let pairs = outputChannels * inputChannels, stride = WinogradConvolution.elementStride(pairs)
        weightStride = stride
        transformedWeight = Storage(uninitializedCount: alpha * stride)
        // U = G·g for every channel pair at once: [α, r]·[r, pairs], the kernels read as rows of [pairs, r].
        g.withUnsafeBufferPointer { t in
            Tensor.gemm(false, true, alpha, pairs, taps, 1, t.baseAddress!, taps, weight, taps, 0, transformedWeight.base, stride)
        }
    }

    /// Aᵀ [m, α], G [α, r] and Bᵀ [α, α] for F(m, r), rounded once from exact rationals.
    static func transforms(outputs m: Int, taps r: Int) -> (aT: [Float], g: [Float], bT: [Float]) {
        let alpha = m + r - 1
        let all: [Rational] = [0, 1, -1, 2, -2, Rational(1, 2), Rational(-1, 2)]
        let points = Array(all.prefix(alpha - 1))
        var aT = [Float](repeating: 0, count: m * alpha), g = [Float](repeating: 0, count: alpha * r)
        var bT = [Float](repeating: 0, count: alpha * alpha)
        for i in 0..<m {
            for (j, p) in points.enumerated() { aT[i * alpha + j] = p.power(i).float }
            aT[i * alpha + alpha - 1] = i == m - 1 ? 1 : 0
        }
        // Π (x − q) over `qs`, as coefficients of x⁰, x¹, …
        func product(_ qs: [Rational]) -> [Rational] {
            var c: [Rational] = [1]
            for q in qs {
                var next = [Rational](repeating: 0, count: c.count + 1)
                for (i, v) in c.enumerated() { next[i + 1] = next[i + 1] + v; next[i] = next[i] - q * v }
                c = next
            }
            return c
        }
        for (j, p) in points.enumerated() {
            let others = points.enumerated().filter { $0.offset != j }.map(\.element)
            let denominator = others.reduce(Rational(1)) { $0 * (p - $1) }
            for k in 0..<r { g[j * r + k] = (p.power(k) / denominator).float }
            for (i, v) in product(others).enumerated() { bT[j * alpha + i] = v.float }
        }
        g[(alpha - 1) * r + r - 1] = 1
        for (i, v) in product(points).enumerated() { bT[(alpha - 1) * alpha + i] = v.float }
        return (aT, g, bT)
    }

    /// Convolves `images` NCHW-strided images (channel c of image n at c·`channelStride` + n·`imageStride`),
    /// writing the output the same way; output height and width equal the input's.
    public func forward(_ input: UnsafePointer<Float>, channelStride: Int, imageStride: Int, images: Int,
                        height: Int, width: Int, _ output: UnsafeMutablePointer<Float>,
                        outChannelStride: Int, outImageStride: Int, budget: Int = 1 << 21) {
        // Tiles of m outputs along the axis; `lines` across it per image.
        let length = axis == .width ? width : height, lines = axis == .width ? height : width
        let tilesPerLine = (length + outputs - 1) / outputs, perImage = tilesPerLine * lines
        let band = max(1, min(images, budget / (alpha * max(inChannels, outChannels) * perImage)))
        let capacity = band * perImage
        let vStride = WinogradConvolution.elementStride(inChannels * capacity)
        let mStride = WinogradConvolution.elementStride(outChannels * capacity)
        let v = Storage(uninitializedCount: alpha * vStride), m = Storage(uninitializedCount: alpha * mStride)
        let geometry = LineTiles(axis: axis, height: height, width: width, taps: taps, outputs: outputs,
                                 tilesPerLine: tilesPerLine, bTranspose: bTranspose, aTranspose: aTranspose)
        for n0 in Swift.stride(from: 0, to: images, by: band) {
            let count = min(band, images - n0), tiles = count * perImage
            let vb = v.base, mb = m.base
            Parallel.forEachRange(inChannels, work: alpha * alpha * tiles) { channels in
                for c in channels {
                    for n in 0..<count {
                        geometry.transformInput(input + c * channelStride + (n0 + n) * imageStride,
                                                into: vb + c * tiles + n * perImage, elementStride: vStride)
                    }
                }
            }
            let u = transformedWeight.base, weightStride = weightStride
            BLASKernel.splittingCalls(alpha) { e in
                Tensor.gemm(false, false, outChannels, tiles, inChannels, 1, u + e * weightStride, inChannels,
                            vb + e * vStride, tiles, 0, mb + e * mStride, tiles)
            }
            Parallel.forEachRange(outChannels, work: outputs * alpha * tiles) { channels in
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

/// Where F(m, r) tiles fall on one plane, and the per-plane transforms. The transforms run down
/// columns, sixteen columns at a time: for the height axis on the plane itself, tile t = (ty, x);
/// for the width axis on the plane transposed, tile t = (tx, y).
struct LineTiles {
    let axis: Winograd1DConvolution.Axis
    let height: Int, width: Int, taps: Int, outputs: Int, tilesPerLine: Int
    let bTranspose: [Float], aTranspose: [Float]

    var alpha: Int { outputs + taps - 1 }
    var padding: Int { (taps - 1) / 2 }
    /// Rows (along the kernel's axis) and columns of the plane as the transforms see it.
    var rows: Int { axis == .height ? height : width }
    var columns: Int { axis == .height ? width : height }

    /// V = Bᵀ·d for every tile of one plane; element ξ of tile t goes to `into[ξ·elementStride + t]`.
    func transformInput(_ plane: UnsafePointer<Float>, into v: UnsafeMutablePointer<Float>, elementStride s: Int) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: axis == .width ? height * width : 0) { buffer in
            var source = plane
            if axis == .width {  // transposed, so the kernel's axis runs down the columns
                let t = buffer.baseAddress!
                for y in 0..<height { for x in 0..<width { t[x * height + y] = plane[y * width + x] } }
                source = UnsafePointer(t)
            }
            bTranspose.withUnsafeBufferPointer { b in
                pleinair_line_input(source, Int32(rows), Int32(columns), b.baseAddress!, Int32(alpha), Int32(outputs),
                                    Int32(padding), Int32(tilesPerLine), v, s)
            }
        }
    }

    /// Y = Aᵀ·m for every tile of one plane, writing the plane's outputs (those inside it).
    func transformOutput(_ m: UnsafePointer<Float>, elementStride s: Int, into plane: UnsafeMutablePointer<Float>) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: axis == .width ? height * width : 0) { buffer in
            let target = axis == .width ? buffer.baseAddress! : plane
            aTranspose.withUnsafeBufferPointer { a in
                pleinair_line_output(m, s, a.baseAddress!, Int32(alpha), Int32(outputs), Int32(tilesPerLine), Int32(rows),
                                     Int32(columns), target)
            }
            if axis == .width {
                let t = buffer.baseAddress!
                for y in 0..<height { for x in 0..<width { plane[y * width + x] = t[x * height + y] } }
            }
        }
    }
}

/// An exact fraction, for building Winograd transforms before rounding them once.
struct Rational: ExpressibleByIntegerLiteral, Equatable {
    let numerator: Int, denominator: Int

    init(_ numerator: Int, _ denominator: Int = 1) {
        precondition(denominator != 0, "zero denominator")
        func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? abs(a) : gcd(b, a % b) }
        let d = max(1, gcd(numerator, denominator)) * (denominator < 0 ? -1 : 1)
        self.numerator = numerator / d; self.denominator = denominator / d
    }

    init(integerLiteral value: Int) { self.init(value) }

    static func + (a: Rational, b: Rational) -> Rational {
        Rational(a.numerator * b.denominator + b.numerator * a.denominator, a.denominator * b.denominator)
    }
    static func - (a: Rational, b: Rational) -> Rational { a + Rational(-b.numerator, b.denominator) }
    static func * (a: Rational, b: Rational) -> Rational { Rational(a.numerator * b.numerator, a.denominator * b.denominator) }
    static func / (a: Rational, b: Rational) -> Rational { a * Rational(b.denominator, b.numerator) }

    func power(_ k: Int) -> Rational { (0..<k).reduce(Rational(1)) { r, _ in r * self } }
    var float: Float { Float(Double(numerator) / Double(denominator)) }
}
