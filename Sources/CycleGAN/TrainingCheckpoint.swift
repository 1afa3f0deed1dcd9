import Foundation
import NN
import Tensor

/// Losses averaged over the iterations up to `iteration` (the step a metric is recorded at).
public struct LossRecord: Codable, Equatable, Sendable {
    public var iteration: Int
    public var losses: CycleGANLosses

    /// The average `losses` of the window ending at `iteration`.
    public init(iteration: Int, losses: CycleGANLosses) {
        self.iteration = iteration
        self.losses = losses
    }
}

/// A checkpoint that cannot be written or read, with the file at fault.
public struct TrainingCheckpointError: Error, CustomStringConvertible {
    public let path: String
    public let reason: String
    public var description: String { "checkpoint \(path): \(reason)" }
}

/// Everything a CycleGAN run needs to continue exactly where it stopped, in a folder under a root:
/// the four networks (safetensors, keys `G_A.model.1.weight` …), both Adam states, both image pools,
/// and the iteration counter with the loss history (`state.json`). Random state is not stored
/// because the trainer derives iteration i's draws from (seed, i).
///
/// A new checkpoint is written beside the old one and swapped in by renames, so an interruption
/// while saving leaves the previous checkpoint readable.
public enum TrainingCheckpoint {
    struct State: Codable {
        var format = 1
        var iteration: Int
        var stepsG: Int
        var stepsD: Int
        var history: [LossRecord]
    }

    static let current = "checkpoint", previous = "checkpoint.previous", partial = "checkpoint.partial"

    /// Saves `trainer`'s state and `history` under `root` (created if needed).
    public static func save(_ trainer: CycleGANTrainer, history: [LossRecord], under root: URL) throws {
        let fm = FileManager.default
        let tmp = root.appendingPathComponent(partial), cur = root.appendingPathComponent(current)
        let old = root.appendingPathComponent(previous)
        do {
            try? fm.removeItem(at: tmp)
            try fm.createDirectory(at: tmp, withIntermediateDirectories: true)
        } catch {
            throw TrainingCheckpointError(path: tmp.path, reason: "cannot create: \(error.localizedDescription)")
        }
        var weights: [String: Tensor] = [:]
        for (name, module) in trainer.model.networks {
            for (key, t) in module.stateDict() { weights["\(name).\(key)"] = t }
        }
        try SafeTensors.write(weights, to: tmp.appendingPathComponent("networks.safetensors"))
        var adam: [String: Tensor] = [:]
        for (side, optimizer) in [("G", trainer.optimizerG), ("D", trainer.optimizerD)] {
            let (m, v) = optimizer.moments
            for i in m.indices { adam["\(side).m.\(i)"] = m[i]; adam["\(side).v.\(i)"] = v[i] }
        }
        try SafeTensors.write(adam, to: tmp.appendingPathComponent("optimizers.safetensors"))
        var pools: [String: Tensor] = [:]
        for (side, pool) in [("A", trainer.poolA), ("B", trainer.poolB)] {
            for (i, t) in pool.images.enumerated() { pools["\(side).\(i)"] = t }
        }
        try SafeTensors.write(pools, to: tmp.appendingPathComponent("pools.safetensors"))
        let state = State(iteration: trainer.iteration, stepsG: trainer.optimizerG.stepCount,
                          stepsD: trainer.optimizerD.stepCount, history: history)
        let stateURL = tmp.appendingPathComponent("state.json")
        do {
            try JSONEncoder().encode(state).write(to: stateURL, options: .atomic)
            try? fm.removeItem(at: old)
            if fm.fileExists(atPath: cur.path) { try fm.moveItem(at: cur, to: old) }
            try fm.moveItem(at: tmp, to: cur)
            try? fm.removeItem(at: old)
        } catch {
            throw TrainingCheckpointError(path: cur.path, reason: "cannot write: \(error.localizedDescription)")
        }
    }

    /// Restores the newest complete checkpoint under `root` into `trainer` (built with the same
    /// options) and returns its loss history; nil when there is none.
    public static func restore(_ trainer: CycleGANTrainer, under root: URL) throws -> [LossRecord]? {
        let fm = FileManager.default
        let candidates = [current, previous].map { root.appendingPathComponent($0) }
        guard let folder = candidates.first(where: { fm.fileExists(atPath: $0.appendingPathComponent("state.json").path) }) else {
            return nil
        }
        let stateURL = folder.appendingPathComponent("state.json")
        let state: State
        do {
            state = try JSONDecoder().decode(State.self, from: Data(contentsOf: stateURL))
        } catch {
            throw TrainingCheckpointError(path: stateURL.path, reason: "unreadable state: \(error)")
        }
        guard state.format == 1 else { throw TrainingCheckpointError(path: stateURL.path, reason: "unknown format \(state.format)") }
        let weights = try SafeTensors.read(contentsOf: folder.appendingPathComponent("networks.safetensors"))
        do {
            for (name, module) in trainer.model.networks {
                var own: [String: Tensor] = [:]
                for (key, t) in weights where key.hasPrefix(name + ".") { own[String(key.dropFirst(name.count + 1))] = t }
                try module.loadStateDict(own)
            }
        } catch {
            throw TrainingCheckpointError(path: folder.appendingPathComponent("networks.safetensors").path,
                                          reason: "does not fit this model: \(error)")
        }
        let adamURL = folder.appendingPathComponent("optimizers.safetensors")
        let adam = try SafeTensors.read(contentsOf: adamURL)
        for (side, optimizer, steps) in [("G", trainer.optimizerG, state.stepsG), ("D", trainer.optimizerD, state.stepsD)] {
            let n = optimizer.parameters.count
            guard let m = tensors(adam, "\(side).m.", n), let v = tensors(adam, "\(side).v.", n) else {
                throw TrainingCheckpointError(path: adamURL.path, reason: "lacks moments of \(side)'s \(n) parameters")
            }
            do { try optimizer.restore(stepCount: steps, first: m, second: v) } catch {
                throw TrainingCheckpointError(path: adamURL.path, reason: "\(side): \(error)")
            }
        }
        let pools = try SafeTensors.read(contentsOf: folder.appendingPathComponent("pools.safetensors"))
        for (side, pool) in [("A", trainer.poolA), ("B", trainer.poolB)] {
            let count = pools.keys.filter { $0.hasPrefix(side + ".") }.count
            guard count <= pool.capacity, let images = tensors(pools, side + ".", count) else {
                throw TrainingCheckpointError(path: folder.path, reason: "pool \(side) holds \(count) images for a capacity of \(pool.capacity)")
            }
            pool.restore(images)
        }
        trainer.iteration = state.iteration
        return state.history
    }

    /// `prefix0` … `prefix(n−1)` from `dict`, or nil if one is missing.
    private static func tensors(_ dict: [String: Tensor], _ prefix: String, _ n: Int) -> [Tensor]? {
        var out: [Tensor] = []
        for i in 0..<n {
            guard let t = dict["\(prefix)\(i)"] else { return nil }
            out.append(t)
        }
        return out
    }
}
