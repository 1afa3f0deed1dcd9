import Foundation

/// One downloadable dataset: where it lives and what its archive must look like.
public struct DatasetCatalogEntry: Sendable, Equatable {
    /// The name users type (`monet2photo`); also the archive's file stem and top-level folder.
    public let name: String
    /// Archive size in bytes, when published.
    public let size: Int64?
    /// Archive SHA-256 (lowercase hex), when published.
    public let sha256: String?

    /// An entry; nil size or checksum means "not published", and the download then relies on the
    /// server's Content-Length and the zip's own CRC-32s.
    public init(name: String, size: Int64?, sha256: String?) {
        self.name = name
        self.size = size
        self.sha256 = sha256
    }
}

/// The datasets PleinAir can fetch by name.
public enum DatasetCatalog {
    /// The CycleGAN authors' official location (moved from people.eecs.berkeley.edu/~taesung_park).
    public static let officialBaseURL = URL(string: "https://efrosgans.eecs.berkeley.edu/cyclegan/datasets/")!

    /// The painting→photo CycleGAN sets. Sizes and SHA-256s are those TensorFlow Datasets records for
    /// the same files (tensorflow/datasets, url_checksums/cycle_gan.txt, taken at the former
    /// people.eecs.berkeley.edu address); the authors publish none themselves.
    public static let cycleGAN: [DatasetCatalogEntry] = [
        DatasetCatalogEntry(name: "monet2photo", size: 305_231_073,
                            sha256: "88f91b00fc228f97c9411fbf1880ec1d119c98f1722e4cfcfaa2fb35fac05b04"),
        DatasetCatalogEntry(name: "cezanne2photo", size: 279_885_071,
                            sha256: "3a6c10ca21f9485862f1cbd707744b9dc258954a04631271d23a3605eeb63cff"),
        DatasetCatalogEntry(name: "ukiyoe2photo", size: 292_946_532,
                            sha256: "02a2a2fb5ecf425ca1bf86aca7304377da64a2a1d3b86df54eb65e4068bf3b08"),
        DatasetCatalogEntry(name: "vangogh2photo", size: 306_590_349,
                            sha256: "362c3473e70be0944bda08d49d660eafdc2854df55d697835b8186d1d79caaff"),
    ]

    /// Where the Art2Real authors serve their datasets (aimagelab/art2real README, "Pre-trained Models").
    public static let art2realBaseURL = URL(string: "https://ailb-web.ing.unimore.it/publicfiles/drive/CVPR%202019%20-%20Art2Real/datasets/")!

    /// The Art2Real sets that are not CycleGAN's (their monet2photo is fetched from CycleGAN's
    /// address, where its checksum is known). No sizes or checksums are published: the archive's
    /// SHA-256 is recorded at first download and required after (trust on first use).
    public static let art2real: [DatasetCatalogEntry] = [
        DatasetCatalogEntry(name: "landscape2photo", size: nil, sha256: nil),
        DatasetCatalogEntry(name: "portrait2photo", size: nil, sha256: nil),
    ]
}
