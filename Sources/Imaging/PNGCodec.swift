import CPNG
import Foundation

/// PNG through libpng's simplified `png_image_*` API, which reports errors as return codes
/// (the classic API needs `setjmp`/`longjmp`, which Swift cannot use safely).
///
/// 8-bit files decode to 8-bit images and 16-bit files to 16-bit images; palette and low-bit-depth
/// files expand to 8-bit gray/RGB(A). Samples come back as stored: colour-management chunks (gAMA,
/// cHRM, sRGB, iCCP) are ignored, as Pillow ignores them, and 16-bit files are written without them
/// (see `PNGChunks`). Caveat of the simplified API: 16-bit colour with alpha passes through
/// premultiplied form, so it is exact only where alpha is opaque (within 2/65535 elsewhere).
public enum PNGCodec {
    /// Decodes PNG bytes; `path` only labels errors.
    public static func decode(_ data: Data, path: String? = nil) throws -> Image {
        guard !data.isEmpty else { throw ImageError(path: path, .empty) }
        var image = png_image()
        image.version = png_uint_32(PNG_IMAGE_VERSION)
        defer { png_image_free(&image) }

        let stream = PNGChunks.removing(PNGChunks.colourChunks, from: data)
        let began = stream.withUnsafeBytes { raw in
            png_image_begin_read_from_memory(&image, raw.baseAddress, raw.count)
        }
        guard began != 0 else { throw ImageError(path: path, .corrupt(message(of: &image))) }

        let width = Int(image.width), height = Int(image.height)
        guard width > 0, height > 0 else { throw ImageError(path: path, .corrupt("zero image dimensions")) }
        guard width * height <= ImageLimits.maxPixels else {
            throw ImageError(path: path, .tooLarge(width: width, height: height))
        }
        guard !ImageLimits.exceeds(width * height, bytes: data.count, perByte: ImageLimits.pngPixelsPerByte) else {
            throw ImageError(path: path, .corrupt("header claims \(width)×\(height) pixels, more than \(data.count) bytes of PNG can hold"))
        }
        let layout = image.format & (PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA)
        let sixteen = image.format & PNG_FORMAT_FLAG_LINEAR != 0
        image.format = layout | (sixteen ? PNG_FORMAT_FLAG_LINEAR : 0)
        let channels = Int(layout) + 1

        var decoded: Image
        if sixteen {
            var samples = [UInt16](repeating: 0, count: width * height * channels)
            let ok = samples.withUnsafeMutableBytes { buffer in
                png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw ImageError(path: path, .corrupt(message(of: &image))) }
            decoded = Image(width: width, height: height, channels: channels, depth: .sixteen, samples: samples)
            if decoded.hasAlpha { unpremultiply16(&decoded) }
        } else {
            var bytes = [UInt8](repeating: 0, count: width * height * channels)
            let ok = bytes.withUnsafeMutableBytes { buffer in
                png_image_finish_read(&image, nil, buffer.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw ImageError(path: path, .corrupt(message(of: &image))) }
            decoded = Image(width: width, height: height, channels: channels, bytes: bytes)
        }
        return decoded
    }

    /// Encodes an image as PNG at its own depth (8 or 16 bits); `fast` trades size for speed
    /// (libpng's `PNG_IMAGE_FLAG_FAST`: larger files, several times quicker on noisy images).
    public static func encode(_ image: Image, fast: Bool = false, path: String? = nil) throws -> Data {
        var png = png_image()
        png.version = png_uint_32(PNG_IMAGE_VERSION)
        if fast { png.flags = png_uint_32(PNG_IMAGE_FLAG_FAST) }
        png.width = png_uint_32(image.width)
        png.height = png_uint_32(image.height)
        var format = png_uint_32(image.channels - 1)  // the COLOR|ALPHA bits spell channels - 1
        if image.depth == .sixteen { format |= PNG_FORMAT_FLAG_LINEAR }
        png.format = format
        defer { png_image_free(&png) }

        func write(_ pixels: UnsafeRawBufferPointer) throws -> Data {
            var size = 0
            guard png_image_write_to_memory(&png, nil, &size, 0, pixels.baseAddress, 0, nil) != 0 else {
                throw ImageError(path: path, .encodeFailed(message(of: &png)))
            }
            var out = Data(count: size)
            let ok = out.withUnsafeMutableBytes { dest in
                png_image_write_to_memory(&png, dest.baseAddress, &size, 0, pixels.baseAddress, 0, nil)
            }
            guard ok != 0 else { throw ImageError(path: path, .encodeFailed(message(of: &png))) }
            // libpng tags 16-bit output as linear (gAMA 1.0); the samples are whatever the caller
            // had, usually sRGB-encoded, so leave the file untagged as Pillow does.
            let encoded = out.prefix(size)
            return image.depth == .sixteen ? PNGChunks.removing(PNGChunks.colourChunks, from: encoded) : encoded
        }

        if image.depth == .sixteen {
            var samples = image.samples
            if image.hasAlpha { premultiply16(&samples, channels: image.channels) }
            return try samples.withUnsafeBytes(write)
        }
        return try image.bytes8.withUnsafeBytes(write)
    }

    private static func message(of image: inout png_image) -> String {
        withUnsafeBytes(of: &image.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            let text = String(decoding: bytes, as: UTF8.self)
            return text.isEmpty ? "libpng reported an error" : text
        }
    }

    // libpng's linear 16-bit format with alpha is premultiplied (associated alpha); the Image type
    // keeps straight alpha, as 8-bit PNG and every other consumer expect.
    private static func unpremultiply16(_ image: inout Image) {
        let c = image.channels
        for p in stride(from: 0, to: image.samples.count, by: c) {
            let alpha = UInt32(image.samples[p + c - 1])
            for k in 0..<(c - 1) {
                let v = UInt32(image.samples[p + k])
                image.samples[p + k] = alpha == 0 ? 0 : UInt16(min(65535, (v * 65535 + alpha / 2) / alpha))
            }
        }
    }

    private static func premultiply16(_ samples: inout [UInt16], channels c: Int) {
        for p in stride(from: 0, to: samples.count, by: c) {
            let alpha = UInt32(samples[p + c - 1])
            for k in 0..<(c - 1) {
                samples[p + k] = UInt16((UInt32(samples[p + k]) * alpha + 32767) / 65535)
            }
        }
    }
}
