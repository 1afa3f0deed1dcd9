import Foundation

/// The resumable loop that cuts a folder's images into the shards of one memory bank, or of one
/// bank per class: the shards an interrupted attempt of the same build committed are kept (a shard
/// counts when every bank's part of it was committed), the others are cut image by image and
/// committed one by one. Images come in through a closure, so this knows no image format.
public struct ShardedBankBuild {
    /// One bank the build fills: every patch (`id` nil), or one class's.
    public struct Group {
        public let id: Int?
        public let name: String
        /// Where the bank goes under the stage's output (nil: the output itself).
        public let folder: String?
        public let builder: MemoryBankBuilder

        public init(id: Int?, name: String, folder: String?, builder: MemoryBankBuilder) {
            self.id = id
            self.name = name
            self.folder = folder
            self.builder = builder
        }
    }

    /// One image at one scale, as the shards cut it.
    public struct ScaledImage {
        /// Samples in planar (CHW) order, at this scale's size.
        public let planar: [UInt8]
        public let width: Int
        public let height: Int
        /// With masks: for each class, which patch positions belong to it (a class missing here
        /// takes none); nil without masks.
        public let members: [Int: [Bool]]?

        public init(planar: [UInt8], width: Int, height: Int, members: [Int: [Bool]]?) {
            self.planar = planar
            self.width = width
            self.height = height
            self.members = members
        }
    }

    public let scales: [PatchScale]
    public let groups: [Group]

    public init(scales: [PatchScale], groups: [Group]) {
        precondition(!groups.isEmpty, "a build fills at least one bank")
        self.scales = scales
        self.groups = groups
    }

    /// Every bank's shard records, in shard order, and how many shards an earlier attempt had cut.
    public struct Outcome {
        public let records: [[BankShard.Record]]
        public let shards: Int
        public let resumed: Int
    }

    /// Cuts `imageCount` images. `image(k)` gives image k at every scale, or nil to skip it;
    /// `checkpoint` runs before each image (it throws to stop), `progress(k)` after it.
    public func run(imageCount: Int, image: (Int) throws -> [ScaledImage]?, checkpoint: () throws -> Void,
                    progress: (Int) -> Void, log: (String) -> Void) throws -> Outcome {
        for group in groups { try FileManager.default.createDirectory(at: group.builder.work, withIntermediateDirectories: true) }
        let shardCount = groups[0].builder.shardCount(images: imageCount)
        var records: [[BankShard.Record?]] = groups.map { g in (0..<shardCount).map { g.builder.committed($0) } }
        let complete = Set((0..<shardCount).filter { i in records.allSatisfy { $0[i] != nil } })
        if !complete.isEmpty { log("resuming: \(complete.count) of \(shardCount) shards were cut by an earlier attempt") }
        for index in 0..<shardCount where !complete.contains(index) {
            var shards = groups.map { $0.builder.shard(index) }
            for k in groups[0].builder.images(ofShard: index, of: imageCount) {
                try checkpoint()
                guard let scaled = try image(k) else {
                    for g in shards.indices { shards[g].skip(image: k) }
                    continue
                }
                for (s, scale) in scales.enumerated() {
                    let cut = scaled[s]
                    cut.planar.withUnsafeBufferPointer { planar in
                        for (g, group) in groups.enumerated() {
                            let include = cut.members.map { m in
                                m[group.id ?? 0]
                                    ?? [Bool](repeating: false, count: scale.positions(cut.width) * scale.positions(cut.height))
                            }
                            shards[g].add(scale: s, planar: planar, width: cut.width, height: cut.height, image: k, include: include)
                        }
                    }
                }
                progress(k)
            }
            for (g, group) in groups.enumerated() { records[g][index] = try shards[g].write(to: group.builder.work) }
        }
        return Outcome(records: records.map { $0.compactMap { $0 } }, shards: shardCount, resumed: complete.count)
    }
}
