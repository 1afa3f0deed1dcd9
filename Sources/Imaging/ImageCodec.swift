import Foundation

/// Reading and writing image files, choosing the codec from the bytes and the file name.
public enum ImageCodec {
    /// Decodes PNG or JPEG bytes; `path` only labels errors.
    public static func decode(_ data: Data, path: String? = nil) throws -> Image {
        guard !data.isEmpty else { throw ImageError(path: path, .empty) }
        guard let found = ImageFormat(sniffing: data) else { throw ImageError(path: path, .unknownFormat) }
        switch found {
        case .png: return try PNGCodec.decode(data, path: path)
        case .jpeg: return try JPEGCodec.decode(data, path: path)
        }
    }

    /// Reads an image file; a file whose extension names another format than its bytes is an error.
    public static func read(_ url: URL) throws -> Image {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw ImageError(path: url.path, .io("cannot read: \(error.localizedDescription)"))
        }
        if let expected = ImageFormat(pathExtension: url.pathExtension),
           let found = ImageFormat(sniffing: data), expected != found {
            throw ImageError(path: url.path, .formatMismatch(expected: expected, found: found))
        }
        return try decode(data, path: url.path)
    }

    /// Encodes to the given format (JPEG quality 1...100, ignored for PNG).
    public static func encode(_ image: Image, as format: ImageFormat, quality: Int = 95, path: String? = nil) throws -> Data {
        switch format {
        case .png: return try PNGCodec.encode(image, path: path)
        case .jpeg: return try JPEGCodec.encode(image, quality: quality, path: path)
        }
    }

    /// Writes an image atomically, the format taken from the extension (PNG when unknown).
    public static func write(_ image: Image, to url: URL, quality: Int = 95) throws {
        let format = ImageFormat(pathExtension: url.pathExtension) ?? .png
        let data = try encode(image, as: format, quality: quality, path: url.path)
        do {
            try data.write(to: url, options: .atomic)
        } catch {
            throw ImageError(path: url.path, .io("cannot write: \(error.localizedDescription)"))
        }
    }
}
