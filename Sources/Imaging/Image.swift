/// Bits per sample of an image: 8 (0...255) or 16 (0...65535).
public enum BitDepth: Int, Sendable, Equatable {
    case eight = 8
    case sixteen = 16

    /// The largest sample value at this depth.
    public var maxValue: Int { self == .eight ? 255 : 65535 }
}

/// An image in memory: interleaved samples, row-major, top row first.
///
/// Samples are stored as `UInt16` at either depth so every operation has one code path; an 8-bit
/// image simply never holds a value above 255. Channels are 1 (gray), 2 (gray + alpha), 3 (RGB)
/// or 4 (RGBA); palette images are expanded to RGB(A) when decoded.
public struct Image: Equatable, Sendable {
    /// Width in pixels.
    public let width: Int
    /// Height in pixels.
    public let height: Int
    /// Samples per pixel: 1 gray, 2 gray+alpha, 3 RGB, 4 RGBA.
    public let channels: Int
    /// Sample depth; every sample is in `0...depth.maxValue`.
    public let depth: BitDepth
    /// `height * width * channels` samples, interleaved (HWC).
    public var samples: [UInt16]

    /// Wraps existing samples; the count must match the dimensions (a programmer error otherwise).
    public init(width: Int, height: Int, channels: Int, depth: BitDepth = .eight, samples: [UInt16]) {
        precondition(width > 0 && height > 0, "image dimensions must be positive")
        precondition((1...4).contains(channels), "channels must be 1...4")
        precondition(samples.count == width * height * channels, "sample count does not match dimensions")
        self.width = width
        self.height = height
        self.channels = channels
        self.depth = depth
        self.samples = samples
    }

    /// A uniformly filled image.
    public init(width: Int, height: Int, channels: Int, depth: BitDepth = .eight, fill: UInt16 = 0) {
        self.init(width: width, height: height, channels: channels, depth: depth,
                  samples: [UInt16](repeating: fill, count: width * height * channels))
    }

    /// Whether the last channel is alpha (2 or 4 channels).
    public var hasAlpha: Bool { channels == 2 || channels == 4 }

    /// The sample at row `y`, column `x`, channel `c`.
    @inlinable public subscript(x: Int, y: Int, c: Int) -> UInt16 {
        get { samples[(y * width + x) * channels + c] }
        set { samples[(y * width + x) * channels + c] = newValue }
    }

    /// The samples narrowed to bytes (8-bit images only).
    public var bytes8: [UInt8] {
        precondition(depth == .eight, "bytes8 needs an 8-bit image; convert with converted(to:) first")
        return samples.map { UInt8(truncatingIfNeeded: $0) }
    }

    /// An 8-bit image from interleaved bytes.
    public init(width: Int, height: Int, channels: Int, bytes: [UInt8]) {
        self.init(width: width, height: height, channels: channels, depth: .eight, samples: bytes.map { UInt16($0) })
    }
}
