using TorchSharp;
using static TorchActivations.Tests.Reference;
using static TorchSharp.torch;
using F = TorchActivations.Functional;
using B = TorchSharp.torch.nn.functional;

namespace TorchActivations.Tests;

/// <summary>
/// GLU halves its input along a dim, so it cannot use the table's same-shape checks: here it is checked
/// along every dim of a 3-D input against the float64 formula, TorchSharp's built-in (itself checked against
/// the formula) and central differences, plus extremes, half precision, empty inputs and bad arguments.
/// </summary>
public class GluTests
{
    static readonly long[] Shape = [4, 6, 8];

    public static IEnumerable<object[]> Dims => new long[] { -3, -2, -1, 0, 1, 2 }.Select(d => new object[] { d });

    public static IEnumerable<object[]> DimsAndDtypes =>
        from d in new long[] { -3, -2, -1, 0, 1, 2 } from t in new[] { ScalarType.Float32, ScalarType.Float64 } select new object[] { d, t };

    static long[] Halved(long[] shape, long dim)
    {
        var d = dim < 0 ? dim + shape.Length : dim;
        var result = (long[])shape.Clone();
        result[d] /= 2;
        return result;
    }

    /// <summary>a·σ(b) and its vector-Jacobian product in float64, from flat row-major values.</summary>
    static (double[] Y, double[] Dx) Expected(double[] x, long[] shape, long dim, double[] g)
    {
        int d = (int)(dim < 0 ? dim + shape.Length : dim);
        long outer = shape.Take(d).Aggregate(1L, (p, s) => p * s);
        long inner = shape.Skip(d + 1).Aggregate(1L, (p, s) => p * s);
        long half = shape[d] / 2;
        var y = new double[x.Length / 2];
        var dx = new double[x.Length];
        for (long o = 0; o < outer; o++)
            for (long k = 0; k < half; k++)
                for (long i = 0; i < inner; i++) {
                    long ia = (o * shape[d] + k) * inner + i, ib = (o * shape[d] + k + half) * inner + i;
                    long iy = (o * half + k) * inner + i;
                    double a = x[ia], b = x[ib], s = Sigmoid(b);
                    y[iy] = a * s;
                    dx[ia] = g[iy] * s;
                    dx[ib] = g[iy] * a * s * Sigmoid(-b);
                }
        return (y, dx);
    }

    static Tensor Input(long[] shape, ScalarType dtype, int seed = 1) =>
        (torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed)) * 3).to_type(dtype);

    static Tensor Grad(long[] shape, ScalarType dtype, int seed = 2) =>
        torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed)).to_type(dtype);

    [Theory]
    [MemberData(nameof(DimsAndDtypes))]
    public void Matches_the_float64_formula(long dim, ScalarType dtype)
    {
        var x = Input(Shape, dtype);
        var g = Grad(Halved(Shape, dim), dtype);
        var (y, dx) = Harness.ForwardBackward(t => F.glu(t, dim), x, g);
        Assert.Equal(Halved(Shape, dim), y.shape);
        Assert.Equal(dtype, y.dtype);
        var (ey, edx) = Expected(TensorAssert.Values(x), Shape, dim, TensorAssert.Values(g));
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"glu(dim={dim}) forward ({dtype})");
        TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, atol, $"glu(dim={dim}) gradient ({dtype})");
    }

    [Theory]
    [MemberData(nameof(Dims))]
    public void The_builtin_reference_computes_the_formula(long dim)
    {
        var x = Input(Shape, ScalarType.Float64);
        var g = Grad(Halved(Shape, dim), ScalarType.Float64);
        var (y, dx) = Harness.ForwardBackward(t => B.glu(t, dim), x, g);
        var (ey, edx) = Expected(TensorAssert.Values(x), Shape, dim, TensorAssert.Values(g));
        var (rtol, atol) = TensorAssert.Tolerance(ScalarType.Float64);
        TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"built-in glu(dim={dim}) forward");
        TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, atol, $"built-in glu(dim={dim}) gradient");
    }

    [Theory]
    [MemberData(nameof(DimsAndDtypes))]
    public void Function_module_and_lookup_match_the_builtin(long dim, ScalarType dtype)
    {
        var x = Input(Shape, dtype, seed: 3);
        var g = Grad(Halved(Shape, dim), dtype, seed: 4);
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        var (by, bdx) = Harness.ForwardBackward(t => B.glu(t, dim), x, g);
        using var module = Activations.GLU(dim);
        Assert.Equal(dim, module.dim);
        using var looked = Activations.Create($"glu(dim={dim})");
        foreach (var (what, f) in new (string, Func<Tensor, Tensor>)[] {
                     ("functional", t => F.glu(t, dim)), ("module", t => module.call(t)), ("lookup", t => looked.call(t)) }) {
            var (y, dx) = Harness.ForwardBackward(f, x, g);
            TensorAssert.Close(by, y, rtol, atol, $"glu(dim={dim}) {what} forward vs built-in ({dtype})");
            TensorAssert.Close(bdx, dx, rtol, atol, $"glu(dim={dim}) {what} gradient vs built-in ({dtype})");
        }
    }

    [Fact]
    public void Default_dim_is_the_last()
    {
        var x = Input([3, 10], ScalarType.Float64);
        TensorAssert.Close(F.glu(x, 1), F.glu(x), 0, 0, "glu() vs glu(dim=1)");
        TensorAssert.Close(F.glu(x, 1), Activations.GLU().call(x), 0, 0, "GLU() vs glu(dim=1)");
        Assert.Equal("glu(dim=-1)", Activations.Describe("glu"));
    }

    [Theory]
    [MemberData(nameof(Dims))]
    public void Gradient_matches_finite_differences(long dim)
    {
        const double h = 1e-6;
        long[] shape = [2, 4, 6];
        var x = Input(shape, ScalarType.Float64, seed: 5);
        var g = Grad(Halved(shape, dim), ScalarType.Float64, seed: 6);
        var (_, dx) = Harness.ForwardBackward(t => F.glu(t, dim), x, g);
        var xs = TensorAssert.Values(x);
        var numeric = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++) {
            using var scope = torch.NewDisposeScope();
            var plus = (double[])xs.Clone(); plus[i] += h;
            var minus = (double[])xs.Clone(); minus[i] -= h;
            var yp = F.glu(torch.tensor(plus, dtype: ScalarType.Float64).reshape(shape), dim);
            var ym = F.glu(torch.tensor(minus, dtype: ScalarType.Float64).reshape(shape), dim);
            numeric[i] = ((yp - ym) * g).sum().item<double>() / (2 * h);
        }
        TensorAssert.Close(numeric, TensorAssert.Values(dx), 1e-6, 1e-7, $"glu(dim={dim}) gradient vs central differences", xs);
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Stays_finite_for_huge_inputs(ScalarType dtype)
    {
        // Row = [a₀..a₅ | b₀..b₅]: every sign pairing of huge a and b.
        double[] a = [-3e38, 3e38, 1000, -1000, 30, -1e-30];
        double[] b = [1000, -1000, -1000, 1000, 100, -30];
        var x = torch.tensor(a.Concat(b).ToArray(), dtype: dtype).reshape(1, 12);
        var g = torch.ones(1, 6, dtype: dtype);
        var (y, dx) = Harness.ForwardBackward(t => F.glu(t), x, g);
        var (ey, edx) = Expected(TensorAssert.Values(x), [1, 12], -1, TensorAssert.Values(g));
        var (_, atol) = TensorAssert.Tolerance(dtype);
        double rtol = dtype == ScalarType.Float64 ? 1e-12 : 1e-5;
        TensorAssert.Close(TensorAssert.RoundTo(ey, dtype), TensorAssert.Values(y), rtol, atol, $"glu forward at extremes ({dtype})");
        TensorAssert.Close(TensorAssert.RoundTo(edx, dtype), TensorAssert.Values(dx), rtol, atol, $"glu gradient at extremes ({dtype})");
    }

    [Fact]
    public void Runs_in_half_precision()
    {
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 }) {
            var x = Input([4, 8], dtype);
            var g = torch.ones(4, 4, dtype: dtype);
            var (y, dx) = Harness.ForwardBackward(t => F.glu(t, 1), x, g);
            Assert.Equal(dtype, y.dtype);
            Assert.Equal(dtype, dx.dtype);
            var (ey, edx) = Expected(TensorAssert.Values(x), [4, 8], 1, TensorAssert.Values(g));
            double tol = dtype == ScalarType.BFloat16 ? 0.05 : 0.01;
            TensorAssert.Close(ey, TensorAssert.Values(y), tol, tol, $"glu forward in {dtype}");
            TensorAssert.Close(edx, TensorAssert.Values(dx), tol, tol, $"glu gradient in {dtype}");
        }
    }

    [Fact]
    public void Handles_empty_inputs()
    {
        var (y, dx) = Harness.ForwardBackward(t => F.glu(t, 1), torch.zeros(0, 4), torch.zeros(0, 2));
        Assert.Equal(new long[] { 0, 2 }, y.shape);
        Assert.Equal(new long[] { 0, 4 }, dx.shape);
        var (y2, dx2) = Harness.ForwardBackward(t => F.glu(t, 0), torch.zeros(0, 3), torch.zeros(0, 3));
        Assert.Equal(new long[] { 0, 3 }, y2.shape);
        Assert.Equal(new long[] { 0, 3 }, dx2.shape);
    }

    [Fact]
    public void Records_nothing_without_grad()
    {
        var x = Input([3, 8], ScalarType.Float32);
        using var y = F.glu(x);
        Assert.False(y.requires_grad);
        using (torch.no_grad()) {
            using var z = F.glu(x.clone().requires_grad_(true));
            Assert.False(z.requires_grad);
            TensorAssert.Close(y, z, 0, 0, "glu under no_grad");
        }
    }

    [Fact]
    public void Rejects_bad_inputs_naming_them()
    {
        // An odd size along dim cannot be halved; the message names the dim and the size.
        var odd = Assert.Throws<ArgumentException>(() => F.glu(torch.ones(2, 3), 1));
        Assert.Equal("input", odd.ParamName);
        Assert.Contains("size 3 along dim 1", odd.Message);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => Activations.GLU(0).call(torch.ones(5, 4))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => F.glu(torch.tensor(1.0f))).ParamName);       // 0-D
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => F.glu(torch.ones(2, 4), 2)).ParamName);
        Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => F.glu(torch.ones(2, 4), -3)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => F.glu(torch.ones(2, 4, dtype: ScalarType.Int64))).ParamName);
        // Rejected before autograd records anything, also on an input that requires grad.
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => F.glu(torch.ones(2, 3).requires_grad_(true))).ParamName);
    }
}
