import Foundation

/// Why an image could not be read, written or processed; always names the file when there is one.
public struct ImageError: Error, Equatable, CustomStringConvertible, Sendable {
    /// What went wrong, as a value tests and callers can match on.
    public enum Kind: Equatable, Sendable {
        /// The file has no bytes.
        case empty
        /// The bytes start like no supported format.
        case unknownFormat
        /// The extension promises one format but the bytes are another (e.g. a PNG named .jpg).
        case formatMismatch(expected: ImageFormat, found: ImageFormat)
        /// The decoder rejected the data (corrupt, truncated, bad CRC...); the library's message.
        case corrupt(String)
        /// Width, height or sample count beyond what we accept.
        case tooLarge(width: Int, height: Int)
        /// Valid file but a layout we do not handle (e.g. CMYK JPEG).
        case unsupported(String)
        /// The encoder failed; the library's message.
        case encodeFailed(String)
        /// Reading or writing the file itself failed.
        case io(String)
    }

    /// The file concerned, or nil for in-memory data.
    public let path: String?
    /// What is wrong.
    public let kind: Kind

    /// Creates an error about `path` (nil for in-memory data).
    public init(path: String?, _ kind: Kind) {
        self.path = path
        self.kind = kind
    }

    public var description: String {
        let what: String
        switch kind {
        case .empty: what = "file is empty"
        case .unknownFormat: what = "not a PNG or JPEG (unrecognised signature)"
        case let .formatMismatch(expected, found):
            what = "named as \(expected.rawValue) but contains \(found.rawValue) data"
        case let .corrupt(message): what = "corrupt or truncated image: \(message)"
        case let .tooLarge(w, h): what = "dimensions \(w)x\(h) exceed the limit of \(ImageLimits.maxPixels) pixels"
        case let .unsupported(message): what = "unsupported image: \(message)"
        case let .encodeFailed(message): what = "could not encode image: \(message)"
        case let .io(message): what = message
        }
        return "\(path ?? "<memory>"): \(what)"
    }
}

/// Limits that protect against absurd headers allocating gigabytes.
public enum ImageLimits {
    /// The most pixels a decoded image may have (256 megapixels).
    public static let maxPixels = 1 << 28

    /// Pixels one byte of PNG can describe at most: zlib expands at most 1032:1 and the smallest
    /// pixel is one bit. A header claiming more for its file's size is a lie, refused before the
    /// decoder allocates (a 69-byte file claimed 16384² 16-bit RGBA: 2 GB).
    public static let pngPixelsPerByte = 1032 * 8

    /// The same for JPEG, with room to spare: Huffman coding spends at least one bit per 8×8 block
    /// (512 pixels a byte). Only arithmetic-coded JPEGs of near-constant images, vanishingly rare,
    /// can go below that.
    public static let jpegPixelsPerByte = 4096

    /// Whether `pixels` is more than `bytes` of a file at `perByte` can describe.
    static func exceeds(_ pixels: Int, bytes: Int, perByte: Int) -> Bool {
        let (most, overflow) = bytes.multipliedReportingOverflow(by: perByte)
        return !overflow && pixels > most
    }
}
