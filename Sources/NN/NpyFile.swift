import Basics
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
            throw BankFileError.io(path: url.path, "rename: " + errnoMessage())
        }
    }

    /// A small float array read whole: its shape and its values, row-major, as `Double`.
    public struct Floats: Equatable, Sendable {
        public var shape: [Int]
        public var values: [Double]
        public init(shape: [Int], values: [Double]) {
            self.shape = shape
            self.values = values
        }
    }

    /// Reads a 1-D or 2-D array of float32 or float64 (`<f4`, `<f8`; C order, or Fortran order when
    /// at most one extent exceeds 1) holding at most `maxElements` values, e.g. a mean patch that
    /// NumPy saved. Nothing beyond the header is read before the shape is checked against the file
    /// and against `maxElements`.
    public static func readFloats(contentsOf url: URL, maxElements: Int) throws -> Floats {
        let path = url.path
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw BankFileError.io(path: path, "cannot be opened")
        }
        defer { try? handle.close() }
        let size: Int, head: Data
        do {
            size = Int(try handle.seekToEnd())
            try handle.seek(toOffset: 0)
            head = try handle.read(upToCount: 12 + NpyHeader.maxHeaderBytes) ?? Data()
        } catch {
            throw BankFileError.io(path: path, error.localizedDescription)
        }
        let header = try head.withUnsafeBytes { try NpyHeader.parse($0, fileSize: size, path: path) }
        guard header.descriptor == "<f4" || header.descriptor == "<f8" else {
            throw BankFileError.malformed(path: path, "expected float32 or float64 values (<f4, <f8), the file holds \(header.descriptor)")
        }
        guard (1...2).contains(header.shape.count) else {
            throw BankFileError.malformed(path: path, "expected a 1-D or 2-D array, got shape \(header.shape)")
        }
        guard !header.fortranOrder || header.shape.filter({ $0 > 1 }).count <= 1 else {
            throw BankFileError.malformed(path: path, "Fortran order is not supported for shape \(header.shape)")
        }
        let count = header.count
        guard count <= maxElements else {
            throw BankFileError.malformed(path: path, "shape \(header.shape) holds \(count) values, more than the \(maxElements) expected")
        }
        let data: Data
        do {
            try handle.seek(toOffset: UInt64(header.dataOffset))
            data = try handle.read(upToCount: count * header.elementSize) ?? Data()
        } catch {
            throw BankFileError.io(path: path, error.localizedDescription)
        }
        guard data.count == count * header.elementSize else {
            throw BankFileError.malformed(path: path, "data ended after \(data.count) of \(count * header.elementSize) bytes")
        }
        let values: [Double] = data.withUnsafeBytes { raw in
            header.elementSize == 4
                ? (0..<count).map { Double(Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self)))) }
                : (0..<count).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self))) }
        }
        return Floats(shape: header.shape, values: values)
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
        guard fd >= 0 else { throw BankFileError.io(path: path, errnoMessage()) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw BankFileError.io(path: path, errnoMessage()) }
        let size = Int(info.st_size)
        guard size >= 10 else { throw BankFileError.malformed(path: path, "file of \(size) bytes") }
        guard let raw = mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0), raw != MAP_FAILED else {
            throw BankFileError.io(path: path, "mmap: " + errnoMessage())
        }
        func fail(_ message: String) -> BankFileError { munmap(raw, size); return .malformed(path: path, message) }
        let header: NpyHeader
        do {
            header = try NpyHeader.parse(UnsafeRawBufferPointer(start: raw, count: size), fileSize: size, path: path)
        } catch BankFileError.malformed(_, let message) {
            throw fail(message)
        }
        guard header.descriptor == T.descriptor else { throw fail("expected element type \(T.descriptor), the file holds \(header.descriptor)") }
        guard !header.fortranOrder else { throw fail("Fortran order is not supported") }
        guard header.shape.count == 2 else { throw fail("expected a 2-D shape, got \(header.shape)") }
        let dims = header.shape, offset = header.dataOffset
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
