import Basics
import CycleGAN
import Foundation
import NN
import Tensor

/// `pleinair-bench layers`: the generator's step (ngf 32, 6 blocks, 128²) layer by layer, fastest of
/// `runs`: each layer's no-grad forward, and its forward + backward alone (input needing a gradient,
/// as inside the network), to see where the engine's step goes.
func runLayerProfile(runs: Int = 10) {
    var rng = SeededGenerator(seed: 0)
    let g = ResnetGenerator(ngf: 32, blocks: 6, generator: &rng)
    var x = Tensor.randomUniform([1, 3, 128, 128], low: -1, high: 1, generator: &rng)
    var flat: [(String, any Layer)] = []
    for (i, layer) in g.model.layers.enumerated() {
        if let block = layer as? ResnetBlock, i == 10 {
            for (j, inner) in block.convBlock.layers.enumerated() { flat.append(("block.\(j) \(type(of: inner))", inner)) }
        } else {
            flat.append(("\(i) \(type(of: layer))", layer))
        }
    }
    var totalForward = 0.0, totalStep = 0.0
    print("layer                          shape in             forward ms  fwd+bwd ms  (\(BLASKernel.threadCount) thread(s), fastest of \(runs))")
    for (name, layer) in flat {
        let input = x.detached()
        let forward = (0..<runs).map { _ in Bench.time { _ = GradMode.withoutGradient { layer(input) } } }.min()! * 1000
        let withGrad = input.detached(); withGrad.requiresGrad = true
        let step = (0..<runs).map { _ in
            Bench.time {
                let y = layer(withGrad)
                y.backward(y.detached())
                withGrad.grad = nil
                for p in layer.parameters { p.grad = nil }
            }
        }.min()! * 1000
        totalForward += forward; totalStep += step
        print(String(format: "%-30@ %-20@ %9.2f  %9.2f", name as NSString, "\(input.shape)" as NSString, forward, step))
        x = GradMode.withoutGradient { layer(input) }
    }
    print(String(format: "sum (one block counted once)                        %9.2f  %9.2f", totalForward, totalStep))
}

/// One residual-block convolution (128 → 128, 3×3, 34² in; F(4×4, 3×3)) part by part, fastest of `runs`.
func runResidualConvParts(runs: Int = 20) {
    var rng = SeededGenerator(seed: 1)
    let x = Tensor.randomNormal([1, 128, 34, 34], generator: &rng)
    let w = Tensor.randomNormal([128, 128, 3, 3], std: 0.05, generator: &rng)
    let g = Tensor.randomNormal([1, 128, 32, 32], generator: &rng)
    func best(_ body: () -> Void) -> Double { (0..<runs).map { _ in Bench.time(body) }.min()! * 1000 }
    let transform = best { _ = Winograd4Convolution(weight: w.pointer, outputChannels: 128, inputChannels: 128, padding: 0) }
    let forward = best { _ = GradMode.withoutGradient { x.conv2d(weight: w) } }
    let inputGrad = best { _ = GradMode.withoutGradient { g.conv2d(weight: w, padding: 2) } }
    let dw = Tensor(zeros: w.shape)
    let weightGrad = best {
        Winograd4Convolution.weightGradient(inputChannels: 128, outputChannels: 128, padding: 0, x.pointer,
                                            channelStride: 34 * 34, imageStride: 128 * 34 * 34, images: 1, height: 34, width: 34,
                                            gradOutput: g.pointer, outChannelStride: 1024, outImageStride: 128 * 1024, into: dw.pointer)
    }
    print(String(format: "residual conv: weight transform %.3f ms, forward %.3f, input gradient (a convolution) %.3f, weight gradient %.3f",
                 transform, forward, inputGrad, weightGrad))
}

/// The generator's RGB output convolution (32 → 3, 7×7, 134² in) part by part, fastest of `runs`.
func runOutputConvParts(runs: Int = 10) {
    var rng = SeededGenerator(seed: 2)
    let x = Tensor.randomNormal([1, 32, 134, 134], generator: &rng)
    let w = Tensor.randomNormal([3, 32, 7, 7], std: 0.05, generator: &rng)
    let g = Tensor.randomNormal([1, 3, 128, 128], generator: &rng)
    let geo = ConvGeometry(channels: 32, height: 134, width: 134, kernelHeight: 7, kernelWidth: 7)
    func best(_ body: () -> Void) -> Double { (0..<runs).map { _ in Bench.time(body) }.min()! * 1000 }
    let out = Tensor(zeros: [3, 128 * 128]), dw = Tensor(zeros: [3, 32 * 49])
    let forward = best { geo.directForward(x.pointer, w.pointer, outputChannels: 3, out.pointer) }
    let weightGrad = best { geo.directWeightGradient(x.pointer, g.pointer, outputChannels: 3, dw.pointer) }
    let flippedKernel = Tensor.randomNormal([32, 3, 7, 7], std: 0.05, generator: &rng)
    let flipped = best { _ = GradMode.withoutGradient { g.conv2d(weight: flippedKernel, padding: 6) } }
    print(String(format: "output conv: forward %.3f ms, weight gradient %.3f, input gradient (a convolution) %.3f",
                 forward, weightGrad, flipped))
}

/// `pleinair-bench layers forward|step N`: the engine group's no-grad forward or training step N
/// times and nothing else (for `perf`).
func runEngineLoop(step: Bool, _ repeats: Int) {
    var rng = SeededGenerator(seed: 0)
    let g = ResnetGenerator(ngf: 32, blocks: 6, generator: &rng)
    let adam = Adam(parameters: g.parameters, learningRate: 2e-4, beta1: 0.5)
    let x = Tensor.randomUniform([1, 3, 128, 128], low: -1, high: 1, generator: &rng)
    let target = Tensor.randomUniform([1, 3, 128, 128], low: -1, high: 1, generator: &rng)
    var times: [Double] = []
    for _ in 0..<repeats {
        times.append(Bench.time {
            if step {
                adam.zeroGrad()
                l1Loss(g(x), target).backward()
                adam.step()
            } else {
                _ = GradMode.withoutGradient { g(x) }
            }
        } * 1000)
    }
    times.sort()
    print(String(format: "%@: fastest %.2f ms, median %.2f ms of %d", step ? "step" : "forward", times[0], times[repeats / 2], repeats))
}
