using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;

namespace TorchActivations.Tests;

/// <summary>
/// Softmax2d normalizes over the channels (dim −3) of 3-D or 4-D inputs only, so the table (2-D rows) does not
/// fit it: checked here against the float64 formula, TorchSharp's nn.Softmax2d (itself checked against the
/// formula) and central differences, plus extremes, half precision and the rank check.
/// </summary>
public class Softmax2dTests
{
    public static IEnumerable<object[]> ShapesAndDtypes =>
        from s in new[] { new long[] { 5, 3, 4 }, new long[] { 2, 5, 3, 4 }, new long[] { 3, 1, 2, 2 } }
        from t in new[] { ScalarType.Float32, ScalarType.Float64 }
        select new object[] { s, t };

    public static IEnumerable<object[]> Shapes => new[] { new long[] { 5, 3, 4 }, new long[] { 2, 5, 3, 4 } }.Select(s => new object[] { s });

    /// <summary>Softmax over dim −3 and its vector-Jacobian product in float64, from flat row-major values.</summary>
    static (double[] Y, double[] Dx) Expected(double[] x, long[] shape, double[] g)
    {
        long channels = shape[^3], plane = shape[^2] * shape[^1], outer = x.Length / (channels * plane);
        var y = new double[x.Length];
        var dx = new double[x.Length];
        for (long o = 0; o < outer; o++)
            for (long p = 0; p < plane; p++) {
                var idx = Enumerable.Range(0, (int)channels).Select(c => (o * channels + c) * plane + p).ToArray();
                double m = idx.Max(i => x[i]);
                double sum = idx.Sum(i => Math.Exp(x[i] - m));
                foreach (var i in idx) y[i] = Math.Exp(x[i] - m) / sum;
                double dot = idx.Sum(i => y[i] * g[i]);
                foreach (var i in idx) dx[i] = y[i] * (g[i] - dot);
            }
        return (y, dx);
    }

    static Tensor Input(long[] shape, ScalarType dtype, int seed = 1) =>
        (torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed)) * 3).to_type(dtype);

    static Tensor Grad(long[] shape, ScalarType dtype, int seed = 2) =>
        torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed)).to_type(dtype);

    [Theory]
    [MemberData(nameof(ShapesAndDtypes))]
    public void Matches_the_float64_formula(long[] shape, ScalarType dtype)
    {
        var x = Input(shape, dtype);
        var g = Grad(shape, dtype);
        var (y, dx) = Harness.ForwardBackward(t => F.softmax2d(t), x, g);
        Assert.Equal(shape, y.shape);
        var (ey, edx) = Expected(TensorAssert.Values(x), shape, TensorAssert.Values(g));
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"softmax2d forward ({dtype})");
        TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, atol, $"softmax2d gradient ({dtype})");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_builtin_reference_computes_the_formula(long[] shape)
    {
        var x = Input(shape, ScalarType.Float64);
        var g = Grad(shape, ScalarType.Float64);
        using var builtin = torch.nn.Softmax2d();
        var (y, dx) = Harness.ForwardBackward(t => builtin.call(t), x, g);
        var (ey, edx) = Expected(TensorAssert.Values(x), shape, TensorAssert.Values(g));
        var (rtol, atol) = TensorAssert.Tolerance(ScalarType.Float64);
        TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, "built-in Softmax2d forward");
        TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, atol, "built-in Softmax2d gradient");
    }

    [Theory]
    [MemberData(nameof(ShapesAndDtypes))]
    public void Function_module_and_lookup_match_the_builtin(long[] shape, ScalarType dtype)
    {
        var x = Input(shape, dtype, seed: 3);
        var g = Grad(shape, dtype, seed: 4);
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        using var builtin = torch.nn.Softmax2d();
        var (by, bdx) = Harness.ForwardBackward(t => builtin.call(t), x, g);
        using var module = Activations.Softmax2d();
        using var looked = Activations.Create("softmax2d");
        foreach (var (what, f) in new (string, Func<Tensor, Tensor>)[] {
                     ("functional", t => F.softmax2d(t)), ("module", t => module.call(t)), ("lookup", t => looked.call(t)) }) {
            var (y, dx) = Harness.ForwardBackward(f, x, g);
            TensorAssert.Close(by, y, rtol, atol, $"softmax2d {what} forward vs built-in ({dtype})");
            TensorAssert.Close(bdx, dx, rtol, atol, $"softmax2d {what} gradient vs built-in ({dtype})");
        }
    }

    [Fact]
    public void Gradient_matches_finite_differences()
    {
        const double h = 1e-6;
        long[] shape = [2, 4, 2, 3];
        var x = Input(shape, ScalarType.Float64, seed: 5);
        var g = Grad(shape, ScalarType.Float64, seed: 6);
        var (_, dx) = Harness.ForwardBackward(t => F.softmax2d(t), x, g);
        var xs = TensorAssert.Values(x);
        var numeric = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++) {
            using var scope = torch.NewDisposeScope();
            var plus = (double[])xs.Clone(); plus[i] += h;
            var minus = (double[])xs.Clone(); minus[i] -= h;
            var yp = F.softmax2d(torch.tensor(plus, dtype: ScalarType.Float64).reshape(shape));
            var ym = F.softmax2d(torch.tensor(minus, dtype: ScalarType.Float64).reshape(shape));
            numeric[i] = ((yp - ym) * g).sum().item<double>() / (2 * h);
        }
        TensorAssert.Close(numeric, TensorAssert.Values(dx), 1e-6, 1e-7, "softmax2d gradient vs central differences", xs);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Stays_finite_for_huge_inputs(ScalarType dtype)
    {
        // Three channels at three pixels: [1000, 1001, 1002], [-1000, 0, 1000], [-3e38, 3e38, 0].
        var x = torch.tensor(new double[] { 1000, -1000, -3e38, 1001, 0, 3e38, 1002, 1000, 0 }, dtype: dtype).reshape(3, 1, 3);
        var g = Grad([3, 1, 3], dtype);
        var (y, dx) = Harness.ForwardBackward(t => F.softmax2d(t), x, g);
        var (ey, edx) = Expected(TensorAssert.Values(x), [3, 1, 3], TensorAssert.Values(g));
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        TensorAssert.Close(TensorAssert.RoundTo(ey, dtype), TensorAssert.Values(y), rtol, atol, $"softmax2d forward at extremes ({dtype})");
        TensorAssert.Close(TensorAssert.RoundTo(edx, dtype), TensorAssert.Values(dx), rtol, atol, $"softmax2d gradient at extremes ({dtype})");
    }

    [Fact]
    public void Runs_in_half_precision()
    {
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 }) {
            long[] shape = [2, 4, 3, 3];
            var x = Input(shape, dtype);
            var g = Grad(shape, dtype);
            var (y, dx) = Harness.ForwardBackward(t => F.softmax2d(t), x, g);
            Assert.Equal(dtype, y.dtype);
            Assert.Equal(dtype, dx.dtype);
            var (ey, edx) = Expected(TensorAssert.Values(x), shape, TensorAssert.Values(g));
            double tol = dtype == ScalarType.BFloat16 ? 0.05 : 0.01;
            TensorAssert.Close(ey, TensorAssert.Values(y), tol, tol, $"softmax2d forward in {dtype}");
            TensorAssert.Close(edx, TensorAssert.Values(dx), tol, tol, $"softmax2d gradient in {dtype}");
        }
    }

    [Theory]
    [InlineData(new long[0])]
    [InlineData(new long[] { 6 })]
    [InlineData(new long[] { 3, 4 })]
    [InlineData(new long[] { 2, 3, 4, 5, 6 })]
    public void Rejects_inputs_that_are_not_3_or_4_D(long[] shape)
    {
        var x = torch.zeros(shape);
        var e = Assert.Throws<ArgumentException>(() => F.softmax2d(x));
        Assert.Equal("input", e.ParamName);
        Assert.Contains($"{shape.Length}-D", e.Message);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Activations.Softmax2d().call(x.requires_grad_(true))).ParamName);
    }

    [Fact]
    public void Rejects_integer_input()
    {
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => F.softmax2d(torch.ones([2, 3, 4], dtype: ScalarType.Int32))).ParamName);
    }
}
