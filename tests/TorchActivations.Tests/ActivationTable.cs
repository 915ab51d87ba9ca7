using TorchSharp;
using static TorchActivations.Tests.ActivationCase;
using static TorchActivations.Tests.Reference;
using static TorchSharp.torch;
using F = TorchActivations.Functional;
using B = TorchSharp.torch.nn.functional;
using Approximate = TorchSharp.Modules.GELU.Approximate;

namespace TorchActivations.Tests;

/// <summary>
/// The specification: every activation of the package with its built-in counterpart and float64
/// reference. Each test class iterates this table, so a new activation gets every check by adding a row.
/// </summary>
public static class ActivationTable
{
    const double SeluAlpha = 1.6732632423543772848170429916717;
    const double SeluScale = 1.0507009873554804934193349852946;
    const double Sqrt2OverPi = 0.79788456080286535587989211986876;

    static Tensor Slope(Tensor x, double value) => torch.full(1, value, dtype: x.dtype, device: x.device);

    public static readonly ActivationCase[] All = [
        Elementwise("relu", x => F.relu(x), x => B.relu(x),
            x => x >= 0 ? x : 0, x => x >= 0 ? 1 : 0) with { Kinks = [0], KinkSlopes = [(0, 1)] },
        Elementwise("leaky_relu(negative_slope=0.2)", x => F.leaky_relu(x, 0.2), x => B.leaky_relu(x, 0.2),
            x => x >= 0 ? x : 0.2 * x, x => x >= 0 ? 1 : 0.2) with { Kinks = [0], KinkSlopes = [(0, 1)] },
        Elementwise("prelu", x => F.prelu(x, Slope(x, 0.25)), x => B.prelu(x, Slope(x, 0.25)),
            x => x >= 0 ? x : 0.25 * x, x => x >= 0 ? 1 : 0.25) with { Kinks = [0], KinkSlopes = [(0, 1)] },
        Elementwise("rrelu (evaluation)", x => F.rrelu(x, 0.1, 0.3, training: false), x => B.rrelu(x, 0.1, 0.3),
            x => x >= 0 ? x : 0.2 * x, x => x >= 0 ? 1 : 0.2) with { Kinks = [0], KinkSlopes = [(0, 1)] },
        Elementwise("elu(alpha=0.5)", x => F.elu(x, 0.5), x => B.elu(x, 0.5),
            x => x >= 0 ? x : 0.5 * Expm1(x), x => x >= 0 ? 1 : 0.5 * Math.Exp(x)) with { Kinks = [0], KinkSlopes = [(0, 1)] },
        Elementwise("celu(alpha=2)", x => F.celu(x, 2), x => B.celu(x, 2),
            x => x >= 0 ? x : 2 * Expm1(x / 2), x => x >= 0 ? 1 : Math.Exp(x / 2)) with { KinkSlopes = [(0, 1)] },
        Elementwise("selu", x => F.selu(x), x => B.selu(x),
            x => x >= 0 ? SeluScale * x : SeluScale * SeluAlpha * Expm1(x),
            x => x >= 0 ? SeluScale : SeluScale * SeluAlpha * Math.Exp(x)) with { Kinks = [0], KinkSlopes = [(0, SeluScale)] },
        Elementwise("softplus(beta=2, threshold=10)", x => F.softplus(x, 2, 10), x => B.softplus(x, 2, 10),
            x => 2 * x > 10 ? x : Softplus(2 * x) / 2, x => 2 * x > 10 ? 1 : Sigmoid(2 * x)) with { Kinks = [5] },
        Elementwise("gelu", x => F.gelu(x), x => B.gelu(x),
            x => x * NormalCdf(x), x => NormalCdf(x) + x * NormalPdf(x)),
        Elementwise("gelu(approximate=tanh)", x => F.gelu(x, Approximate.tanh), x => B.gelu(x, Approximate.tanh),
            x => 0.5 * x * (1 + Math.Tanh(Sqrt2OverPi * (x + 0.044715 * x * x * x))),
            x => {
                double t = Math.Tanh(Sqrt2OverPi * (x + 0.044715 * x * x * x));
                return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Sqrt2OverPi * (1 + 3 * 0.044715 * x * x);
            }),
        Elementwise("tanhshrink", x => F.tanhshrink(x), x => B.tanhshrink(x),
            x => x - Math.Tanh(x), x => Math.Tanh(x) * Math.Tanh(x)),
        Elementwise("softshrink(lambda=0.5)", x => F.softshrink(x, 0.5), x => B.softshrink(x, 0.5),
            x => x >= 0.5 ? x - 0.5 : x <= -0.5 ? x + 0.5 : 0, x => Math.Abs(x) >= 0.5 ? 1 : 0)
            with { Kinks = [-0.5, 0.5], KinkSlopes = [(-0.5, 1), (0.5, 1)] },
        Elementwise("hardshrink(lambda=0.5)", x => F.hardshrink(x, 0.5), x => B.hardshrink(x, 0.5),
            x => Math.Abs(x) >= 0.5 ? x : 0, x => Math.Abs(x) > 0.5 ? 1 : 0)
            with { Kinks = [-0.5, 0.5], KinkSlopes = [(-0.5, 0), (0.5, 0)], Discontinuous = true },
        Elementwise("relu6", x => F.relu6(x), x => B.relu6(x),
            x => Math.Min(Math.Max(x, 0), 6), x => x >= 0 && x < 6 ? 1 : 0) with { Kinks = [0, 6], KinkSlopes = [(0, 1), (6, 0)] },
        Elementwise("sigmoid", x => F.sigmoid(x), x => B.sigmoid(x),
            Sigmoid, x => Sigmoid(x) * Sigmoid(-x)),
        Elementwise("tanh", x => F.tanh(x), x => B.tanh(x),
            Math.Tanh, x => 1 - Math.Tanh(x) * Math.Tanh(x)),
        Elementwise("softsign", x => F.softsign(x), x => B.softsign(x),
            x => x / (1 + Math.Abs(x)), x => 1 / ((1 + Math.Abs(x)) * (1 + Math.Abs(x)))),
        // TorchSharp 0.107.0's hardtanh returns its input unchanged (BuiltinDefectTests), so clamp stands in for it.
        Elementwise("hardtanh(min_val=-2, max_val=1.5)", x => F.hardtanh(x, -2, 1.5), x => x.clamp(-2, 1.5),
            x => Math.Min(Math.Max(x, -2), 1.5), x => x >= -2 && x < 1.5 ? 1 : 0)
            with { Kinks = [-2, 1.5], KinkSlopes = [(-2, 1), (1.5, 0)] },
        Elementwise("threshold(threshold=0.5, value=-3)", x => F.threshold(x, 0.5, -3), x => B.threshold(x, 0.5, -3),
            x => x > 0.5 ? x : -3, x => x > 0.5 ? 1 : 0) with { Kinks = [0.5], KinkSlopes = [(0.5, 0)], Discontinuous = true },
        Elementwise("heaviside(threshold=0.5)", x => F.heaviside(x, 0.5), x => torch.heaviside(x - 0.5, torch.ones_like(x)),
            x => x >= 0.5 ? 1 : 0, x => 0) with { Kinks = [0.5], KinkSlopes = [(0.5, 0)], BuiltinHasGradient = false, Discontinuous = true },
        Elementwise("logsigmoid", x => F.logsigmoid(x), x => B.logsigmoid(x),
            x => -Softplus(-x), x => Sigmoid(-x)),
        RowWise("softmin(dim=1)", x => F.softmin(x, 1), x => B.softmin(x, 1),
            row => Softmax(row.Select(v => -v).ToArray()),
            (row, g) => SoftmaxVjp(Softmax(row.Select(v => -v).ToArray()), g).Select(v => -v).ToArray()),
        RowWise("softmax(dim=1)", x => F.softmax(x, 1), x => B.softmax(x, 1),
            Softmax, (row, g) => SoftmaxVjp(Softmax(row), g)),
        RowWise("log_softmax(dim=1)", x => F.log_softmax(x, 1), x => B.log_softmax(x, 1),
            row => { var m = row.Max(); var lse = m + Math.Log(row.Sum(v => Math.Exp(v - m))); return row.Select(v => v - lse).ToArray(); },
            (row, g) => { var p = Softmax(row); var s = g.Sum(); return g.Select((gi, i) => gi - p[i] * s).ToArray(); }),

        // Beyond the notes: activations of modern architectures. (glu changes the shape and softmax2d needs a
        // 3-D or 4-D input, so they have their own tests: GluTests, Softmax2dTests.)
        Elementwise("silu", x => F.silu(x), x => B.silu(x),
            x => x * Sigmoid(x), x => Sigmoid(x) * (1 + x * Sigmoid(-x))),
        // TorchSharp has no swish with β; x·σ(βx) = silu(βx)/β, so its built-in silu stands in. (β's own gradient: SwishTests.)
        Elementwise("swish(beta=1.5)", x => F.swish(x, Slope(x, 1.5)), x => B.silu(x * 1.5) / 1.5,
            x => x * Sigmoid(1.5 * x), x => Sigmoid(1.5 * x) * (1 + 1.5 * x * Sigmoid(-1.5 * x))),
        Elementwise("mish", x => F.mish(x), x => B.mish(x),
            x => x * Math.Tanh(Softplus(x)),
            x => { double sp = Softplus(x), c = Math.Cosh(sp); return Math.Tanh(sp) + x * Sigmoid(x) / (c * c); }),
        // TorchSharp's hardsigmoid has a float32 slope 1/6 in float64 (BuiltinDefectTests), so PyTorch's own
        // definition relu6(x + 3)/6 stands in; ModernActivationTests compares the real built-in where it is right.
        Elementwise("hardsigmoid", x => F.hardsigmoid(x), x => B.relu6(x + 3) / 6,
            x => Math.Min(Math.Max(x + 3, 0), 6) / 6, x => x > -3 && x < 3 ? 1.0 / 6 : 0)
            with { Kinks = [-3, 3], KinkSlopes = [(-3, 0), (3, 0)] },
        Elementwise("hardswish", x => F.hardswish(x), x => B.hardswish(x),
            x => x * Math.Min(Math.Max(x + 3, 0), 6) / 6, x => x <= -3 ? 0 : x >= 3 ? 1 : x / 3 + 0.5)
            with { Kinks = [-3, 3], KinkSlopes = [(-3, 0), (3, 1)] },

        // The activations of recent transformer, vision and audio models. None is a TorchSharp built-in, so the
        // reference is the formula composed of built-in ops (itself checked against the float64 formula below).
        // The gated units (swiglu, geglu, reglu) change the shape: GatedUnitTests.
        Elementwise("relu_squared", x => F.relu_squared(x), x => B.relu(x).square(),
            x => x > 0 ? x * x : 0, x => x > 0 ? 2 * x : 0) with { KinkSlopes = [(0, 0)] },
        // Scale and bias as learnable tensors: their own gradients are in StarReLUTests.
        Elementwise("star_relu", x => F.star_relu(x, Slope(x, 0.8944), Slope(x, -0.4472)), x => B.relu(x).square() * 0.8944 - 0.4472,
            x => 0.8944 * (x > 0 ? x * x : 0) - 0.4472, x => x > 0 ? 2 * 0.8944 * x : 0) with { KinkSlopes = [(0, 0)] },
        Elementwise("quick_gelu", x => F.quick_gelu(x), x => x * B.sigmoid(x * 1.702),
            x => x * Sigmoid(1.702 * x), x => Sigmoid(1.702 * x) * (1 + 1.702 * x * Sigmoid(-1.702 * x))),
        // α = 0.5 as a tensor; α's own gradient and the series near α·x = 0 are in SnakeTests.
        Elementwise("snake(alpha=0.5)", x => F.snake(x, Slope(x, 0.5)), x => x + (x * 0.5).sin().square() / 0.5,
            x => x + Math.Sin(0.5 * x) * Math.Sin(0.5 * x) / 0.5, x => 1 + Math.Sin(x)),
        // b = 2: the formula as written, (x + √(x² + b))/2, cancels for x ≪ 0; the float64 reference uses its equal
        // b/(2(√(x² + b) − x)) there, and the slope's equal b/(2r(r − x)).
        Elementwise("squareplus(b=2)", x => F.squareplus(x, 2), x => (x + (x * x + 2).sqrt()) / 2,
            x => x >= 0 ? (x + Math.Sqrt(x * x + 2)) / 2 : 2 / (2 * (Math.Sqrt(x * x + 2) - x)),
            x => x >= 0 ? (1 + x / Math.Sqrt(x * x + 2)) / 2 : 2 / (2 * Math.Sqrt(x * x + 2) * (Math.Sqrt(x * x + 2) - x))),
    ];

    static double[] Softmax(double[] row)
    {
        var m = row.Max();
        var e = row.Select(v => Math.Exp(v - m)).ToArray();
        var s = e.Sum();
        return e.Select(v => v / s).ToArray();
    }

    static double[] SoftmaxVjp(double[] p, double[] g)
    {
        double dot = p.Zip(g, (a, b) => a * b).Sum();
        return p.Select((pi, i) => pi * (g[i] - dot)).ToArray();
    }

    public static IEnumerable<object[]> Cases => All.Select(c => new object[] { c });

    public static IEnumerable<object[]> CasesAndDtypes =>
        from c in All from t in new[] { ScalarType.Float32, ScalarType.Float64 } select new object[] { c, t };

    public static ActivationCase Find(string spec) => All.Single(c => c.Spec == spec);
}
