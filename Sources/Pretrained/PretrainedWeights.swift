import Basics
import Foundation

/// The published network weights PleinAir can use but does not ship, in one registry: where each
/// comes from, the checksum it must have, its file name and where it is kept.
public enum PretrainedWeights: String, CaseIterable, Sendable {
    /// pytorch-fid's FID Inception-v3 (`pt_inception-2015-12-05`).
    case inception
    /// torchvision's VGG-19 ImageNet weights, for the style-transfer baseline.
    case vgg19

    /// The published file name; torch hub names files by the first hex digits of their SHA-256.
    public var fileName: String {
        switch self {
        case .inception: return "pt_inception-2015-12-05-6726825d.pth"
        case .vgg19: return "vgg19-dcbb9e9d.pth"
        }
    }

    public var url: URL {
        switch self {
        case .inception: return URL(string: "https://github.com/mseitzer/pytorch-fid/releases/download/fid_weights/\(fileName)")!
        case .vgg19: return URL(string: "https://download.pytorch.org/models/\(fileName)")!
        }
    }

    /// The start of the file's SHA-256 (what the publishers give).
    public var sha256Prefix: String {
        switch self {
        case .inception: return "6726825d"
        case .vgg19: return "dcbb9e9d"
        }
    }

    /// Where the file is expected: `directory()/fileName`.
    public func file(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        Self.directory(environment: environment).appendingPathComponent(fileName)
    }

    /// The folder weights live in (`WeightsFolder`).
    public static func directory(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        WeightsFolder.url(environment: environment)
    }
}
