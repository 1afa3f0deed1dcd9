import NN
import Foundation

/// The banks in a `memory_bank` output: one bank (every patch, class 0) or, for a semantic bank, one
/// per segmentation class (`BankClasses`). Stages that read banks open them through this.
public struct MemoryBankSet: @unchecked Sendable {
    /// One class's bank; nil where the class has no patches.
    public struct Member: @unchecked Sendable {
        public let id: Int
        public let name: String
        public let folder: String?
        public let bank: MemoryBank?
    }

    public let folder: URL
    /// The classes file of a semantic bank (nil: a single bank).
    public let classes: BankClasses?
    /// Every class, by id; a single bank is class 0 alone.
    public let members: [Member]
    /// Every scale of the set, in order.
    public let scales: [PatchScale]

    public init(folder: URL) throws {
        self.folder = folder
        classes = try BankClasses.read(from: folder)
        if let classes {
            members = try classes.classes.map { entry in
                try Member(id: entry.id, name: entry.name, folder: entry.folder,
                           bank: entry.folder.map { try MemoryBank(folder: folder.appendingPathComponent($0)) })
            }
            scales = classes.scales
            guard let background = members.first(where: { $0.id == 0 })?.bank,
                  background.scales.count == scales.count else {
                throw BankFileError.malformed(path: folder.appendingPathComponent(BankClasses.fileName).path,
                                              "class 0 (patches no class covers by half, the fallback of every other class) has "
                                              + "no patches at some scale; use larger images or fewer, smaller scales")
            }
        } else {
            let bank = try MemoryBank(folder: folder)
            members = [Member(id: 0, name: "all", folder: nil, bank: bank)]
            scales = bank.scales.map(\.scale)
        }
    }

    public var isSemantic: Bool { classes != nil }

    /// The single bank, or class 0's.
    public var background: MemoryBank { members.first { $0.id == 0 }!.bank! }

    /// The members that have a bank.
    public var banks: [(member: Member, bank: MemoryBank)] { members.compactMap { m in m.bank.map { (m, $0) } } }

    /// The metric/log name of a member's scale: `p16s6` for a single bank, `sky.p16s6` per class.
    public func label(_ member: Member, _ scale: PatchScale) -> String { isSemantic ? "\(member.name).\(scale.name)" : scale.name }
}
