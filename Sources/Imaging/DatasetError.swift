/// Why a dataset folder could not be listed, hashed or extracted; always names the path or URL.
public enum DatasetError: Error, Equatable, CustomStringConvertible, Sendable {
    /// Nothing exists at the path.
    case notFound(path: String)
    /// The path is a file where a directory was expected.
    case notADirectory(path: String)
    /// The directory holds no PNG or JPEG files.
    case noImages(path: String)
    /// A CycleGAN dataset lacks one of trainA, trainB, testA, testB.
    case missingSplit(root: String, split: String)
    /// Reading or writing failed.
    case io(path: String, message: String)
    /// The archive could not be extracted (corrupt zip, CRC mismatch, unsafe entry path).
    case extractionFailed(path: String, message: String)

    public var description: String {
        switch self {
        case let .notFound(path): return "\(path): no such file or directory"
        case let .notADirectory(path): return "\(path): not a directory"
        case let .noImages(path): return "\(path): no PNG or JPEG images found (hidden files are ignored)"
        case let .missingSplit(root, split):
            return "\(root): not a CycleGAN dataset, missing \(split)/ (expected trainA, trainB, testA, testB)"
        case let .io(path, message): return "\(path): \(message)"
        case let .extractionFailed(path, message): return "\(path): extraction failed: \(message)"
        }
    }
}
