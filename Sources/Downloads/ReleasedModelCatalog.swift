import Foundation

/// A published generator checkpoint PleinAir can fetch by name: who published it, its files
/// (junyanz layout) and where each comes from.
package struct ReleasedModel: Sendable, Equatable {
    /// Who publishes it.
    package enum Source: String, CaseIterable, Sendable {
        /// The CycleGAN model zoo (junyanz `scripts/download_cyclegan_model.sh`): one generator per name.
        case zoo = "cyclegan_zoo"
        /// The Art2Real release (aimagelab/art2real README, "Pre-trained Models"): both generators.
        case art2real
    }

    package let source: Source
    /// The name users type (`monet2photo`).
    package let name: String
    /// Files of the model folder, in the layout `translate` reads, with the URL each is fetched from;
    /// nil where the publisher offers no link to the file itself (it comes from `archive`, or by hand).
    package let files: [(name: String, url: URL?)]
    /// Where a person finds the files.
    package let page: URL
    /// A zip archive holding the files (the Art2Real release ships one per model), fetched and
    /// unpacked when files without a link of their own are missing; nil when there is none.
    package var archive: URL? = nil

    /// `cyclegan_zoo/monet2photo`: the id the trust-on-first-use record and the cache use.
    package var id: String { "\(source.rawValue)/\(name)" }

    package static func == (a: ReleasedModel, b: ReleasedModel) -> Bool {
        a.id == b.id && a.files.map(\.name) == b.files.map(\.name) && a.files.map(\.url) == b.files.map(\.url) && a.page == b.page
            && a.archive == b.archive
    }
}

/// The released generators PleinAir knows by name. Neither publisher gives checksums, so each
/// file's SHA-256 is recorded at first download and checked on every later use (`TrustedHashes`).
package enum ReleasedModelCatalog {
    /// junyanz's list in `scripts/download_cyclegan_model.sh` (ResnetGenerator, ngf 64, 9 blocks,
    /// no dropout; saved as `<name>_pretrained/latest_net_G.pth`).
    package static let zooNames = [
        "apple2orange", "orange2apple", "summer2winter_yosemite", "winter2summer_yosemite", "horse2zebra", "zebra2horse",
        "monet2photo", "style_monet", "style_cezanne", "style_ukiyoe", "style_vangogh", "sat2map", "map2sat",
        "cityscapes_photo2label", "cityscapes_label2photo", "facades_photo2label", "facades_label2photo", "iphone2dslr_flower",
    ]

    /// Where the zoo files are served (`<name>.pth`).
    package static let zooBaseURL = URL(string: "http://efrosgans.eecs.berkeley.edu/cyclegan/pretrained_models/")!

    /// The Art2Real checkpoints: one zip per model on the authors' server (aimagelab/art2real README,
    /// "Pre-trained Models", `checkpoints/<name>.zip` beside the datasets; earlier versions of the
    /// README linked Google Drive folders instead).
    package static let art2realNames = ["monet2photo", "landscape2photo", "portrait2photo"]
    package static let art2realCheckpointsURL =
        URL(string: "https://ailb-web.ing.unimore.it/publicfiles/drive/CVPR%202019%20-%20Art2Real/checkpoints/")!

    /// Every model, zoo first.
    package static var all: [ReleasedModel] {
        zooNames.map { name in
            ReleasedModel(source: .zoo, name: name, files: [("latest_net_G.pth", zooBaseURL.appendingPathComponent("\(name).pth"))],
                          page: URL(string: "https://github.com/junyanz/pytorch-CycleGAN-and-pix2pix/blob/master/scripts/download_cyclegan_model.sh")!)
        } + art2realNames.map { name in
            // The authors' test.py loads checkpoints/<name>/latest_net_G_A.pth and latest_net_G_B.pth
            // (junyanz's BaseModel.load_networks, which their code builds on); the zip holds them.
            ReleasedModel(source: .art2real, name: name, files: [("latest_net_G_A.pth", nil), ("latest_net_G_B.pth", nil)],
                          page: URL(string: "https://github.com/aimagelab/art2real#pre-trained-models")!,
                          archive: art2realCheckpointsURL.appendingPathComponent("\(name).zip"))
        }
    }

    /// The model `source`/`name`, or nil.
    package static func find(source: ReleasedModel.Source, name: String) -> ReleasedModel? {
        all.first { $0.source == source && $0.name == name }
    }
}
