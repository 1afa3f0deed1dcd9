import Foundation
import NN

/// Finds the file holding one generator in what a user hands over as a model: PleinAir's model
/// folder (`G_A.safetensors`), a junyanz checkpoints folder (`latest_net_G_A.pth`,
/// `<epoch>_net_G_A.pth`), a CycleGAN zoo download (`latest_net_G.pth`, one direction), the
/// Art2Real release (a junyanz folder, possibly one level down as `checkpoints/<name>/`), or a file.
public enum GeneratorWeightsLocator {
    /// What was found and why it was chosen.
    public struct Located: Equatable, Sendable {
        /// The weights file.
        public let file: URL
        /// How it was chosen, for the stage log.
        public let note: String
        /// True when the model holds one generator only (a zoo file, or a file named directly), so
        /// the same file answers both directions.
        public var singleGenerator = false
    }

    /// The file for `direction` in `model`. `epoch` picks `<epoch>_net_G_X.pth` in a junyanz
    /// folder; nil means `latest`, or the highest numbered epoch when there is no `latest`.
    public static func locate(in model: URL, direction: CycleGAN.Direction, epoch: String? = nil) throws -> Located {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: model.path, isDirectory: &isFolder) else {
            throw CheckpointError(path: model.path, reason: "no such file or folder")
        }
        guard isFolder.boolValue else {
            return Located(file: model, note: "the file itself (one generator, applied whatever the direction)", singleGenerator: true)
        }
        if let found = try locateInFolder(model, direction: direction, epoch: epoch) { return found }
        let entries = ((try? FileManager.default.contentsOfDirectory(atPath: model.path)) ?? []).filter { !$0.hasPrefix(".") }.sorted()
        let folders = entries.filter { name in
            var dir: ObjCBool = false
            return FileManager.default.fileExists(atPath: model.appendingPathComponent(name).path, isDirectory: &dir) && dir.boolValue
        }
        if folders.count == 1, let found = try locateInFolder(model.appendingPathComponent(folders[0]), direction: direction, epoch: epoch) {
            return found
        }
        let net = netName(direction)
        let shown = entries.prefix(10).joined(separator: ", ")
        throw CheckpointError(path: model.path, reason: "no generator weights for \(direction.rawValue): looked for \(net).safetensors, "
                              + "\(epoch ?? "latest")_net_\(net).pth and latest_net_G.pth (here or in a single subfolder); "
                              + "the folder holds \(shown.isEmpty ? "nothing" : shown)")
    }

    /// junyanz's network name for a direction: G_A applies A→B.
    static func netName(_ direction: CycleGAN.Direction) -> String { direction == .aToB ? "G_A" : "G_B" }

    static func locateInFolder(_ folder: URL, direction: CycleGAN.Direction, epoch: String?) throws -> Located? {
        let fm = FileManager.default
        let net = netName(direction)
        func exists(_ name: String) -> URL? {
            let url = folder.appendingPathComponent(name)
            return fm.fileExists(atPath: url.path) ? url : nil
        }
        if epoch == nil, let file = exists("\(net).safetensors") { return Located(file: file, note: "PleinAir model folder, \(net)") }
        if let epoch {
            if let file = exists("\(epoch)_net_\(net).pth") { return Located(file: file, note: "junyanz checkpoints, epoch \(epoch), \(net)") }
            if let file = exists("\(epoch)_net_G.pth") {
                return Located(file: file, note: "single generator of epoch \(epoch)", singleGenerator: true)
            }
            return nil
        }
        if let file = exists("latest_net_\(net).pth") { return Located(file: file, note: "junyanz checkpoints, latest, \(net)") }
        let names = (try? fm.contentsOfDirectory(atPath: folder.path)) ?? []
        let suffix = "_net_\(net).pth"
        let epochs = names.compactMap { name -> Int? in name.hasSuffix(suffix) ? Int(name.dropLast(suffix.count)) : nil }
        if let highest = epochs.max() {
            return Located(file: folder.appendingPathComponent("\(highest)\(suffix)"),
                           note: "junyanz checkpoints, highest epoch \(highest) of \(epochs.count) (no latest), \(net)")
        }
        if let file = exists("latest_net_G.pth") {
            return Located(file: file, note: "CycleGAN zoo generator (one direction, applied whatever the direction)", singleGenerator: true)
        }
        return nil
    }
}
