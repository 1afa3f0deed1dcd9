import Tensor

extension ResnetGenerator {
    /// Translates an image of any size without recording a graph: the two stride-2 stages need
    /// sides divisible by 4, so the input is reflection-padded up to the next multiple and the
    /// output cropped back (rather than resized, which would blur what the network sees).
    public func translate(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4, "translate needs [N, C, H, W], got \(input.shape)")
        return GradMode.withoutGradient {
            let h = input.shape[2], w = input.shape[3]
            let padH = (4 - h % 4) % 4, padW = (4 - w % 4) % 4
            guard padH > 0 || padW > 0 else { return self(input) }
            // Reflection cannot reach further than the side minus one; tiny images fall back to zeros.
            let mode: PaddingMode = (padH < h && padW < w) ? .reflect : .zero
            let padded = input.padded(left: 0, right: padW, top: 0, bottom: padH, mode: mode)
            return self(padded).slice(axis: 2, 0..<h).slice(axis: 3, 0..<w)
        }
    }
}
