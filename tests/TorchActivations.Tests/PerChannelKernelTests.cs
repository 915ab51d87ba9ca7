using TorchActivations.Core.Kernels;
using TorchSharp;
using static TorchActivations.Tests.Reference;
using static TorchSharp.torch;
using F = TorchActivations.Functional;

namespace TorchActivations.Tests;

/// <summary>
/// The one-sweep kernels of the activations with a per-channel parameter (blocks of at least 64 elements that
/// share one value): blocks with a tail at both vector widths, blocks longer than the 4096-element summing chunk,
/// and one shared value, against the formula in float64 (System.Math), at 512 and 256 bits. Zeros, a tiny
/// negative and infinities sit in the body and in the tails.
/// </summary>
public class PerChannelKernelTests
{
    /// <summary>An activation y = f(x; a) with its formula: the output, ∂y/∂x and ∂y/∂a at one element, in float64.</summary>
    public sealed record Case(string Name, Func<Tensor, Tensor, Tensor> Apply, Func<double, double, (double Y, double Dx, double Da)> Formula)
    {
        public override string ToString() => Name;
    }

    static readonly Case[] All = [
        new("prelu", F.prelu, (x, a) => x >= 0 ? (x, 1, 0) : (a * x, a, x)),
        // βx held finite, as the definition documents: an infinite x then has slope 0 where σ(βx) is 0.
        new("swish", F.swish, (x, b) => {
            double z = Math.Clamp(b * x, -double.MaxValue, double.MaxValue), s = Sigmoid(z), sMinus = Sigmoid(-z);
            return (x * s, s * (1 + z * sMinus), x * x * s * sMinus);
        }),
    ];

    public static IEnumerable<object[]> Cases() =>
        from c in All
        from shape in new[] { new long[] { 3, 4, 7, 11 }, [2, 3, 4500], [5003] }
        from narrow in new[] { false, true }
        select new object[] { c, shape, narrow };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Kernels_match_the_float64_formula(Case c, long[] shape, bool narrow)
    {
        int channels = shape.Length > 1 ? (int)shape[1] : 1;
        long n = shape.Aggregate(1L, (a, b) => a * b);
        long block = n / (shape.Length > 1 ? shape[0] * shape[1] : 1);
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 }) {
            var values = torch.randn(n, dtype: ScalarType.Float64, generator: new Generator(7)).mul(3);
            foreach (var (at, v) in new[] { (0L, 0.0), (1, -0.0), (n - 2, 0.0), (n - 3, -1e-30) })
                values[at] = v;
            // ±∞ make their channel's parameter gradient infinite or NaN: only in the first and last of several channels.
            if (channels > 1) (values[5], values[n - 1]) = (double.PositiveInfinity, double.NegativeInfinity);
            var x = values.to_type(dtype).reshape(shape).requires_grad_(true);
            var g = torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator(8)).to_type(dtype);
            var w = torch.linspace(-0.5, 0.75, channels, dtype: dtype).requires_grad_(true);

            KernelRunner.NarrowOnThisThread = narrow;
            try {
                var y = c.Apply(x, w);
                y.backward([g]);
                var (xs, gs, ws) = (TensorAssert.Values(x), TensorAssert.Values(g), TensorAssert.Values(w));
                var (ey, edx, eda, scale) = (new double[n], new double[n], new double[channels], new double[channels]);
                for (int i = 0; i < n; i++) {
                    int ch = (int)(i / block % channels);
                    var (yi, dxi, dai) = c.Formula(xs[i], ws[ch]);
                    ey[i] = yi;
                    edx[i] = gs[i] * dxi;
                    if (dai != 0) { eda[ch] += gs[i] * dai; scale[ch] += Math.Abs(gs[i] * dai); }
                }
                var (rtol, atol) = TensorAssert.Tolerance(dtype);
                TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"{c} forward ({dtype})", xs);
                TensorAssert.Close(edx, TensorAssert.Values(x.grad!), rtol, atol, $"{c} input gradient ({dtype})", xs);
                // The parameter's gradient is a sum: its rounding is bounded relative to the sum of its terms' magnitudes.
                double sumRtol = dtype == ScalarType.Float32 ? 1e-5 : 1e-13;
                var da = TensorAssert.Values(w.grad!);
                for (int ch = 0; ch < channels; ch++)
                    Assert.True(Math.Abs(da[ch] - eda[ch]) <= sumRtol * scale[ch] || (!double.IsFinite(eda[ch]) && da[ch].Equals(eda[ch])),
                        $"{c} parameter gradient {ch} ({dtype}): {da[ch]} vs {eda[ch]}");
            } finally {
                KernelRunner.NarrowOnThisThread = false;
            }
        }
    }
}
