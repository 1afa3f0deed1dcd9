import Foundation

/// Checks a zip file's 64-bit sizes and offsets before ZIPFoundation reads it. ZIPFoundation 0.9.20
/// converts them to `off_t`/`Int64` unchecked and adds them up, so a hostile ZIP64 field (found by
/// fuzzing) traps the process instead of failing. This walks the same structures ZIPFoundation
/// walks, the same way, and refuses any such value above 2^48 bytes, which no real archive reaches;
/// every other defect is left for ZIPFoundation to report.
public enum ZIPPreflight {
    /// Larger sizes, offsets and counts are refused: far above any real file, far below overflow.
    public static let limit: UInt64 = 1 << 48

    /// Why the archive at `url` must not be handed to ZIPFoundation, or nil.
    public static func problem(in url: URL) -> String? {
        guard let data = try? Data(contentsOf: url, options: .alwaysMapped) else { return nil }
        return problem(in: data)
    }

    /// Why the archive bytes must not be handed to ZIPFoundation, or nil.
    public static func problem(in data: Data) -> String? {
        let bytes = Bytes(data: data)
        // The end-of-central-directory record: the last signature, scanning back from the end.
        guard data.count >= 22,
              let found = data.range(of: Data([0x50, 0x4B, 0x05, 0x06]), options: .backwards,
                                     in: data.startIndex..<(data.startIndex + data.count - 18)) else { return nil }
        let eocd = found.lowerBound - data.startIndex
        guard let entries16 = bytes.u16(eocd + 10), let offset32 = bytes.u32(eocd + 16) else { return nil }
        var entries = UInt64(entries16), directory = UInt64(offset32)
        // ZIPFoundation reads a ZIP64 record at a fixed distance before it, when one is there.
        let record = eocd - 20 - 56
        if eocd > 20 + 56, bytes.u32(eocd - 20) == 0x0706_4B50, bytes.u32(record) == 0x0606_4B50,
           let version = bytes.u16(record + 14), version >= 45,
           let onDisk = bytes.u64(record + 24), let total = bytes.u64(record + 32),
           let size = bytes.u64(record + 40), let offset = bytes.u64(record + 48) {
            if let bad = [onDisk, total, size, offset].first(where: { $0 > limit }) {
                return "ZIP64 end record holds an impossible size, offset or count (\(bad))"
            }
            (entries, directory) = (total, offset)
        }
        var index = Int(directory)
        for _ in 0..<entries {
            guard bytes.u32(index) == 0x0201_4B50, let flags = bytes.u16(index + 8), let method = bytes.u16(index + 10),
                  let version = bytes.u16(index + 6), let compressed = bytes.u32(index + 20), let uncompressed = bytes.u32(index + 24),
                  let nameLength = bytes.u16(index + 28), let extraLength = bytes.u16(index + 30),
                  let commentLength = bytes.u16(index + 32), let disk = bytes.u16(index + 34), let local32 = bytes.u32(index + 42),
                  index + 46 + Int(nameLength) + Int(extraLength) + Int(commentLength) <= data.count else { return nil }
            let extra = (index + 46 + Int(nameLength))..<(index + 46 + Int(nameLength) + Int(extraLength))
            // Fields present in the ZIP64 block are those whose 32-bit value is all ones, in this order.
            let present = [uncompressed == .max, compressed == .max, local32 == .max]
            let wide = zip64Values(bytes, extra, present: present, disk: disk == .max)
            if let values = wide, let bad = values.compactMap({ $0 }).first(where: { $0 > limit }) {
                return "central directory entry at byte \(index) holds an impossible ZIP64 size or offset (\(bad))"
            }
            func effective(_ i: Int, _ narrow: UInt32) -> UInt64 {
                if let value = wide?[i], value > 0 { return value }
                return UInt64(narrow)
            }
            let isZIP64 = version & 0xFF >= 45 || wide != nil
            let local = Int(isZIP64 ? effective(2, local32) : UInt64(local32))
            guard bytes.u32(local) == 0x0403_4B50, let localName = bytes.u16(local + 26), let localExtra = bytes.u16(local + 28) else { return nil }
            let localExtraRange = (local + 30 + Int(localName))..<(local + 30 + Int(localName) + Int(localExtra))
            if let values = zip64Values(bytes, localExtraRange, present: nil, disk: false),
               let bad = values.compactMap({ $0 }).first(where: { $0 > limit }) {
                return "local header at byte \(local) holds an impossible ZIP64 size (\(bad))"
            }
            if flags & 0x8 != 0 && isZIP64 {
                let size = method != 0 ? effective(1, compressed) : effective(0, uncompressed)
                let descriptor = local + 30 + Int(localName) + Int(localExtra) + Int(size)
                let start = descriptor + (bytes.u32(descriptor) == 0x0807_4B50 ? 8 : 4)
                if let c = bytes.u64(start), let u = bytes.u64(start + 8), max(c, u) > limit {
                    return "data descriptor at byte \(descriptor) holds an impossible ZIP64 size (\(max(c, u)))"
                }
            }
            index += 46 + Int(nameLength) + Int(extraLength) + Int(commentLength)
        }
        return nil
    }

    /// The 64-bit values of the first ZIP64 extra block in `range`. With `present`, parsed as
    /// ZIPFoundation parses a central directory's (nil where a field is absent, nil overall when the
    /// block's size does not match); without it, every whole 8-byte value the block holds.
    static func zip64Values(_ bytes: Bytes, _ range: Range<Int>, present: [Bool]?, disk: Bool) -> [UInt64?]? {
        var offset = range.lowerBound
        while offset < range.upperBound - 4 {
            guard let id = bytes.u16(offset), let size = bytes.u16(offset + 2) else { return nil }
            let next = offset + 4 + Int(size)
            guard next <= range.upperBound else { return nil }
            if id == 0x0001 {
                guard let present else {
                    return stride(from: offset + 4, through: next - 8, by: 8).map { bytes.u64($0) }
                }
                guard present.filter({ $0 }).count * 8 + (disk ? 4 : 0) == Int(size) else { return nil }
                var at = offset + 4
                return present.map { isThere in
                    guard isThere else { return nil }
                    defer { at += 8 }
                    return bytes.u64(at)
                }
            }
            offset = next
        }
        return nil
    }

    /// Bounds-checked little-endian reads.
    struct Bytes {
        let data: Data
        func value(_ at: Int, _ width: Int) -> UInt64? {
            guard at >= 0, width <= data.count, at <= data.count - width else { return nil }
            var v: UInt64 = 0
            for i in (0..<width).reversed() { v = v << 8 | UInt64(data[data.startIndex + at + i]) }
            return v
        }
        func u16(_ at: Int) -> UInt16? { value(at, 2).map { UInt16($0) } }
        func u32(_ at: Int) -> UInt32? { value(at, 4).map { UInt32($0) } }
        func u64(_ at: Int) -> UInt64? { value(at, 8) }
    }
}
