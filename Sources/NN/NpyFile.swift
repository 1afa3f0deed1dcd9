import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Errors reading or writing the banks' `.npy` files, with the file they concern.
public enum BankFileError: Error, Equatable, CustomStringConvertible {
    case io(path: String, String)
    case malformed(path: String, String)

    public var description: String {
        switch self {
        case .io(let path, let message): return "\(path): \(message)"
        case .malformed(let path, let message): return "\(path): not a bank matrix: \(message)"
        }
    }
}

/// The element types a bank matrix holds.
public protocol NpyElement { static var descriptor: String { get } }
extension Float: NpyElement { public static var descriptor: String { "<f4" } }
extension Int32: NpyElement { public static var descriptor: String { "<i4" } }
extension UInt8: NpyElement { public static var descriptor: String { "|u1" } }

/// Row-major 2-D matrices as NumPy `.npy` (version 1.0, little-endian): a standard, memory-mappable
/// format (`np.load(path, mmap_mode="r")` reads the same file), with the data 64-byte aligned.
public enum NpyFile {
    /// Writes `rows × columns` elements to `url` (temp file, then rename, so readers never see half a file).
    public static func write<T: NpyElement>(_ values: UnsafeBufferPointer<T>, rows: Int, columns: Int, to url: URL) throws {
        precondition(values.count == rows * columns, "\(values.count) values for \(rows)×\(columns)")
        var header = "{'descr': '\(T.descriptor)', 'fortran_order': False, 'shape': (\(rows), \(columns)), }"
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(header.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xff), UInt8(length >> 8)])
        data.append(contentsOf: Array(header.utf8))
        data.append(Data(buffer: values))
        let temp = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).tmp")
        do {
            try data.write(to: temp)
        } catch {
            throw BankFileError.io(path: url.path, error.localizedDescription)
        }
        guard rename(temp.path, url.path) == 0 else {
            throw BankFileError.io(path: url.path, "rename: " + String(cString: strerror(errno)))
        }
    }

    /// Convenience for arrays.
    public static func write<T: NpyElement>(_ values: [T], rows: Int, columns: Int, to url: URL) throws {
        try values.withUnsafeBufferPointer { try write($0, rows: rows, columns: columns, to: url) }
    }
}

/// A read-only `.npy` matrix mapped into memory: rows are paged in as they are touched, so a bank
/// far larger than RAM can back an index.
public final class MappedMatrix<T: NpyElement>: @unchecked Sendable {
    public let rows: Int
    public let columns: Int
    /// First element of row 0.
    public let base: UnsafePointer<T>
    /// Byte offset of row 0 in the file.
    public let dataOffset: Int
    private let mapping: UnsafeMutableRawPointer?
    private let mappedLength: Int

    /// Maps `url`, checking the header describes a 2-D C-ordered matrix of `T`.
    public init(contentsOf url: URL) throws {
        let path = url.path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BankFileError.io(path: path, String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw BankFileError.io(path: path, String(cString: strerror(errno))) }
        let size = Int(info.st_size)
        guard size >= 10 else { throw BankFileError.malformed(path: path, "file of \(size) bytes") }
        guard let raw = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), raw != MAP_FAILED else {
            throw BankFileError.io(path: path, "mmap: " + String(cString: strerror(errno)))
        }
        let bytes = raw.assumingMemoryBound(to: UInt8.self)
        func fail(_ message: String) -> BankFileError { munmap(raw, size); return .malformed(path: path, message) }
        guard bytes[0] == 0x93, String(decoding: UnsafeBufferPointer(start: bytes + 1, count: 5), as: UTF8.self) == "NUMPY",
              bytes[6] == 1 else { throw fail("missing .npy version 1 magic") }
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        guard 10 + headerLength <= size else { throw fail("header runs past the end") }
        let header = String(decoding: UnsafeBufferPointer(start: bytes + 10, count: headerLength), as: UTF8.self)
        guard header.contains("'descr': '\(T.descriptor)'") else { throw fail("expected element type \(T.descriptor) in \(header)") }
        guard header.contains("'fortran_order': False") else { throw fail("Fortran order is not supported") }
        guard let open = header.range(of: "'shape': ("), let close = header[open.upperBound...].firstIndex(of: ")") else {
            throw fail("no shape in header")
        }
        let dims = header[open.upperBound..<close].split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard dims.count == 2 else { throw fail("expected a 2-D shape, got (\(header[open.upperBound..<close]))") }
        let offset = 10 + headerLength
        let (count, overflow) = dims[0].multipliedReportingOverflow(by: dims[1])
        guard dims[0] >= 0, dims[1] >= 0, !overflow, count <= (size - offset) / MemoryLayout<T>.stride else {
            throw fail("data shorter than shape \(dims)")
        }
        guard offset % MemoryLayout<T>.alignment == 0 else { throw fail("data not aligned") }
        rows = dims[0]
        columns = dims[1]
        mapping = raw
        mappedLength = size
        dataOffset = offset
        base = UnsafeRawPointer(raw + offset).assumingMemoryBound(to: T.self)
    }

    deinit { if let mapping { munmap(mapping, mappedLength) } }

    /// Row `i`, valid only while this matrix is alive (it points into the mapping).
    public func row(_ i: Int) -> UnsafeBufferPointer<T> {
        precondition(i >= 0 && i < rows, "row \(i) of \(rows)")
        return UnsafeBufferPointer(start: base + i * columns, count: columns)
    }

    /// Every element, row-major; valid only while this matrix is alive.
    public var elements: UnsafeBufferPointer<T> { UnsafeBufferPointer(start: base, count: rows * columns) }
}
