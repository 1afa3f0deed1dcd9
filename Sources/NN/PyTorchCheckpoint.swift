import Foundation
import Tensor
import ZIPFoundation
import ZIPGuard

/// A checkpoint file that cannot be read as a PyTorch state dict, with the path and why.
public struct CheckpointError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }
    public var description: String { "checkpoint \(path): \(reason)" }
}

/// Reads state dicts written by `torch.save`, in the zip format (PyTorch ≥ 1.6: `<name>/data.pkl`
/// plus one raw file per storage under `<name>/data/`) and in the legacy format (a stream of
/// pickles followed by the raw storages), without Python. Tensors of any element type and
/// layout (views with offsets and strides) come back as contiguous Float32 tensors.
public enum PyTorchCheckpoint {
    /// The state dict in `url`: every tensor-valued entry, by key.
    public static func readStateDict(contentsOf url: URL) throws -> [String: Tensor] {
        let handle: FileHandle
        do { handle = try FileHandle(forReadingFrom: url) } catch {
            throw CheckpointError(path: url.path, reason: "cannot open: \(error.localizedDescription)")
        }
        let head = (try? handle.read(upToCount: 4)) ?? Data()
        try? handle.close()
        do {
            if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
                return try readZip(url, vocabulary: .stateDict) { root, bytesOf in try materialize(root, path: url.path, bytesOf: bytesOf) }
            }
            if head.first == 0x80 { return try readLegacy(url) }
        } catch let error as PickleError {
            throw CheckpointError(path: url.path, reason: error.description)
        }
        throw CheckpointError(path: url.path, reason: "neither a PyTorch zip checkpoint nor a legacy pickle checkpoint")
    }

    /// A storage named by a persistent id; its bytes arrive later (legacy) or on demand (zip).
    final class StorageRef {
        let key: String, type: String, count: Int
        var values: [Float]?
        init(key: String, type: String, count: Int) { self.key = key; self.type = type; self.count = count }
    }

    /// What `_rebuild_tensor_v2` describes: a strided view of a storage.
    final class TensorRef {
        let storage: StorageRef, offset: Int, size: [Int], stride: [Int]
        init(storage: StorageRef, offset: Int, size: [Int], stride: [Int]) {
            self.storage = storage; self.offset = offset; self.size = size; self.stride = stride
        }
    }

    static let elementSizes: [String: Int] = [
        "FloatStorage": 4, "DoubleStorage": 8, "HalfStorage": 2, "BFloat16Storage": 2, "LongStorage": 8,
        "IntStorage": 4, "ShortStorage": 2, "CharStorage": 1, "ByteStorage": 1, "BoolStorage": 1,
    ]

    /// The only globals a state dict names (what torch.save writes for tensors, parameters and
    /// the OrderedDict around them); a pickle naming any other is refused before anything runs.
    static let allowedGlobals: Set<String> = Set([
        "collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_tensor",
        "torch._utils._rebuild_parameter", "torch._utils._rebuild_parameter_with_state",
    ] + elementSizes.keys.map { "torch." + $0 })

    /// What a pickle may name beyond tensors and storages, and what calling those names builds.
    struct Vocabulary {
        /// Whether the global `module.name` may appear.
        var allows: (_ module: String, _ name: String) -> Bool
        /// What the refusal says the pickle is not part of ("a PyTorch state dict").
        var kind: String
        /// Builds what calling an allowed global (other than the tensor rebuilders) returns; nil: not callable.
        var construct: (_ module: String, _ name: String, _ args: [PickleValue]) throws -> PickleValue?

        static let stateDict = Vocabulary(allows: { PyTorchCheckpoint.allowedGlobals.contains($0 + "." + $1) }, kind: "a PyTorch state dict",
                                          construct: { _, _, _ in nil })
    }

    /// Runs the state-dict pickle, collecting storages and tensor views.
    static func parse(_ bytes: [UInt8], start: Int = 0, path: String, vocabulary: Vocabulary = .stateDict,
                      storages: inout [String: StorageRef]) throws -> (PickleValue, end: Int) {
        var found: [String: StorageRef] = storages
        var machine = PickleMachine(bytes: bytes, start: start, resolveGlobal: { module, name in
            guard vocabulary.allows(module, name) else {
                throw CheckpointError(path: path, reason: "refusing global \(module).\(name): not part of \(vocabulary.kind)")
            }
        }, persistentLoad: { pid in
            // ('storage', storage type, key, location, element count[, view metadata])
            guard let t = pid.tupleValue, t.count >= 5, t[0].stringValue == "storage",
                  case .global(_, let type) = t[1], let key = t[2].stringValue ?? t[2].intValue.map(String.init),
                  let count = t[4].intValue else {
                throw CheckpointError(path: path, reason: "unrecognised persistent id")
            }
            guard count >= 0, count <= Int.max / 8 else {
                throw CheckpointError(path: path, reason: "storage \(key) has an impossible element count \(count)")
            }
            guard elementSizes[type] != nil else { throw CheckpointError(path: path, reason: "unsupported storage type \(type)") }
            if t.count >= 6, case .tuple = t[5] {
                throw CheckpointError(path: path, reason: "legacy storage views are not supported")
            }
            let ref = found[key] ?? StorageRef(key: key, type: type, count: count)
            found[key] = ref
            return .persistent(ref)
        }, reduce: { module, name, args in
            switch (module, name) {
            case ("torch._utils", "_rebuild_tensor_v2"), ("torch._utils", "_rebuild_tensor"):
                guard args.count >= 4, case .persistent(let s as StorageRef) = args[0], let offset = args[1].intValue,
                      let size = args[2].tupleValue?.compactMap(\.intValue), let stride = args[3].tupleValue?.compactMap(\.intValue),
                      size.count == stride.count else {
                    throw CheckpointError(path: path, reason: "malformed \(name) arguments")
                }
                return .built(TensorRef(storage: s, offset: offset, size: size, stride: stride))
            case ("torch._utils", "_rebuild_parameter"), ("torch._utils", "_rebuild_parameter_with_state"):
                return args.first
            default:
                return try vocabulary.construct(module, name, args)
            }
        })
        let value = try machine.load()
        storages = found
        return (value, machine.position)
    }

    /// The tensor entries of a parsed state dict, with storage bytes from `bytesOf`.
    static func materialize(_ root: PickleValue, path: String, bytesOf: (StorageRef) throws -> Data) throws -> [String: Tensor] {
        guard case .dict(let dict) = root else { throw CheckpointError(path: path, reason: "top-level object is not a dictionary") }
        var out: [String: Tensor] = [:]
        for (k, v) in dict.entries {
            guard let key = k.stringValue, case .built(let ref as TensorRef) = v else { continue }
            out[key] = try tensor(ref, key: key, path: path, bytesOf: bytesOf)
        }
        return out
    }

    /// The view `ref` as a contiguous tensor; `key` names it in errors.
    static func tensor(_ ref: TensorRef, key: String, path: String, bytesOf: (StorageRef) throws -> Data) throws -> Tensor {
        let s = ref.storage
        let n = try elementCount(of: ref, key: key, path: path)
        if s.values == nil { s.values = try decode(try bytesOf(s), storage: s, path: path) }
        let values = s.values!
        let t = Tensor(zeros: ref.size)
        let p = t.pointer
        // A contiguous view (what torch writes for parameters) is one copy.
        var contiguous = 1, isContiguous = true
        for (extent, stride) in zip(ref.size, ref.stride).reversed() where extent > 1 {
            if stride != contiguous { isContiguous = false }
            contiguous *= extent
        }
        if n == 0 { return t }
        if isContiguous {
            values.withUnsafeBufferPointer { p.update(from: $0.baseAddress! + ref.offset, count: n) }
            return t
        }
        var index = [Int](repeating: 0, count: ref.size.count)
        for i in 0..<n {
            var at = ref.offset
            for (d, x) in index.enumerated() { at += x * ref.stride[d] }
            p[i] = values[at]
            var d = index.count - 1
            while d >= 0 { index[d] += 1; if index[d] < ref.size[d] { break }; index[d] = 0; d -= 1 }
        }
        return t
    }

    /// The element count of a view, refused unless every element it addresses lies inside its
    /// storage (sizes, strides and offset non-negative, nothing overflowing) and it has no more
    /// elements than the storage: state dicts hold no broadcast views, so a larger count is a lie.
    static func elementCount(of ref: TensorRef, key: String, path: String) throws -> Int {
        func fail(_ why: String) -> CheckpointError { CheckpointError(path: path, reason: "tensor '\(key)' \(why)") }
        guard ref.size.allSatisfy({ $0 >= 0 }), ref.stride.allSatisfy({ $0 >= 0 }), ref.offset >= 0 else {
            throw fail("has a negative size, stride or offset")
        }
        // An empty view is fine, but Tensor(zeros:) still multiplies its other extents.
        if ref.size.contains(0) {
            var product = 1
            for extent in ref.size where extent > 0 {
                let (next, overflow) = product.multipliedReportingOverflow(by: extent)
                guard !overflow else { throw fail("has an impossible shape \(ref.size)") }
                product = next
            }
            return 0
        }
        var n = 1, last = ref.offset
        for (extent, stride) in zip(ref.size, ref.stride) {
            let (count, overflow) = n.multipliedReportingOverflow(by: extent)
            guard !overflow, count <= ref.storage.count else { throw fail("has more elements than its storage of \(ref.storage.count)") }
            n = count
            let (reach, o1) = (extent - 1).multipliedReportingOverflow(by: stride)
            let (end, o2) = last.addingReportingOverflow(reach)
            guard !o1, !o2 else { throw fail("reaches past its storage of \(ref.storage.count) elements") }
            last = end
        }
        guard last < ref.storage.count else { throw fail("reaches past its storage of \(ref.storage.count) elements") }
        return n
    }

    static func decode(_ data: Data, storage s: StorageRef, path: String) throws -> [Float] {
        let width = elementSizes[s.type]!
        guard data.count / width >= s.count else {
            throw CheckpointError(path: path, reason: "storage \(s.key) has \(data.count) bytes, expected \(s.count * width)")
        }
        var out = [Float](repeating: 0, count: s.count)
        guard s.count > 0 else { return out }
        data.withUnsafeBytes { raw in
            let b = raw.baseAddress!
            // One switch per storage, not per element (87 MB archives go through here).
            func each(_ value: (Int) -> Float) { for i in 0..<s.count { out[i] = value(i) } }
            switch s.type {
            case "FloatStorage":
                #if _endian(little)
                out.withUnsafeMutableBytes { $0.copyMemory(from: UnsafeRawBufferPointer(start: b, count: 4 * s.count)) }
                #else
                each { Float(bitPattern: b.loadUnaligned(fromByteOffset: 4 * $0, as: UInt32.self).littleEndian) }
                #endif
            case "DoubleStorage": each { Float(Double(bitPattern: b.loadUnaligned(fromByteOffset: 8 * $0, as: UInt64.self).littleEndian)) }
            case "HalfStorage": each { Float(Float16(bitPattern: b.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian)) }
            case "BFloat16Storage": each { Float(bitPattern: UInt32(b.loadUnaligned(fromByteOffset: 2 * $0, as: UInt16.self).littleEndian) << 16) }
            case "LongStorage": each { Float(Int64(littleEndian: b.loadUnaligned(fromByteOffset: 8 * $0, as: Int64.self))) }
            case "IntStorage": each { Float(Int32(littleEndian: b.loadUnaligned(fromByteOffset: 4 * $0, as: Int32.self))) }
            case "ShortStorage": each { Float(Int16(littleEndian: b.loadUnaligned(fromByteOffset: 2 * $0, as: Int16.self))) }
            case "CharStorage": each { Float(b.load(fromByteOffset: $0, as: Int8.self)) }
            default: each { Float(b.load(fromByteOffset: $0, as: UInt8.self)) }
            }
        }
        return out
    }

    /// Runs the zip archive's `data.pkl` under `vocabulary` and hands its root, with a reader of
    /// storage bytes, to `extract` (TorchScript archives share this layout).
    static func readZip<T>(_ url: URL, vocabulary: Vocabulary,
                           extract: (PickleValue, (StorageRef) throws -> Data) throws -> T) throws -> T {
        if let problem = ZIPPreflight.problem(in: url) {
            throw CheckpointError(path: url.path, reason: "not a readable zip archive (\(problem))")
        }
        let archive: Archive
        do { archive = try Archive(url: url, accessMode: .read) } catch {
            throw CheckpointError(path: url.path, reason: "not a readable zip archive (\(error))")
        }
        guard let pkl = archive.first(where: { $0.path == "data.pkl" || $0.path.hasSuffix("/data.pkl") }) else {
            throw CheckpointError(path: url.path, reason: "zip archive without data.pkl (not a torch.save file)")
        }
        let prefix = String(pkl.path.dropLast("data.pkl".count))
        func contents(_ entry: Entry) throws -> Data {
            // The size is the archive's claim: a hint, capped so a lie cannot allocate.
            var data = Data(capacity: Int(min(entry.uncompressedSize, 1 << 26)))
            do { _ = try archive.extract(entry, skipCRC32: true) { data.append($0) } } catch {
                throw CheckpointError(path: url.path, reason: "cannot read entry \(entry.path): \(error)")
            }
            return data
        }
        if let order = archive[prefix + "byteorder"], String(decoding: try contents(order), as: UTF8.self) != "little" {
            throw CheckpointError(path: url.path, reason: "big-endian checkpoints are not supported")
        }
        var storages: [String: StorageRef] = [:]
        let (root, _) = try parse(Array(try contents(pkl)), path: url.path, vocabulary: vocabulary, storages: &storages)
        return try extract(root) { s in
            guard let entry = archive[prefix + "data/" + s.key] else {
                throw CheckpointError(path: url.path, reason: "storage \(s.key) missing from the archive")
            }
            return try contents(entry)
        }
    }

    static func readLegacy(_ url: URL) throws -> [String: Tensor] {
        let bytes: [UInt8]
        do { bytes = Array(try Data(contentsOf: url, options: .mappedIfSafe)) } catch {
            throw CheckpointError(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        var storages: [String: StorageRef] = [:]
        var position = 0
        // Magic number, protocol version and system info come first, each its own pickle.
        for _ in 0..<3 { position = try parse(bytes, start: position, path: url.path, storages: &storages).end }
        let (root, afterRoot) = try parse(bytes, start: position, path: url.path, storages: &storages)
        let (keysValue, afterKeys) = try parse(bytes, start: afterRoot, path: url.path, storages: &storages)
        guard let keys = keysValue.tupleValue?.compactMap(\.stringValue) else {
            throw CheckpointError(path: url.path, reason: "legacy checkpoint without its storage key list")
        }
        var offsets: [String: Int] = [:]
        position = afterKeys
        for key in keys {
            guard let s = storages[key], position + 8 <= bytes.count else {
                throw CheckpointError(path: url.path, reason: "storage \(key) truncated or unknown")
            }
            let count = (0..<8).reduce(UInt64(0)) { $0 | UInt64(bytes[position + $1]) << (8 * UInt64($1)) }
            offsets[key] = position + 8
            position += 8
            guard count <= UInt64((bytes.count - position) / elementSizes[s.type]!) else {
                throw CheckpointError(path: url.path, reason: "storage \(key) claims \(count) elements, more than the file holds")
            }
            position += Int(count) * elementSizes[s.type]!
        }
        return try materialize(root, path: url.path) { s in
            let size = s.count * elementSizes[s.type]!  // s.count <= Int.max / 8: cannot overflow
            guard let start = offsets[s.key], size <= bytes.count - start else {
                throw CheckpointError(path: url.path, reason: "storage \(s.key) missing or truncated")
            }
            return Data(bytes[start..<(start + size)])
        }
    }
}
