import Foundation
import Tensor

/// The tensors and integer attributes of a TorchScript archive (`torch.jit.save`: a zip holding
/// `<name>/data.pkl`, `<name>/code/` and one raw file per storage under `<name>/data/`), read
/// without Python and without running the archive's code: its pickle goes through the same
/// restricted machine as state dicts, with the globals of `TorchScriptGlobals` only.
public struct TorchScriptArchive {
    /// Every tensor attribute of every module, by dotted path from the root module (`net.layers.conv.weight`).
    public var tensors: [String: Tensor]
    /// Integer and integer-list attributes (`net.layers.conv.stride` → [2], `….padding` → [0, 3]).
    public var integers: [String: [Int]]
    /// The class of every module by dotted path, "" for the root (`__torch__.wrap_net.WrapNet`).
    public var classes: [String: String]

    /// Reads the archive at `url`; errors (`CheckpointError`) name the file and what is wrong.
    public static func read(contentsOf url: URL) throws -> TorchScriptArchive {
        let path = url.path
        func fail(_ reason: String) -> CheckpointError { CheckpointError(path: path, reason: reason) }
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            head = try handle.read(upToCount: 4) ?? Data()
        } catch {
            throw fail("cannot open: \(error.localizedDescription)")
        }
        guard head.starts(with: [0x50, 0x4B, 0x03, 0x04]) else { throw fail("not a TorchScript archive (not a zip file)") }
        do {
            return try PyTorchCheckpoint.readZip(url, vocabulary: TorchScriptGlobals.vocabulary) { root, bytesOf in
                guard case .built(let module as TorchScriptObject) = root else {
                    throw fail("the top-level object is not a TorchScript module")
                }
                var archive = TorchScriptArchive(tensors: [:], integers: [:], classes: [:])
                var seen = Set<ObjectIdentifier>()
                func walk(_ module: TorchScriptObject, _ prefix: String) throws {
                    guard seen.insert(ObjectIdentifier(module)).inserted else {
                        throw fail("module '\(prefix)' is the same object as an earlier one (a module tree holds each once)")
                    }
                    archive.classes[prefix] = module.className
                    for (name, value) in module.attributes {
                        let key = prefix.isEmpty ? name : prefix + "." + name
                        switch value {
                        case .built(let ref as PyTorchCheckpoint.TensorRef):
                            archive.tensors[key] = try PyTorchCheckpoint.tensor(ref, key: key, path: path, bytesOf: bytesOf)
                        case .built(let child as TorchScriptObject):
                            try walk(child, key)
                        case .int(let i):
                            archive.integers[key] = [i]
                        case .list(let list):
                            let ints = list.items.compactMap(\.intValue)
                            if ints.count == list.items.count { archive.integers[key] = ints }
                        default:
                            break  // flags (`training`), None, floats: not weights
                        }
                    }
                }
                try walk(module, "")
                return archive
            }
        } catch let error as PickleError {
            throw fail(error.description)
        } catch let error as TorchScriptObject.StateError {
            throw fail(error.description)
        }
    }
}
