import Basics
import Foundation

/// A dataset in the CycleGAN layout: `trainA/` (domain A, e.g. paintings), `trainB/` (domain B,
/// photos), `testA/`, `testB/`, as in the published `monet2photo` and friends.
public struct CycleGANDataset: Sendable {
    /// The four split names, in the order hashes combine them.
    public static let splits = ["trainA", "trainB", "testA", "testB"]

    /// The dataset folder.
    public let root: URL
    /// Domain A training images.
    public let trainA: ImageFolder
    /// Domain B training images.
    public let trainB: ImageFolder
    /// Domain A test images.
    public let testA: ImageFolder
    /// Domain B test images.
    public let testB: ImageFolder

    /// Opens `root`; every split must exist and hold images.
    public init(root: URL) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDirectory) else {
            throw DatasetError.notFound(path: root.path)
        }
        guard isDirectory.boolValue else { throw DatasetError.notADirectory(path: root.path) }
        var folders: [ImageFolder] = []
        for split in CycleGANDataset.splits {
            let dir = root.appendingPathComponent(split)
            guard FileManager.default.fileExists(atPath: dir.path) else {
                throw DatasetError.missingSplit(root: root.path, split: split)
            }
            folders.append(try ImageFolder(root: dir))
        }
        self.root = root
        (trainA, trainB, testA, testB) = (folders[0], folders[1], folders[2], folders[3])
    }

    /// The split by name (`trainA`...), nil for other names.
    public func split(_ name: String) -> ImageFolder? {
        switch name {
        case "trainA": return trainA
        case "trainB": return trainB
        case "testA": return testA
        case "testB": return testB
        default: return nil
        }
    }

    /// SHA-256 (hex) over the four splits' content hashes, labelled by split.
    public func contentHash() throws -> String {
        var manifest = "pleinair-cyclegan-v1\n"
        for (name, folder) in zip(CycleGANDataset.splits, [trainA, trainB, testA, testB]) {
            manifest += "\(try folder.contentHash())  \(name)\n"
        }
        return SHA256Digest.hex(Data(manifest.utf8))
    }
}
