/// PIL's antialiased `BICUBIC` resize (Pillow's `ImagingResample`) from one size to another, with
/// the coefficients computed once for many images of that size.
///
/// Separable: a horizontal pass over every row, then a vertical pass, each skipped where the size
/// does not change. Per output pixel the taps are the cubic a = −0.5 over a window of ±2 input
/// pixels, widened by the scale factor when shrinking (antialiasing), and normalised to sum to 1
/// (`Image.coefficients`, Pillow's `precompute_coeffs`). Two arithmetics, both Pillow's:
/// - float planes (Pillow's mode `F`, what clean-fid resizes): products and sums in float64, each
///   pass stored as float32;
/// - 8-bit images: the coefficients in 22-bit fixed point, rounded away from zero, sums started at
///   one half, each pass truncated and clipped to 0...255, so results equal Pillow's for `L` and `RGB`
///   (Pillow premultiplies alpha for `LA`/`RGBA`; here alpha is a channel like the others).
public struct PILBicubicResampler: Sendable {
    /// Size of the images this resampler takes.
    public let inputWidth, inputHeight: Int
    /// Size of the images it makes.
    public let outputWidth, outputHeight: Int
    private let horizontal: Taps, vertical: Taps

    /// Window start, tap count and weights per output index along one axis.
    private struct Taps: Sendable {
        var starts: [Int] = [], counts: [Int] = [], offsets: [Int] = []
        var weights: [Double] = []
        var fixed: [Int32] = []

        init(inSize: Int, outSize: Int) {
            for (start, w) in Image.coefficients(inSize: inSize, outSize: outSize, filter: .bicubic) {
                starts.append(start); counts.append(w.count); offsets.append(weights.count)
                weights += w
            }
            // Pillow's normalize_coeffs_8bpc: PRECISION_BITS = 32 − 8 − 2.
            let one = Double(1 << PILBicubicResampler.precisionBits)
            fixed = weights.map { $0 < 0 ? Int32(-0.5 + $0 * one) : Int32(0.5 + $0 * one) }
        }
    }

    static let precisionBits = 22

    /// A resampler from `width`×`height` to `toWidth`×`toHeight` (all positive).
    public init(width: Int, height: Int, toWidth: Int, toHeight: Int) {
        precondition(width > 0 && height > 0 && toWidth > 0 && toHeight > 0, "sizes must be positive")
        inputWidth = width; inputHeight = height; outputWidth = toWidth; outputHeight = toHeight
        horizontal = Taps(inSize: width, outSize: toWidth)
        vertical = Taps(inSize: height, outSize: toHeight)
    }

    /// One float plane (row-major, `inputWidth`×`inputHeight`) resized as Pillow resizes a mode `F`
    /// image. Values are not clipped: bicubic overshoots at edges.
    public func resample(plane: [Float]) -> [Float] {
        precondition(plane.count == inputWidth * inputHeight, "plane of \(plane.count) values, expected \(inputWidth)×\(inputHeight)")
        var current = plane, w = inputWidth, h = inputHeight
        if outputWidth != inputWidth {
            current = Self.pass(current, width: w, height: h, taps: horizontal, horizontal: true)
            w = outputWidth
        }
        if outputHeight != inputHeight {
            current = Self.pass(current, width: w, height: h, taps: vertical, horizontal: false)
            h = outputHeight
        }
        return current
    }

    /// Each channel of `image` (8-bit) as a float plane resized like `resample(plane:)`, planar
    /// (CHW): clean-fid's "clean" resize before its clip to [0, 255].
    public func resamplePlanes(_ image: Image) -> [Float] {
        precondition(image.depth == .eight, "resamplePlanes takes 8-bit images")
        precondition(image.width == inputWidth && image.height == inputHeight, "image is \(image.width)×\(image.height), resampler takes \(inputWidth)×\(inputHeight)")
        var out: [Float] = []
        out.reserveCapacity(outputWidth * outputHeight * image.channels)
        let plane = inputWidth * inputHeight
        for c in 0..<image.channels {
            let channel = (0..<plane).map { Float(image.samples[$0 * image.channels + c]) }
            out += resample(plane: channel)
        }
        return out
    }

    /// An 8-bit image resized exactly as Pillow resizes an `L` or `RGB` image with `BICUBIC`.
    public func resample(_ image: Image) -> Image {
        precondition(image.depth == .eight, "the fixed-point path takes 8-bit images; 16-bit ones go through Image.resized")
        precondition(image.width == inputWidth && image.height == inputHeight, "image is \(image.width)×\(image.height), resampler takes \(inputWidth)×\(inputHeight)")
        var current = image.samples, w = inputWidth, h = inputHeight
        if outputWidth != inputWidth {
            current = Self.fixedPass(current, width: w, height: h, channels: image.channels, taps: horizontal, horizontal: true)
            w = outputWidth
        }
        if outputHeight != inputHeight {
            current = Self.fixedPass(current, width: w, height: h, channels: image.channels, taps: vertical, horizontal: false)
            h = outputHeight
        }
        return Image(width: w, height: h, channels: image.channels, depth: .eight, samples: current)
    }

    /// One float pass (Pillow's ImagingResample{Horizontal,Vertical}_32bpc for FLOAT32).
    private static func pass(_ input: [Float], width: Int, height: Int, taps: Taps, horizontal: Bool) -> [Float] {
        let outW = horizontal ? taps.starts.count : width, outH = horizontal ? height : taps.starts.count
        var out = [Float](repeating: 0, count: outW * outH)
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                taps.weights.withUnsafeBufferPointer { k in
                    for y in 0..<outH {
                        for x in 0..<outW {
                            let i = horizontal ? x : y
                            let start = taps.starts[i], offset = taps.offsets[i]
                            var sum = 0.0
                            if horizontal {
                                let row = y * width + start
                                for t in 0..<taps.counts[i] { sum += Double(src[row + t]) * k[offset + t] }
                            } else {
                                for t in 0..<taps.counts[i] { sum += Double(src[(start + t) * width + x]) * k[offset + t] }
                            }
                            dst[y * outW + x] = Float(sum)
                        }
                    }
                }
            }
        }
        return out
    }

    /// One fixed-point pass over interleaved 8-bit samples (Pillow's ..._8bpc: Int32 sums from
    /// one half, the result shifted down and clipped).
    private static func fixedPass(_ input: [UInt16], width: Int, height: Int, channels: Int, taps: Taps, horizontal: Bool) -> [UInt16] {
        let outW = horizontal ? taps.starts.count : width, outH = horizontal ? height : taps.starts.count
        var out = [UInt16](repeating: 0, count: outW * outH * channels)
        let half = Int32(1 << (precisionBits - 1))
        input.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                taps.fixed.withUnsafeBufferPointer { k in
                    for y in 0..<outH {
                        for x in 0..<outW {
                            let i = horizontal ? x : y
                            let start = taps.starts[i], offset = taps.offsets[i], count = taps.counts[i]
                            for c in 0..<channels {
                                var sum = half
                                for t in 0..<count {
                                    let s = horizontal ? src[((y * width) + start + t) * channels + c]
                                                       : src[((start + t) * width + x) * channels + c]
                                    sum &+= Int32(s) &* k[offset + t]
                                }
                                dst[(y * outW + x) * channels + c] = UInt16(min(max(sum >> Int32(precisionBits), 0), 255))
                            }
                        }
                    }
                }
            }
        }
        return out
    }
}
