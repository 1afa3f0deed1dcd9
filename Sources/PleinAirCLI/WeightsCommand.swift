import ArgumentParser
import Foundation
import Downloads
import Imaging
import Stages
import Vision

/// `pleinair weights`: model weights PleinAir can use but does not ship.
struct WeightsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "weights", abstract: "Download and locate pretrained weights.",
        subcommands: [WeightsFetchCommand.self, WeightsPathCommand.self])
}

extension PretrainedWeights: ExpressibleByArgument {}

/// `pleinair weights fetch inception`: downloads pytorch-fid's Inception weights, checksum verified.
struct WeightsFetchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Download weights to ~/.cache/pleinair/weights (or $PLEINAIR_WEIGHTS), verifying their SHA-256.")

    @Argument(help: "Which weights: \(PretrainedWeights.allCases.map(\.rawValue).joined(separator: ", ")).")
    var name: PretrainedWeights

    @Option(name: .long, help: ArgumentHelp("Download from this URL instead of the official one (a mirror).", visibility: .hidden))
    var url: String?

    @Option(name: .long, help: ArgumentHelp("Expected SHA-256 (or prefix) instead of the official file's.", visibility: .hidden))
    var expectSha256: String?

    func run() throws {
        let source = url.flatMap(URL.init(string:)) ?? name.url
        let job = VerifiedDownload(url: source, destination: name.file(), sha256Prefix: expectSha256 ?? name.sha256Prefix)
        do {
            let result = try job.run()
            if result.alreadyPresent {
                print("\(name.rawValue): already present and verified at \(result.path.path)")
            } else {
                print("\(name.rawValue): downloaded \(result.downloadedBytes) bytes to \(result.path.path) (SHA-256 \(result.sha256))")
            }
        } catch let error as DatasetError {
            throw CLIUsageError(message: error.description)
        }
    }
}

/// `pleinair weights path inception`: where the weights are expected.
struct WeightsPathCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "path", abstract: "Print where the weights file is expected.")

    @Argument(help: "Which weights: \(PretrainedWeights.allCases.map(\.rawValue).joined(separator: ", ")).")
    var name: PretrainedWeights

    func run() throws { print(name.file().path) }
}
