import Foundation

/// A NumPy array read from a pickle: its shape and values (row-major), whatever the stored dtype.
public struct NumpyArray: Equatable, Sendable {
    public let shape: [Int]
    /// The NumPy type code it was stored with (`b1`, `u1`, `i8`, `f4`…).
    public let dtype: String
    public let values: [Double]
}

/// A pickle that is not plain data and NumPy arrays, with the file and the reason.
public struct NumpyPickleError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "\(path): \(reason)" }
}

/// Plain pickled data holding NumPy arrays (the authors' mask pickles: a list of (class id, array)
/// pairs), read with NN's pickle machine. Only the four globals a NumPy 1.x or 2.x array pickle
/// names are allowed; any other is refused by name before anything is built, and nothing runs.
public enum NumpyPickle {
    /// What `load` returns: Python's plain values, tuples as lists.
    public indirect enum Value: Equatable, Sendable {
        case none
        case bool(Bool)
        case int(Int)
        case float(Double)
        case string(String)
        case list([Value])
        case array(NumpyArray)
    }

    /// Bytes per element of the type codes read.
    static let itemSizes: [String: Int] = [
        "b1": 1, "u1": 1, "i1": 1, "u2": 2, "i2": 2, "u4": 4, "i4": 4, "u8": 8, "i8": 8, "f4": 4, "f8": 8,
    ]

    /// The value a pickle file holds.
    public static func load(contentsOf url: URL) throws -> Value {
        let data: Data
        do { data = try Data(contentsOf: url) } catch { throw NumpyPickleError(path: url.path, reason: error.localizedDescription) }
        return try load([UInt8](data), path: url.path)
    }

    /// The value pickled in `bytes` (`path` names it in errors).
    public static func load(_ bytes: [UInt8], path: String) throws -> Value {
        func fail(_ reason: String) -> NumpyPickleError { NumpyPickleError(path: path, reason: reason) }
        var machine = PickleMachine(bytes: bytes, resolveGlobal: { module, name in
            guard allowedGlobals.contains(module + "." + name) else {
                throw fail("refusing global \(module).\(name): a mask pickle holds only lists, numbers and NumPy arrays")
            }
        }, persistentLoad: { _ in throw fail("persistent ids are not plain data") }, reduce: { module, name, args in
            switch name {
            case "_reconstruct":
                guard args.count == 3, case .global(_, "ndarray") = args[0] else { throw fail("malformed _reconstruct arguments") }
                return .built(ArrayBox())
            case "dtype":
                guard let code = args.first?.stringValue else { throw fail("malformed dtype arguments") }
                return .built(DtypeBox(code: code))
            default:
                _ = module
                return nil
            }
        })
        machine.build = { object, state in
            switch object {
            case .built(let box as DtypeBox):
                // (version, byte order, subarray, names, fields, elsize, alignment, flags)
                guard let fields = state.tupleValue, fields.count >= 2, let order = fields[1].stringValue else {
                    throw fail("malformed dtype state")
                }
                box.order = order
                return object
            case .built(let box as ArrayBox):
                // ([version,] shape, dtype, is_fortran, raw data)
                guard var fields = state.tupleValue, fields.count == 4 || fields.count == 5 else { throw fail("malformed ndarray state") }
                if fields.count == 5 { fields.removeFirst() }
                guard let shape = fields[0].tupleValue?.compactMap(\.intValue), shape.count == fields[0].tupleValue?.count,
                      case .built(let dtype as DtypeBox) = fields[1], case .bool(let fortran) = fields[2],
                      case .bytes(let raw) = fields[3] else {
                    throw fail("malformed ndarray state (object arrays and non-bytes data are not read)")
                }
                box.array = try decode(shape: shape, dtype: dtype, fortran: fortran, raw: raw, fail: fail)
                return object
            default:
                throw fail("BUILD of something that is not a NumPy array or dtype")
            }
        }
        return try plain(try machine.load(), fail: fail)
    }

    final class DtypeBox {
        var code: String
        var order = "|"
        init(code: String) { self.code = code }
    }

    final class ArrayBox { var array: NumpyArray? }

    private static func plain(_ value: PickleValue, fail: (String) -> NumpyPickleError) throws -> Value {
        switch value {
        case .none: return .none
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .float(let f): return .float(f)
        case .string(let s): return .string(s)
        case .tuple(let items, _): return .list(try items.map { try plain($0, fail: fail) })
        case .list(let l): return .list(try l.items.map { try plain($0, fail: fail) })
        case .built(let box as ArrayBox):
            guard let array = box.array else { throw fail("a NumPy array without its data") }
            return .array(array)
        default: throw fail("a value that is not plain data or a NumPy array")
        }
    }

    private static func decode(shape: [Int], dtype: DtypeBox, fortran: Bool, raw: [UInt8],
                               fail: (String) -> NumpyPickleError) throws -> NumpyArray {
        let code = dtype.code.count == 3 && "<>|=".contains(dtype.code.first!) ? String(dtype.code.dropFirst()) : dtype.code
        guard let size = itemSizes[code] else { throw fail("unsupported dtype \(dtype.code)") }
        guard dtype.order != ">" else { throw fail("big-endian \(dtype.code) data is not read") }
        var count = 1
        for n in shape {
            guard n >= 0 else { throw fail("negative dimension in shape \(shape)") }
            let (product, overflow) = count.multipliedReportingOverflow(by: n)
            guard !overflow, product <= 1 << 31 else { throw fail("shape \(shape) is too large") }
            count = product
        }
        guard raw.count == count * size else {
            throw fail("shape \(shape) of \(code) needs \(count * size) bytes, the array holds \(raw.count)")
        }
        var stored = [Double](repeating: 0, count: count)
        raw.withUnsafeBytes { p in
            for i in 0..<count {
                let o = i * size
                switch code {
                case "b1", "u1": stored[i] = Double(p[o])
                case "i1": stored[i] = Double(Int8(bitPattern: p[o]))
                case "u2": stored[i] = Double(UInt16(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt16.self)))
                case "i2": stored[i] = Double(Int16(littleEndian: p.loadUnaligned(fromByteOffset: o, as: Int16.self)))
                case "u4": stored[i] = Double(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self)))
                case "i4": stored[i] = Double(Int32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: Int32.self)))
                case "u8": stored[i] = Double(UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
                case "i8": stored[i] = Double(Int64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: Int64.self)))
                case "f4": stored[i] = Double(Float(bitPattern: UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self))))
                default: stored[i] = Double(bitPattern: UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self)))
                }
            }
        }
        guard fortran, shape.count > 1 else { return NumpyArray(shape: shape, dtype: code, values: stored) }
        // Column-major data: element (i0, …, in) sits at Σ i_k · Π_{j<k} shape_j.
        var values = [Double](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: shape.count)
        for c in 0..<count {
            var offset = 0, step = 1
            for k in shape.indices { offset += index[k] * step; step *= shape[k] }
            values[c] = stored[offset]
            var k = shape.count - 1
            while k >= 0 { index[k] += 1; if index[k] < shape[k] { break }; index[k] = 0; k -= 1 }
        }
        return NumpyArray(shape: shape, dtype: code, values: values)
    }
}
