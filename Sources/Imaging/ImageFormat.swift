import Foundation

/// The encoded file formats Imaging reads and writes.
public enum ImageFormat: String, Sendable, Equatable, CaseIterable {
    case png
    case jpeg

    /// The format a file name promises by its extension (case-insensitive), nil if none.
    public init?(pathExtension ext: String) {
        switch ext.lowercased() {
        case "png": self = .png
        case "jpg", "jpeg": self = .jpeg
        default: return nil
        }
    }

    /// The format the bytes actually contain, judged by their signature.
    public init?(sniffing data: Data) {
        let pngMagic: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        if data.count >= 8, data.prefix(8).elementsEqual(pngMagic) {
            self = .png
        } else if data.count >= 3, data.prefix(3).elementsEqual([0xFF, 0xD8, 0xFF]) {
            self = .jpeg
        } else {
            return nil
        }
    }
}
