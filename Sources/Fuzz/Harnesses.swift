import Basics
import Foundation
import Downloads
import Imaging
import NN
import Pipeline
import Stages
import Study
import UI
import Pretrained
import Retrieval

/// The per-parser harnesses: each feeds the bytes to the public entry point a user's file reaches.
/// Errors propagate so replay mode can show them; the fuzzing entry point ignores them.
enum Harnesses {
    static let kinds = (BuiltinStages.all + [CycleGANDatasetStage()]).map(\.descriptor)

    /// A request head as `pleinair ui` reads it off a socket, then its path resolved inside a scratch
    /// folder: nothing may resolve outside it.
    static func http(_ data: Data) throws {
        guard let request = HTTPRequest.parse(data) else { return }
        let root = SafePath(root: Scratch.folder)
        if let path = root.resolve(request.segments), path != root.root, !path.hasPrefix(root.root + "/") {
            fatalError("resolved outside the root: \(path)")
        }
    }

    /// Experiment YAML → structural load → expansion against the built-in stage kinds.
    static func spec(_ data: Data) throws {
        guard let text = String(data: data, encoding: .utf8) else { return }
        let (spec, diagnostics) = try SpecLoader.parseCollecting(text, file: "fuzz.yaml")
        _ = try SpecExpander.expand(spec, kinds: kinds, prior: diagnostics)
    }

    /// PyTorch checkpoints, zip and legacy pickle formats. Through a file: ZIPFoundation's
    /// in-memory archives trap on offsets past the end, its file-backed ones do not. The same bytes
    /// then go to the authors' mask pickles (NumPy arrays in a list), which `train` reads from `masks_A`.
    static func pickle(_ data: Data) throws {
        let url = Scratch.file("input.pth")
        try data.write(to: url)
        let checkpoint = Result { try PyTorchCheckpoint.readStateDict(contentsOf: url) }
        _ = try? AuthorsMaskPickle.decode([UInt8](data), path: "input.pkl", width: 6, height: 4)
        _ = try checkpoint.get()
    }

    /// TorchScript archives (`weights import inception`): the module-tree reader, then the mapping
    /// onto pytorch-fid's network. Through a file, as `pickle`.
    static func torchScript(_ data: Data) throws {
        let url = Scratch.file("input.pt")
        try data.write(to: url)
        _ = try TFInceptionWeights.stateDict(from: try TorchScriptArchive.read(contentsOf: url), path: url.path)
    }

    static func safetensors(_ data: Data) throws {
        _ = try SafeTensors.decode(data, path: "fuzz.safetensors")
    }

    /// Bank matrices are memory-mapped from files, so the bytes go through one.
    static func npy(_ data: Data) throws {
        let url = Scratch.file("input.npy")
        try data.write(to: url)
        if let m = try? MappedMatrix<Int32>(contentsOf: url), m.rows > 0 { _ = m.row(m.rows - 1).last }
        let m = try MappedMatrix<Float>(contentsOf: url)
        if m.rows > 0 { _ = m.row(m.rows - 1).last }
    }

    /// A workspace script a `cmd` stage's code closure reads: the same bytes as Python (imports) and
    /// as shell text (sourced files, scripts run, `PYTHONPATH`).
    static func scripts(_ data: Data) throws {
        let bytes = Array(data)
        _ = ScriptReferences.scan(bytes, as: .python)
        _ = ScriptReferences.scan(bytes, as: .shell)
    }

    /// Study answer CSV, as `AnswerFile.read` sees it.
    static func answers(_ data: Data) throws {
        guard let text = String(data: data, encoding: .utf8) else { return }
        _ = try AnswerFile.parse(text, path: "fuzz.csv")
    }

    /// Dataset zip extraction into a fresh folder, removed after each input.
    static func archive(_ data: Data) throws {
        let url = Scratch.file("input.zip"), out = Scratch.file("out")
        try data.write(to: url)
        defer { try? FileManager.default.removeItem(at: out) }
        _ = try ArchiveExtractor.extract(url, to: out)
    }

    static func image(_ data: Data) throws {
        _ = try ImageCodec.decode(data, path: "fuzz.img")
    }

    /// A segmentation mask folder's two files: `classes.txt` (the bytes up to the first NUL), then the
    /// mask PNG (the rest) decoded as a label map and cut into classed patches as `memory_bank` does.
    static func mask(_ data: Data) throws {
        let split = data.firstIndex(of: 0) ?? data.endIndex
        if let text = String(data: data[data.startIndex..<split], encoding: .utf8) {
            _ = try? SegmentationClasses.parse(text, path: "classes.txt")
        }
        guard split < data.endIndex else { return }
        let map = try LabelMap(image: try ImageCodec.decode(Data(data[(split + 1)...]), path: "mask.png"), path: "mask.png")
        for scale in [PatchScale(patch: 4, stride: 3), PatchScale(patch: 2, stride: 2, rescale: 0.5)] {
            _ = PatchClassRule.classes(of: map, scale: scale, width: map.width, height: map.height)
        }
    }
}

extension Harnesses {
    /// The authors' `data_for_patch_retrieval` as `authors_bank` reads it, at one 2×2 scale: the bytes
    /// are split at "PART" into the names in the class folder (one a line), the first class's `.bin`,
    /// its `means/<c>.npy` and its `faiss_indexes/<c>.index`. The first byte's low bit turns the `.bin`
    /// part into valid 8-bit rows (each byte k becomes the float k/255), so the mean file is reached;
    /// its next bits leave out the mean or the index file. The index goes through the structure walk
    /// that runs before FAISS reads a file (FAISS itself is not fuzzed here).
    static func authors(_ data: Data) throws {
        let folder = Scratch.file("authors")
        try? FileManager.default.removeItem(at: folder)
        defer { try? FileManager.default.removeItem(at: folder) }
        let flags = data.first ?? 0
        var parts = split(Data(data.dropFirst()), at: Data("PART".utf8))
        while parts.count < 4 { parts.append(Data()) }
        let scale = PatchScale(patch: 2, stride: 2)
        let size = folder.appendingPathComponent("patch_size_2")
        let bins = size.appendingPathComponent("memory_bank_patches_binary")
        for sub in ["memory_bank_patches_binary", "means", "faiss_indexes"] {
            try FileManager.default.createDirectory(at: size.appendingPathComponent(sub), withIntermediateDirectories: true)
        }
        let names = String(decoding: parts[0], as: UTF8.self).split(separator: "\n").prefix(8)
        for name in names where !name.contains("/") && name != "." && name != ".." {
            FileManager.default.createFile(atPath: bins.appendingPathComponent(String(name)).path, contents: Data())
        }
        let ids: [Int]
        do { ids = try AuthorsBankImport.classIDs(in: folder, scales: [scale]) } catch {
            ids = [0]  // the layout was refused; the files of class 0 are still read below
        }
        let id = ids.last ?? 0
        let bin = flags & 1 == 0 ? parts[1] : Data(parts[1].flatMap { byte in
            withUnsafeBytes(of: (Float(byte) / 255).bitPattern.littleEndian) { Array($0) }
        })
        try bin.write(to: bins.appendingPathComponent("\(id).bin"))
        if flags & 2 == 0 { try parts[2].write(to: size.appendingPathComponent("means/\(id).npy")) }
        if flags & 4 == 0 { try parts[3].write(to: size.appendingPathComponent("faiss_indexes/\(id).index")) }
        let importer = AuthorsBankImport(source: folder, classID: id, scales: [scale], rowsPerShard: 16)
        _ = try? importer.importBank(into: folder.appendingPathComponent("bank"))
        _ = try FaissIndexFile.check(importer.indexFile(scale))
        _ = try FaissIndexFile.check(parts[3], path: "fuzz.index")
    }

    /// `data` cut at every occurrence of `separator`.
    static func split(_ data: Data, at separator: Data) -> [Data] {
        var parts: [Data] = [], rest = data[...]
        while let range = rest.range(of: separator) {
            parts.append(Data(rest[..<range.lowerBound]))
            rest = rest[range.upperBound...]
        }
        parts.append(Data(rest))
        return parts
    }
}

/// A per-process scratch folder for harnesses whose parser only takes files.
enum Scratch {
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pleinair-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func file(_ name: String) -> URL { folder.appendingPathComponent(name) }
}
