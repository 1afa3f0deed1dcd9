import CTurboJPEG
import Foundation

/// JPEG through libjpeg-turbo's TurboJPEG API (accurate integer DCT, fancy upsampling: the
/// library defaults, which are also what Pillow uses, so decodes agree with it exactly).
///
/// Warnings (a truncated stream, "premature end of data") are errors here: a half-decoded photo
/// silently grey at the bottom would poison a dataset.
public enum JPEGCodec {
    /// Decodes JPEG bytes to 8-bit gray or RGB; `path` only labels errors.
    public static func decode(_ data: Data, path: String? = nil) throws -> Image {
        guard !data.isEmpty else { throw ImageError(path: path, .empty) }
        guard let handle = tjInitDecompress() else {
            throw ImageError(path: path, .corrupt("cannot create a TurboJPEG decompressor"))
        }
        defer { tjDestroy(handle) }

        return try data.withUnsafeBytes { raw -> Image in
            let source = raw.bindMemory(to: UInt8.self)
            var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colorspace: Int32 = 0
            guard tjDecompressHeader3(handle, source.baseAddress, UInt(source.count),
                                      &width, &height, &subsampling, &colorspace) == 0 else {
                throw ImageError(path: path, .corrupt(errorMessage(handle)))
            }
            let w = Int(width), h = Int(height)
            guard w > 0, h > 0 else { throw ImageError(path: path, .corrupt("no frame header (zero dimensions)")) }
            guard w * h <= ImageLimits.maxPixels else {
                throw ImageError(path: path, .tooLarge(width: w, height: h))
            }
            guard !ImageLimits.exceeds(w * h, bytes: data.count, perByte: ImageLimits.jpegPixelsPerByte) else {
                throw ImageError(path: path, .corrupt("header claims \(w)×\(h) pixels, more than \(data.count) bytes of JPEG can hold"))
            }
            let channels: Int, pixelFormat: TJPF
            switch colorspace {
            case Int32(TJCS_GRAY.rawValue): (channels, pixelFormat) = (1, TJPF_GRAY)
            case Int32(TJCS_RGB.rawValue), Int32(TJCS_YCbCr.rawValue): (channels, pixelFormat) = (3, TJPF_RGB)
            default: throw ImageError(path: path, .unsupported("CMYK/YCCK JPEG colour space"))
            }
            var pixels = [UInt8](repeating: 0, count: w * h * channels)
            let status = pixels.withUnsafeMutableBufferPointer { dest in
                tjDecompress2(handle, source.baseAddress, UInt(source.count), dest.baseAddress,
                              width, 0, height, Int32(pixelFormat.rawValue), TJFLAG_STOPONWARNING)
            }
            guard status == 0 else { throw ImageError(path: path, .corrupt(errorMessage(handle))) }
            return Image(width: w, height: h, channels: channels, bytes: pixels)
        }
    }

    /// Encodes an 8-bit gray or RGB image (4:4:4 chroma, so colours stay sharp) at `quality` 1...100.
    public static func encode(_ image: Image, quality: Int = 95, path: String? = nil) throws -> Data {
        guard image.depth == .eight else {
            throw ImageError(path: path, .unsupported("JPEG stores 8-bit samples; convert the 16-bit image first"))
        }
        guard !image.hasAlpha else {
            throw ImageError(path: path, .unsupported("JPEG has no alpha channel; remove it first"))
        }
        guard let handle = tjInitCompress() else {
            throw ImageError(path: path, .encodeFailed("cannot create a TurboJPEG compressor"))
        }
        defer { tjDestroy(handle) }
        let pixelFormat = image.channels == 1 ? TJPF_GRAY : TJPF_RGB
        let subsampling = image.channels == 1 ? TJSAMP_GRAY : TJSAMP_444
        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        defer { if output != nil { tjFree(output) } }
        let status = image.bytes8.withUnsafeBufferPointer { src in
            tjCompress2(handle, src.baseAddress, Int32(image.width), 0, Int32(image.height),
                        Int32(pixelFormat.rawValue), &output, &size, Int32(subsampling.rawValue),
                        Int32(max(1, min(100, quality))), 0)
        }
        guard status == 0, let bytes = output else {
            throw ImageError(path: path, .encodeFailed(errorMessage(handle)))
        }
        return Data(bytes: bytes, count: Int(size))
    }

    private static func errorMessage(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "libjpeg-turbo reported an error" }
        return String(cString: text)
    }
}
