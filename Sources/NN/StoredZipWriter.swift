import Foundation

/// Writes a zip archive of uncompressed entries whose data start at 64-byte boundaries, the way
/// PyTorch's own writer lays out `torch.save` files (so readers may map storages in place).
/// No zip64: an archive past 4 GiB is refused.
struct StoredZipWriter {
    private(set) var data = Data()
    private var central = Data()
    private var count = 0

    /// Appends `contents` as `name`.
    mutating func add(_ name: String, _ contents: [UInt8]) throws {
        let nameBytes = Array(name.utf8)
        let offset = data.count
        guard offset + contents.count + 1024 < Int(UInt32.max), count < 0xFFFF else {
            throw CheckpointError(path: name, reason: "archive would pass 4 GiB or 65535 entries (zip64 is not written)")
        }
        // A padding extra field ("FB", as PyTorch's writer uses) puts the data on a 64-byte boundary.
        let unpadded = offset + 30 + nameBytes.count + 4
        let pad = (64 - unpadded % 64) % 64
        let extra: [UInt8] = [0x46, 0x42] + le16(pad) + [UInt8](repeating: 0x5A, count: pad)
        let crc = Self.crc32(contents)
        var header: [UInt8] = le32(0x0403_4B50) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
        header += le32(crc) + le32(contents.count) + le32(contents.count) + le16(nameBytes.count) + le16(extra.count)
        data.append(contentsOf: header + nameBytes + extra)
        data.append(contentsOf: contents)
        var entry: [UInt8] = le32(0x0201_4B50) + le16(20) + le16(20) + le16(0) + le16(0) + le16(0) + le16(0x21)
        entry += le32(crc) + le32(contents.count) + le32(contents.count) + le16(nameBytes.count) + le16(0) + le16(0)
        entry += le16(0) + le16(0) + le32(0) + le32(offset)
        central.append(contentsOf: entry + nameBytes)
        count += 1
    }

    /// The archive: entries, central directory, end record.
    mutating func finish() -> Data {
        let start = data.count
        data.append(central)
        let end: [UInt8] = le32(0x0605_4B50) + le16(0) + le16(0) + le16(count) + le16(count) + le32(central.count) + le32(start) + le16(0)
        data.append(contentsOf: end)
        return data
    }

    private func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xFF), UInt8((v >> 8) & 0xFF)] }
    private func le32(_ v: Int) -> [UInt8] { le32(UInt32(v)) }
    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    static let crcTable: [UInt32] = (0..<256).map { n -> UInt32 in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }

    /// The zip (IEEE) CRC-32 of `bytes`.
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var c: UInt32 = 0xFFFF_FFFF
        for b in bytes { c = crcTable[Int((c ^ UInt32(b)) & 0xFF)] ^ (c >> 8) }
        return c ^ 0xFFFF_FFFF
    }
}
