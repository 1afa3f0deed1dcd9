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

/// A per-process scratch folder for harnesses whose parser only takes files.
enum Scratch {
    static let folder: URL = {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("pleinair-fuzz-\(getpid())")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }()

    static func file(_ name: String) -> URL { folder.appendingPathComponent(name) }
}
