/// Emits the few pickle (protocol 2) opcodes a PyTorch state dict is made of. No memo: every
/// value is written where it is used, which `pickle.load` accepts and keeps the writer trivial.
struct PickleWriter {
    private(set) var bytes: [UInt8] = [0x80, 2]  // PROTO 2

    mutating func global(_ module: String, _ name: String) {
        bytes.append(UInt8(ascii: "c"))
        bytes += Array("\(module)\n\(name)\n".utf8)
    }

    mutating func string(_ text: String) {
        let utf8 = Array(text.utf8)
        bytes.append(UInt8(ascii: "X"))  // BINUNICODE
        bytes += le32(UInt32(utf8.count))
        bytes += utf8
    }

    mutating func int(_ value: Int) {
        switch value {
        case 0...0xFF: bytes += [UInt8(ascii: "K"), UInt8(value)]                      // BININT1
        case 0...0xFFFF: bytes += [UInt8(ascii: "M"), UInt8(value & 0xFF), UInt8(value >> 8)]  // BININT2
        case Int(Int32.min)...Int(Int32.max): bytes.append(UInt8(ascii: "J")); bytes += le32(UInt32(bitPattern: Int32(value)))
        default:  // LONG1: 8 little-endian two's-complement bytes
            bytes += [0x8A, 8]
            bytes += (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
        }
    }

    mutating func bool(_ value: Bool) { bytes.append(value ? 0x88 : 0x89) }  // NEWTRUE / NEWFALSE
    mutating func mark() { bytes.append(UInt8(ascii: "(")) }
    mutating func tupleFromMark() { bytes.append(UInt8(ascii: "t")) }
    mutating func emptyTuple() { bytes.append(UInt8(ascii: ")")) }
    mutating func reduce() { bytes.append(UInt8(ascii: "R")) }
    mutating func persistentID() { bytes.append(UInt8(ascii: "Q")) }  // BINPERSID: id is the tuple on the stack
    mutating func setItemsFromMark() { bytes.append(UInt8(ascii: "u")) }
    mutating func stop() { bytes.append(UInt8(ascii: ".")) }

    /// A tuple of integers (sizes, strides).
    mutating func intTuple(_ values: [Int]) {
        mark()
        for v in values { int(v) }
        tupleFromMark()
    }

    private func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
}
