using TorchSharp;
using static TorchActivations.Tests.Reference;
using static TorchSharp.torch;
using F = TorchActivations.Functional;
using B = TorchSharp.torch.nn.functional;
using Approximate = TorchSharp.Modules.GELU.Approximate;

namespace TorchActivations.Tests;

/// <summary>
/// swiglu, geglu (exact and tanh) and reglu halve their input along a dim, so they cannot use the table's
/// same-shape checks: here each is checked along every dim of a 3-D input against the float64 formula, against
/// the same unit composed of built-in ops (itself checked against the formula), and against central differences;
/// plus the value/gate order, extremes, half precision, empty inputs, second derivatives and bad arguments.
/// </summary>
public class GatedUnitTests
{
    const double Sqrt2OverPi = 0.79788456080286535587989211986876;

    /// <summary>One gated unit: the package's call, the gate's built-in activation, and the gate's float64 act and act'.</summary>
    public sealed record Unit(string Spec, Func<Tensor, long, Tensor> Ours, Func<Tensor, Tensor> BuiltinGate,
                              Func<double, double> Act, Func<double, double> Slope)
    {
        public override string ToString() => Spec;

        /// <summary>a·act(b) composed of built-in ops: what a port writes by hand.</summary>
        public Tensor Composed(Tensor x, long dim)
        {
            var halves = x.chunk(2, dim);
            return halves[0] * BuiltinGate(halves[1]);
        }
    }

    static double TanhGelu(double x) => 0.5 * x * (1 + Math.Tanh(Sqrt2OverPi * (x + 0.044715 * x * x * x)));

    static double TanhGeluSlope(double x)
    {
        double t = Math.Tanh(Sqrt2OverPi * (x + 0.044715 * x * x * x));
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * Sqrt2OverPi * (1 + 3 * 0.044715 * x * x);
    }

    static readonly Unit[] Units = [
        new("swiglu", (x, d) => F.swiglu(x, d), b => B.silu(b),
            b => b * Sigmoid(b), b => Sigmoid(b) * (1 + b * Sigmoid(-b))),
        new("geglu", (x, d) => F.geglu(x, d), b => B.gelu(b),
            b => b * NormalCdf(b), b => NormalCdf(b) + b * NormalPdf(b)),
        new("geglu(approximate=tanh)", (x, d) => F.geglu(x, d, Approximate.tanh), b => B.gelu(b, Approximate.tanh),
            TanhGelu, TanhGeluSlope),
        // ReLU'(0) = 1 as in the package's relu; torch's relu gives 0 there (pinned in Reglu_follows_the_package_relu_at_0).
        new("reglu", (x, d) => F.reglu(x, d), b => B.relu(b),
            b => b > 0 ? b : 0, b => b >= 0 ? 1 : 0),
    ];

    static readonly long[] Shape = [4, 6, 8];
    static readonly long[] AllDims = [-3, -2, -1, 0, 1, 2];

    public static IEnumerable<object[]> UnitsAndDims => from u in Units from d in AllDims select new object[] { u, d };

    public static IEnumerable<object[]> UnitsDimsAndDtypes =>
        from u in Units from d in AllDims from t in new[] { ScalarType.Float32, ScalarType.Float64 } select new object[] { u, d, t };

    public static IEnumerable<object[]> UnitCases => Units.Select(u => new object[] { u });

    static long[] Halved(long[] shape, long dim)
    {
        var result = (long[])shape.Clone();
        result[dim < 0 ? dim + shape.Length : dim] /= 2;
        return result;
    }

    /// <summary>a·act(b) and its vector-Jacobian product in float64, from flat row-major values.</summary>
    static (double[] Y, double[] Dx) Expected(Unit u, double[] x, long[] shape, long dim, double[] g)
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
                    double a = x[ia], b = x[ib];
                    y[iy] = a * u.Act(b);
                    dx[ia] = g[iy] * u.Act(b);
                    dx[ib] = g[iy] * a * u.Slope(b);
                }
        return (y, dx);
    }

    /// <summary>
    /// The gradient's absolute tolerance: ∂/∂b = g·a·act'(b) carries act'(b)'s absolute rounding error (large relative to
    /// act' itself in the far left tail of the tanh GELU, where 1 + tanh cancels) times |g·a|, so atol scales with that.
    /// </summary>
    static double GradAtol(ScalarType dtype, Tensor x, Tensor g) =>
        TensorAssert.Tolerance(dtype).Atol * Math.Max(1, x.abs().max().to_type(ScalarType.Float64).item<double>() * g.abs().max().to_type(ScalarType.Float64).item<double>());

    static Tensor Input(long[] shape, ScalarType dtype, int seed = 1) =>
        (torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed)) * 3).to_type(dtype);

    static Tensor Grad(long[] shape, ScalarType dtype, int seed = 2) =>
        torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed)).to_type(dtype);

    [Theory]
    [MemberData(nameof(UnitsDimsAndDtypes))]
    public void Matches_the_float64_formula(Unit u, long dim, ScalarType dtype)
    {
        var x = Input(Shape, dtype);
        var g = Grad(Halved(Shape, dim), dtype);
        var (y, dx) = Harness.ForwardBackward(t => u.Ours(t, dim), x, g);
        Assert.Equal(Halved(Shape, dim), y.shape);
        Assert.Equal(dtype, y.dtype);
        var (ey, edx) = Expected(u, TensorAssert.Values(x), Shape, dim, TensorAssert.Values(g));
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"{u}(dim={dim}) forward ({dtype})");
        TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, GradAtol(dtype, x, g), $"{u}(dim={dim}) gradient ({dtype})");
    }

    [Theory]
    [MemberData(nameof(UnitsAndDims))]
    public void The_composed_reference_computes_the_formula(Unit u, long dim)
    {
        var x = Input(Shape, ScalarType.Float64);
        var g = Grad(Halved(Shape, dim), ScalarType.Float64);
        var (y, dx) = Harness.ForwardBackward(t => u.Composed(t, dim), x, g);
        var (ey, edx) = Expected(u, TensorAssert.Values(x), Shape, dim, TensorAssert.Values(g));
        var (rtol, atol) = TensorAssert.Tolerance(ScalarType.Float64);
        TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"composed {u}(dim={dim}) forward");
        TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, GradAtol(ScalarType.Float64, x, g), $"composed {u}(dim={dim}) gradient");
    }

    [Theory]
    [MemberData(nameof(UnitsDimsAndDtypes))]
    public void Function_module_and_lookup_match_the_composed_reference(Unit u, long dim, ScalarType dtype)
    {
        var x = Input(Shape, dtype, seed: 3);
        var g = Grad(Halved(Shape, dim), dtype, seed: 4);
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        // The composed reference runs in float64: TorchSharp's float32 GELU computes 1 + erf(x/√2), which loses
        // relative accuracy in the left tail (GeluKernelTests).
        var (cy, cdx) = Harness.ForwardBackward(t => u.Composed(t.to_type(ScalarType.Float64), dim).to_type(dtype), x, g);
        var spec = u.Spec.Contains('(') ? u.Spec.Replace(")", $", dim={dim})") : $"{u.Spec}(dim={dim})";
        using var looked = Activations.Create(spec);
        using nn.Module<Tensor, Tensor> module = u.Spec switch {
            "swiglu" => Activations.SwiGLU(dim),
            "geglu" => Activations.GEGLU(dim),
            "geglu(approximate=tanh)" => Activations.GEGLU(dim, Approximate.tanh),
            _ => Activations.ReGLU(dim),
        };
        Assert.Equal(module.GetType(), looked.GetType());
        foreach (var (what, f) in new (string, Func<Tensor, Tensor>)[] {
                     ("functional", t => u.Ours(t, dim)), ("module", t => module.call(t)), ("lookup", t => looked.call(t)) }) {
            var (y, dx) = Harness.ForwardBackward(f, x, g);
            TensorAssert.Close(cy, y, rtol, atol, $"{u}(dim={dim}) {what} forward vs composed ({dtype})");
            TensorAssert.Close(cdx, dx, rtol, GradAtol(dtype, x, g), $"{u}(dim={dim}) {what} gradient vs composed ({dtype})");
        }
    }

    [Fact]
    public void The_first_half_is_the_value_and_the_second_goes_through_the_activation()
    {
        // [a | b] = [2 | −1]: a·act(b), not b·act(a). The four results differ, so a swapped order cannot pass.
        var x = torch.tensor(new[] { 2.0, -1.0 }, dtype: ScalarType.Float64);
        Assert.Equal(2 * (-1 * Sigmoid(-1)), F.swiglu(x).item<double>(), 1e-14);
        Assert.Equal(2 * (-1 * NormalCdf(-1)), F.geglu(x).item<double>(), 1e-14);
        Assert.Equal(2 * TanhGelu(-1), F.geglu(x, approximate: Approximate.tanh).item<double>(), 1e-14);
        Assert.Equal(0.0, F.reglu(x).item<double>());
        var swapped = torch.tensor(new[] { -1.0, 2.0 }, dtype: ScalarType.Float64);
        Assert.Equal(-1 * (2 * Sigmoid(2)), F.swiglu(swapped).item<double>(), 1e-14);
        Assert.Equal(-2.0, F.reglu(swapped).item<double>());
        // Along dim 0 of a [2, 1] input the rows are the halves, the same order.
        Assert.Equal(2 * (-1 * Sigmoid(-1)), F.swiglu(x.reshape(2, 1), 0).item<double>(), 1e-14);
    }

    [Fact]
    public void Defaults_are_the_last_dim_and_exact_gelu()
    {
        var x = Input([3, 10], ScalarType.Float64);
        TensorAssert.Close(F.swiglu(x, 1), F.swiglu(x), 0, 0, "swiglu() vs swiglu(dim=1)");
        TensorAssert.Close(F.swiglu(x, 1), Activations.SwiGLU().call(x), 0, 0, "SwiGLU() vs swiglu(dim=1)");
        TensorAssert.Close(F.geglu(x, 1, Approximate.none), Activations.GEGLU().call(x), 0, 0, "GEGLU() vs geglu(dim=1, none)");
        TensorAssert.Close(F.reglu(x, 1), Activations.ReGLU().call(x), 0, 0, "ReGLU() vs reglu(dim=1)");
        Assert.Equal("swiglu(dim=-1)", Activations.Describe("swiglu"));
        Assert.Equal("geglu(dim=-1, approximate=none)", Activations.Describe("geglu"));
        Assert.Equal("reglu(dim=-1)", Activations.Describe("reglu"));
        Assert.Equal(-1, Activations.SwiGLU().dim);
        Assert.Equal(Approximate.tanh, ((Modules.GEGLU)Activations.Create("geglu(approximate=tanh)")).approximate);
        Assert.Equal(1, ((Modules.ReGLU)Activations.Create("reglu(1)")).dim);
    }

    [Fact]
    public void Reglu_follows_the_package_relu_at_0()
    {
        // b = 0: ∂/∂b = a·ReLU'(0) = a with the package's convention ReLU'(0) = 1.
        var (_, dx) = Harness.ForwardBackward(t => F.reglu(t), torch.tensor(new[] { 3.0, 0.0 }), torch.ones(1, dtype: ScalarType.Float64));
        Assert.Equal(new[] { 0.0, 3.0 }, TensorAssert.Values(dx));
        var (_, relu) = Harness.ForwardBackward(t => F.relu(t), torch.tensor(new[] { 0.0 }), torch.ones(1, dtype: ScalarType.Float64));
        Assert.Equal(1.0, TensorAssert.Values(relu)[0]);
    }

    [Theory]
    [MemberData(nameof(UnitsAndDims))]
    public void Gradient_matches_finite_differences(Unit u, long dim)
    {
        const double h = 1e-6;
        long[] shape = [2, 4, 6];
        var x = Input(shape, ScalarType.Float64, seed: 5);
        if (u.Spec == "reglu") x = torch.where(x.abs() < 1e-3, x + 0.01, x);   // one side of the kink
        var g = Grad(Halved(shape, dim), ScalarType.Float64, seed: 6);
        var (_, dx) = Harness.ForwardBackward(t => u.Ours(t, dim), x, g);
        var xs = TensorAssert.Values(x);
        var numeric = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++) {
            using var scope = torch.NewDisposeScope();
            var plus = (double[])xs.Clone(); plus[i] += h;
            var minus = (double[])xs.Clone(); minus[i] -= h;
            var yp = u.Ours(torch.tensor(plus, dtype: ScalarType.Float64).reshape(shape), dim);
            var ym = u.Ours(torch.tensor(minus, dtype: ScalarType.Float64).reshape(shape), dim);
            numeric[i] = ((yp - ym) * g).sum().item<double>() / (2 * h);
        }
        TensorAssert.Close(numeric, TensorAssert.Values(dx), 1e-6, 1e-7, $"{u}(dim={dim}) gradient vs central differences", xs);
    }

    public static IEnumerable<object[]> UnitsAndDtypes =>
        from u in Units from t in new[] { ScalarType.Float32, ScalarType.Float64 } select new object[] { u, t };

    [Theory]
    [MemberData(nameof(UnitsAndDtypes))]
    public void Stays_finite_for_huge_inputs(Unit u, ScalarType dtype)
    {
        // Row = [a₀..a₇ | b₀..b₇]: huge values in both halves and every sign pairing, ±0 and tiny gates.
        double[] a = [-3e38, 3e38, 1000, -1000, 30, -1e-30, 2.5, -0.0];
        double[] b = [1000, -1000, -1000, 1000, 100, -30, 0.0, 1e-30];
        var x = torch.tensor(a.Concat(b).ToArray(), dtype: dtype).reshape(1, 16);
        var g = torch.ones(1, 8, dtype: dtype);
        var (y, dx) = Harness.ForwardBackward(t => u.Ours(t, -1), x, g);
        var (ey, edx) = Expected(u, TensorAssert.Values(x), [1, 16], -1, TensorAssert.Values(g));
        var (_, atol) = TensorAssert.Tolerance(dtype);
        double rtol = dtype == ScalarType.Float64 ? 1e-12 : 1e-5;
        TensorAssert.Close(TensorAssert.RoundTo(ey, dtype), TensorAssert.Values(y), rtol, atol, $"{u} forward at extremes ({dtype})");
        TensorAssert.Close(TensorAssert.RoundTo(edx, dtype), TensorAssert.Values(dx), rtol, atol, $"{u} gradient at extremes ({dtype})");
    }

    [Theory]
    [MemberData(nameof(UnitCases))]
    public void NaN_propagates(Unit u)
    {
        // [a₀, a₁ | b₀, b₁] with a NaN value in the first pair and a NaN gate in the second.
        var x = torch.tensor(new[] { double.NaN, 1.0, 2.0, double.NaN });
        var (y, dx) = Harness.ForwardBackward(t => u.Ours(t, -1), x, torch.ones(2, dtype: ScalarType.Float64));
        Assert.All(TensorAssert.Values(y), v => Assert.True(double.IsNaN(v)));
        var d = TensorAssert.Values(dx);
        Assert.True(double.IsNaN(d[2]), $"{u}: the gate gradient of a NaN value should be NaN, got {d[2]}");
        if (u.Spec != "reglu") Assert.True(double.IsNaN(d[1]), $"{u}: the value gradient of a NaN gate should be NaN, got {d[1]}");
    }

    [Theory]
    [MemberData(nameof(UnitCases))]
    public void Runs_in_half_precision(Unit u)
    {
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 }) {
            var x = Input([4, 8], dtype);
            var g = torch.ones(4, 4, dtype: dtype);
            var (y, dx) = Harness.ForwardBackward(t => u.Ours(t, 1), x, g);
            Assert.Equal(dtype, y.dtype);
            Assert.Equal(dtype, dx.dtype);
            var (ey, edx) = Expected(u, TensorAssert.Values(x), [4, 8], 1, TensorAssert.Values(g));
            double tol = dtype == ScalarType.BFloat16 ? 0.05 : 0.01;
            TensorAssert.Close(ey, TensorAssert.Values(y), tol, tol, $"{u} forward in {dtype}");
            TensorAssert.Close(edx, TensorAssert.Values(dx), tol, tol, $"{u} gradient in {dtype}");
        }
    }

    [Theory]
    [MemberData(nameof(UnitCases))]
    public void Handles_empty_inputs_and_records_nothing_without_grad(Unit u)
    {
        var (y, dx) = Harness.ForwardBackward(t => u.Ours(t, 1), torch.zeros(0, 4), torch.zeros(0, 2));
        Assert.Equal(new long[] { 0, 2 }, y.shape);
        Assert.Equal(new long[] { 0, 4 }, dx.shape);

        var x = Input([3, 8], ScalarType.Float32);
        using var plain = u.Ours(x, -1);
        Assert.False(plain.requires_grad);
        using (torch.no_grad()) {
            using var z = u.Ours(x.clone().requires_grad_(true), -1);
            Assert.False(z.requires_grad);
            TensorAssert.Close(plain, z, 0, 0, $"{u} under no_grad");
        }
    }

    /// <summary>Under create_graph the package's backward is itself differentiable: its second derivatives equal those of the composed ops.</summary>
    [Theory]
    [MemberData(nameof(UnitCases))]
    public void Second_derivative_matches_the_composed_reference(Unit u)
    {
        var x = Input([3, 6], ScalarType.Float64, seed: 31);
        if (u.Spec == "reglu") x = torch.where(x.abs() < 0.05, x + 0.1, x);
        var g = Grad([3, 3], ScalarType.Float64, seed: 32);
        var w = Grad([3, 6], ScalarType.Float64, seed: 33);
        double[] Hvp(Func<Tensor, Tensor> f)
        {
            var leaf = x.clone().requires_grad_(true);
            var first = torch.autograd.grad([f(leaf)], [leaf], [g], retain_graph: true, create_graph: true)[0];
            return TensorAssert.Values(torch.autograd.grad([first], [leaf], [w])[0]);
        }
        TensorAssert.Close(Hvp(t => u.Composed(t, -1)), Hvp(t => u.Ours(t, -1)), 1e-10, 1e-12, $"{u} second derivative vs composed");
    }

    [Fact]
    public void Rejects_bad_inputs_naming_them()
    {
        foreach (var u in Units) {
            // An odd size along dim cannot be halved; the message names the dim and the size.
            var odd = Assert.Throws<ArgumentException>(() => u.Ours(torch.ones(2, 3), 1));
            Assert.Equal("dim", odd.ParamName);
            Assert.Contains("size 3 along dim 1", odd.Message);
            Assert.Equal("dim", Assert.Throws<ArgumentException>(() => u.Ours(torch.ones(5, 4), 0)).ParamName);
            Assert.Equal("input", Assert.Throws<ArgumentException>(() => u.Ours(torch.tensor(1.0f), -1)).ParamName);       // 0-D
            Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => u.Ours(torch.ones(2, 4), 2)).ParamName);
            Assert.Equal("dim", Assert.Throws<ArgumentOutOfRangeException>(() => u.Ours(torch.ones(2, 4), -3)).ParamName);
            Assert.Equal("input", Assert.Throws<ArgumentException>(() => u.Ours(torch.ones(2, 4, dtype: ScalarType.Int64), -1)).ParamName);
            Assert.Equal("input", Assert.Throws<ArgumentNullException>(() => u.Ours(null!, -1)).ParamName);
            // Rejected before autograd records anything, also on an input that requires grad.
            Assert.Equal("dim", Assert.Throws<ArgumentException>(() => u.Ours(torch.ones(2, 3).requires_grad_(true), -1)).ParamName);
        }
        Assert.Equal("dim", Assert.Throws<ArgumentException>(() => Activations.SwiGLU().call(torch.ones(2, 5))).ParamName);
        Assert.Equal("approximate", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.GEGLU(-1, (Approximate)7)).ParamName);
        Assert.Equal("approximate", Assert.Throws<ArgumentOutOfRangeException>(() => F.geglu(torch.ones(2), -1, (Approximate)7)).ParamName);
    }
}
