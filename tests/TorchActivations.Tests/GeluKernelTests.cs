using TorchActivations.Core;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;
using Approximate = TorchSharp.Modules.GELU.Approximate;

namespace TorchActivations.Tests;

/// <summary>
/// GELU in float64 against its formula in double-double, over the tails the table's random inputs rarely
/// reach: the exact form down to x = −37.5 (Φ(x) ≈ 5e-308, just above the subnormals) and the tanh form
/// around x = −6.3, where ½x(1 + tanh u) computed in float64 loses about 1e-4 relative to the cancellation
/// in 1 + tanh u. Both the one-pass kernels and the composed torch-op path are held to 1e-12 relative.
/// </summary>
public class GeluKernelTests
{
    const double Sqrt2OverPi = 0.79788456080286535587989211986876;
    const double Cubic = 0.044715;

    static double[] Grid(double from, double to, int n) => Enumerable.Range(0, n).Select(i => from + (to - from) * i / (n - 1)).ToArray();

    static (double[] Y, double[] Dx) Run(double[] xs, Approximate approximate, bool composed)
    {
        var x = torch.tensor(xs, dtype: ScalarType.Float64);
        var g = torch.ones_like(x);
        if (!composed) return Values(Harness.ForwardBackward(t => F.gelu(t, approximate), x, g));
        FastPath.DisabledOnThisThread = true;
        try { return Values(Harness.ForwardBackward(t => F.gelu(t, approximate), x, g)); }
        finally { FastPath.DisabledOnThisThread = false; }
    }

    static (double[], double[]) Values((Tensor Output, Tensor Grad) r) => (TensorAssert.Values(r.Output), TensorAssert.Values(r.Grad));

    static void Within(double[] expected, double[] actual, double[] xs, string what)
    {
        for (int i = 0; i < xs.Length; i++)
            Assert.True(Math.Abs(actual[i] - expected[i]) <= 1e-12 * Math.Abs(expected[i]),
                $"{what} at x = {xs[i]:R}: expected {expected[i]:R}, got {actual[i]:R} ({Math.Abs(actual[i] / expected[i] - 1):E2} relative)");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Exact_gelu_keeps_relative_accuracy_down_to_the_subnormals(bool composed)
    {
        var xs = Grid(-37.5, 8, 4001);
        var (y, dx) = Run(xs, Approximate.none, composed);
        Within(xs.Select(x => ((DD)x * DD.NormalCdf(x)).Hi).ToArray(), y, xs, "gelu");
        Within(xs.Select(x => (DD.NormalCdf(x) + (DD)x * DD.NormalPdf(x)).Hi).ToArray(), dx, xs, "gelu'");
    }

    static double Ulp32(double r) => r == 0 ? Math.Pow(2, -149) : Math.Max(Math.ScaleB(1, Math.ILogB(Math.Abs(r)) - 23), Math.Pow(2, -149));

    /// <summary>
    /// The float32 kernels in ulps of float32 against double-double, over a dense sweep of [−15, 9] (past the
    /// point where x·Φ(x) underflows), every 61st float in ±[1e-4, 0.1] (where Φ's relative error peaks) and every
    /// 65537th bit pattern. x·Φ(x): Φ's bound (7.5 ulp, see
    /// MathFunctionTests) plus the product's rounding. The slope Φ + x·φ crosses 0 near x = −0.75, so its error
    /// is measured in ulps of Φ + |x|·φ, the size of the terms summed: Φ's bound plus φ's (3.0) plus the sum's
    /// rounding.
    /// </summary>
    [Fact]
    public void Float32_kernels_hold_the_normal_cdf_bounds()
    {
        var inputs = new List<float>();
        for (int i = 0; i <= 1_000_000; i++) inputs.Add(-15f + 24f * i / 1_000_000);
        for (ulong bits = 0; bits <= uint.MaxValue; bits += 65537) {
            float v = BitConverter.UInt32BitsToSingle((uint)bits);
            if (float.IsFinite(v)) inputs.Add(v);
        }
        inputs.AddRange(MathFunctionTests.NearZeroBand());
        var xs = inputs.ToArray();
        var x = torch.tensor(xs);
        var (yt, dxt) = Harness.ForwardBackward(t => F.gelu(t), x, torch.ones_like(x));
        var (y, dx) = (TensorAssert.Values(yt), TensorAssert.Values(dxt));
        double worstY = 0, worstDx = 0; float atY = 0, atDx = 0;
        for (int i = 0; i < xs.Length; i++) {
            double xi = xs[i];
            DD cdf = DD.NormalCdf(xi), pdf = DD.NormalPdf(xi);
            double refY = ((DD)xi * cdf).Hi;
            double refDx = (cdf + (DD)xi * pdf).Hi;
            double scale = (cdf + Math.Abs(xi) * pdf).Hi;
            // Where Φ is subnormal (x < −13), its own quantum 2⁻¹⁴⁹ times |x| can exceed the product's ulp.
            double eY = Math.Abs(y[i] - refY) / Math.Max(Ulp32(refY), Math.Abs(xi) * Math.Pow(2, -149));
            double eDx = Math.Abs(dx[i] - refDx) / Math.Max(Ulp32(scale), Math.Abs(xi) * Math.Pow(2, -149));
            if (eY > worstY) (worstY, atY) = (eY, xs[i]);
            if (eDx > worstDx) (worstDx, atDx) = (eDx, xs[i]);
        }
        Assert.True(worstY <= 8.0, $"gelu float32: {worstY:F3} ulp at x = {atY:R}");
        Assert.True(worstDx <= 11.0, $"gelu' float32: {worstDx:F3} ulp of Φ + |x|φ at x = {atDx:R}");
    }

    static DD TwiceU(double x) => (DD)x * ((DD)x * x * Cubic + 1) * (2 * Sqrt2OverPi);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Tanh_gelu_keeps_relative_accuracy_in_the_left_tail(bool composed)
    {
        var xs = Grid(-9, 6, 3001);
        var (y, dx) = Run(xs, Approximate.tanh, composed);
        Within(xs.Select(x => ((DD)x * DD.Sigmoid(TwiceU(x))).Hi).ToArray(), y, xs, "gelu(tanh)");
        Within(xs.Select(x => {
            var s = DD.Sigmoid(TwiceU(x));
            var twiceSlope = ((DD)x * x * (3 * Cubic) + 1) * (2 * Sqrt2OverPi);
            return (s + (DD)x * s * DD.Sigmoid(-TwiceU(x)) * twiceSlope).Hi;
        }).ToArray(), dx, xs, "gelu(tanh)'");
    }

    [Fact]
    public void The_half_x_one_plus_tanh_form_loses_accuracy_where_the_kernel_does_not()
    {
        // The reason for the σ form: at x = −6.3, 1 + tanh u ≈ 1.4e-12 keeps only ~4 significant digits.
        double x = -6.3;
        double halfForm = 0.5 * x * (1 + Math.Tanh(Sqrt2OverPi * (x + Cubic * x * x * x)));
        double exact = ((DD)x * DD.Sigmoid(TwiceU(x))).Hi;
        Assert.True(Math.Abs(halfForm / exact - 1) > 1e-7, $"{halfForm:R} vs {exact:R}");
        Assert.True(Math.Abs(Run([x], Approximate.tanh, composed: false).Y[0] / exact - 1) < 1e-14);
    }

    [Fact]
    public void The_builtins_lose_relative_accuracy_in_the_left_tail()
    {
        // TorchSharp's tanh GELU in float64 near x = −6.3, and its exact GELU in float32 near x = −3.1 (where
        // 1 + erf(x/√2) ≈ 2e-3 cancels): references built on them must not be trusted there.
        double x = -6.3;
        double exact = ((DD)x * DD.Sigmoid(TwiceU(x))).Hi;
        double builtin = torch.nn.functional.gelu(torch.tensor(new[] { x }), Approximate.tanh).item<double>();
        Assert.True(Math.Abs(builtin / exact - 1) > 1e-7, $"{builtin:R} vs {exact:R}");

        float xf = -3.0879669f;
        double exactF = (xf * DD.NormalCdf(xf)).Hi;
        float builtinF = torch.nn.functional.gelu(torch.tensor(new[] { xf })).item<float>();
        float ours = F.gelu(torch.tensor(new[] { xf })).item<float>();
        Assert.True(Math.Abs(builtinF / exactF - 1) > 4e-6, $"{builtinF:R} vs {exactF:R}");
        Assert.True(Math.Abs(ours / exactF - 1) < 3e-7, $"{ours:R} vs {exactF:R}");
    }
}
