import Foundation
import Tensor

extension PyTorchCheckpoint {
    /// Writes `tensors` as `torch.save(OrderedDict(...))` would in its zip format: `archive/data.pkl`
    /// (pickle protocol 2 of an OrderedDict of `torch._utils._rebuild_tensor_v2` calls on
    /// persistent-id storages), one little-endian float32 storage per tensor under `archive/data/N`,
    /// `archive/byteorder` and `archive/version`. Entries are stored uncompressed and 64-byte aligned.
    /// `torch.load` reads the result and `load_state_dict(strict=True)` takes it as a state dict.
    public static func write(_ tensors: [(key: String, tensor: Tensor)], to url: URL) throws {
        try encode(tensors).write(to: url, options: .atomic)
    }

    /// The bytes `write` puts in the file.
    public static func encode(_ tensors: [(key: String, tensor: Tensor)]) throws -> Data {
        var duplicates = Set<String>()
        for (key, _) in tensors where !duplicates.insert(key).inserted {
            throw CheckpointError(path: key, reason: "key written twice")
        }
        var pickle = PickleWriter()
        pickle.global("collections", "OrderedDict")
        pickle.emptyTuple()
        pickle.reduce()
        pickle.mark()
        for (index, (key, tensor)) in tensors.enumerated() {
            pickle.string(key)
            pickle.global("torch._utils", "_rebuild_tensor_v2")
            pickle.mark()
            // Persistent id: ('storage', torch.FloatStorage, key, location, element count).
            pickle.mark()
            pickle.string("storage")
            pickle.global("torch", "FloatStorage")
            pickle.string(String(index))
            pickle.string("cpu")
            pickle.int(tensor.count)
            pickle.tupleFromMark()
            pickle.persistentID()
            pickle.int(0)  // storage offset
            pickle.intTuple(tensor.shape)
            pickle.intTuple(contiguousStrides(tensor.shape))
            pickle.bool(false)  // requires_grad
            pickle.global("collections", "OrderedDict")  // backward hooks: OrderedDict()
            pickle.emptyTuple()
            pickle.reduce()
            pickle.tupleFromMark()
            pickle.reduce()
        }
        pickle.setItemsFromMark()
        pickle.stop()

        var zip = StoredZipWriter()
        try zip.add("archive/data.pkl", pickle.bytes)
        try zip.add("archive/byteorder", Array("little".utf8))
        for (index, (_, tensor)) in tensors.enumerated() {
            try zip.add("archive/data/\(index)", littleEndianFloats(tensor.scalars))
        }
        try zip.add("archive/version", Array("3\n".utf8))
        return zip.finish()
    }

    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var step = 1
        for d in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[d] = step
            step *= max(shape[d], 1)
        }
        return strides
    }

    static func littleEndianFloats(_ values: [Float]) -> [UInt8] {
        var out = [UInt8]()
        out.reserveCapacity(values.count * 4)
        for v in values {
            let bits = v.bitPattern.littleEndian
            withUnsafeBytes(of: bits) { out += $0 }
        }
        return out
    }
}
