using TorchSharp;
using static TorchActivations.Tests.Reference;
using static TorchSharp.torch;
using F = TorchActivations.Functional;

namespace TorchActivations.Tests;

/// <summary>
/// Swish's learnable β, which the table (one input, fixed β) does not reach: the gradients of x and β,
/// shared or per channel, against the float64 formula and central differences; the module's parameter;
/// overflow of β·x; bad arguments.
/// </summary>
public class SwishTests
{
    static readonly long[] Shape = [3, 4, 5];                      // N, C = 4 channels, L
    static readonly double[] ChannelBetas = [-1.5, 0, 0.5, 2.25];

    /// <summary>x·σ(βx) with β of channel c, and the gradients Σ g·∂y/∂x, Σ g·∂y/∂β per β, in float64.</summary>
    static (double[] Y, double[] Dx, double[] DBeta) Expected(double[] x, double[] g, double[] betas, long channels, long inner)
    {
        var y = new double[x.Length];
        var dx = new double[x.Length];
        var dBeta = new double[betas.Length];
        for (int i = 0; i < x.Length; i++) {
            int c = betas.Length == 1 ? 0 : (int)(i / inner % channels);
            double b = betas[c], z = b * x[i], s = Sigmoid(z), sMinus = Sigmoid(-z);
            y[i] = x[i] * s;
            dx[i] = g[i] * s * (1 + z * sMinus);
            dBeta[c] += g[i] * x[i] * x[i] * s * sMinus;
        }
        return (y, dx, dBeta);
    }

    static (Tensor Y, Tensor Dx, Tensor DBeta) Run(Tensor x, Tensor beta, Tensor g)
    {
        var xl = x.detach().requires_grad_(true);
        var bl = beta.detach().requires_grad_(true);
        var y = F.swish(xl, bl);
        y.backward([g]);
        return (y.detach(), xl.grad!.detach(), bl.grad!.detach());
    }

    public static IEnumerable<object[]> BetasAndDtypes =>
        from shared in new[] { true, false } from t in new[] { ScalarType.Float32, ScalarType.Float64 } select new object[] { shared, t };

    [Theory]
    [MemberData(nameof(BetasAndDtypes))]
    public void Gradients_for_input_and_beta_match_the_float64_formula(bool shared, ScalarType dtype)
    {
        double[] betas = shared ? [0.75] : ChannelBetas;
        var x = (torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(11)) * 3).to_type(dtype);
        var g = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(12)).to_type(dtype);
        var beta = torch.tensor(betas, dtype: dtype);
        var (y, dx, dBeta) = Run(x, beta, g);

        var xs = TensorAssert.Values(x);
        var (ey, edx, edBeta) = Expected(xs, TensorAssert.Values(g), TensorAssert.Values(beta), Shape[1], Shape[2]);
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"swish forward ({dtype})", xs);
        TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, atol, $"swish input gradient ({dtype})", xs);
        // β's gradient is a sum of 60 or 15 terms of both signs: allow for the rounding of the sum (float32: ~1e-6 of the largest term).
        double sumAtol = dtype == ScalarType.Float64 ? 1e-12 : 1e-4;
        TensorAssert.Close(edBeta, TensorAssert.Values(dBeta), rtol, sumAtol, $"swish beta gradient ({dtype})");
        Assert.Equal(beta.shape, dBeta.shape);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gradients_for_input_and_beta_match_finite_differences(bool shared)
    {
        const double h = 1e-6;
        double[] betas = shared ? [0.75] : ChannelBetas;
        var x = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(21)) * 3;
        var g = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(22));
        var beta = torch.tensor(betas, dtype: ScalarType.Float64);
        var (_, dx, dBeta) = Run(x, beta, g);

        double Loss(double[] xv, double[] bv) {
            using var scope = torch.NewDisposeScope();
            return (F.swish(torch.tensor(xv, dtype: ScalarType.Float64).reshape(Shape), torch.tensor(bv, dtype: ScalarType.Float64)) * g).sum().item<double>();
        }

        var xs = TensorAssert.Values(x);
        var numericX = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++) {
            var plus = (double[])xs.Clone(); plus[i] += h;
            var minus = (double[])xs.Clone(); minus[i] -= h;
            numericX[i] = (Loss(plus, betas) - Loss(minus, betas)) / (2 * h);
        }
        var numericBeta = new double[betas.Length];
        for (int c = 0; c < betas.Length; c++) {
            var plus = (double[])betas.Clone(); plus[c] += h;
            var minus = (double[])betas.Clone(); minus[c] -= h;
            numericBeta[c] = (Loss(xs, plus) - Loss(xs, minus)) / (2 * h);
        }
        TensorAssert.Close(numericX, TensorAssert.Values(dx), 1e-6, 1e-7, "swish input gradient vs central differences", xs);
        TensorAssert.Close(numericBeta, TensorAssert.Values(dBeta), 1e-6, 1e-6, "swish beta gradient vs central differences");
    }

    [Fact]
    public void With_beta_one_it_is_the_builtin_silu()
    {
        var x = torch.randn([6, 7], dtype: ScalarType.Float64, generator: new Generator(3)) * 4;
        var g = torch.randn([6, 7], dtype: ScalarType.Float64, generator: new Generator(4));
        var (y, dx, _) = Run(x, torch.ones(1, dtype: ScalarType.Float64), g);
        var (by, bdx) = Harness.ForwardBackward(t => torch.nn.functional.silu(t), x, g);
        TensorAssert.Close(by, y, 1e-12, 1e-15, "swish(beta=1) vs built-in silu forward");
        TensorAssert.Close(bdx, dx, 1e-12, 1e-15, "swish(beta=1) vs built-in silu gradient");
    }

    [Fact]
    public void Module_learns_a_parameter_named_beta()
    {
        using var swish = Activations.Swish(num_parameters: 4, init: 0.5, dtype: ScalarType.Float64);
        var parameters = swish.named_parameters().ToList();
        Assert.Single(parameters);
        Assert.Equal("beta", parameters[0].name);
        Assert.Equal(new long[] { 4 }, swish.beta.shape);
        Assert.Equal(new double[] { 0.5, 0.5, 0.5, 0.5 }, TensorAssert.Values(swish.beta));
        Assert.True(swish.beta.requires_grad);
        Assert.Equal(4, swish.num_parameters);
        Assert.Equal(0.5, swish.init);

        var x = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(31)).requires_grad_(true);
        var g = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(32));
        swish.call(x).backward([g]);
        var (_, edx, edBeta) = Expected(TensorAssert.Values(x), TensorAssert.Values(g), [0.5, 0.5, 0.5, 0.5], Shape[1], Shape[2]);
        TensorAssert.Close(edx, TensorAssert.Values(x.grad!), 1e-12, 1e-15, "module input gradient");
        TensorAssert.Close(edBeta, TensorAssert.Values(swish.beta.grad!), 1e-12, 1e-12, "module beta gradient");

        // The default: one shared β = 1, in the default dtype.
        using var plain = Activations.Swish();
        Assert.Equal(new long[] { 1 }, plain.beta.shape);
        Assert.Equal(torch.get_default_dtype(), plain.beta.dtype);
        Assert.Equal(new double[] { 1 }, TensorAssert.Values(plain.beta));
    }

    [Fact]
    public void Stays_finite_where_beta_times_x_overflows()
    {
        // In float32 β·x = 1e36·1000 overflows to ±∞; σ is then exactly 0 or 1 and every true value is finite.
        var x = torch.tensor(new float[] { -1000, -1, -1e-30f, 0, 1e-30f, 1, 1000 });
        var beta = torch.tensor(new float[] { 1e36f });
        var g = torch.ones(7);
        var (y, dx, dBeta) = Run(x, beta, g);
        var xs = TensorAssert.Values(x);
        var (ey, edx, edBeta) = Expected(xs, TensorAssert.Values(g), TensorAssert.Values(beta), 1, 1);
        TensorAssert.Close(TensorAssert.RoundTo(ey, ScalarType.Float32), TensorAssert.Values(y), 1e-6, 1e-6, "swish forward, huge beta", xs);
        TensorAssert.Close(TensorAssert.RoundTo(edx, ScalarType.Float32), TensorAssert.Values(dx), 1e-6, 1e-6, "swish input gradient, huge beta", xs);
        TensorAssert.Close(TensorAssert.RoundTo(edBeta, ScalarType.Float32), TensorAssert.Values(dBeta), 1e-6, 1e-6, "swish beta gradient, huge beta");

        // And huge inputs with an ordinary β, in both dtypes.
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 }) {
            var big = torch.tensor(new double[] { -3e38, -1e30, -1000, 1000, 1e30, 3e38 }, dtype: dtype);
            var b = torch.tensor(new double[] { 1.5 }, dtype: dtype);
            var (by, bdx, bdBeta) = Run(big, b, torch.ones_like(big));
            var bs = TensorAssert.Values(big);
            var (eby, ebdx, _) = Expected(bs, [1, 1, 1, 1, 1, 1], [1.5], 1, 1);
            TensorAssert.Close(TensorAssert.RoundTo(eby, dtype), TensorAssert.Values(by), 1e-6, 1e-6, $"swish forward at extremes ({dtype})", bs);
            TensorAssert.Close(TensorAssert.RoundTo(ebdx, dtype), TensorAssert.Values(bdx), 1e-6, 1e-6, $"swish input gradient at extremes ({dtype})", bs);
            // x²·σ'(βx) underflows to 0 long before x² would overflow: the β gradient is exactly 0 here.
            Assert.Equal(0.0, TensorAssert.Values(bdBeta)[0]);
        }
    }

    [Fact]
    public void A_NaN_input_gives_a_NaN_gradient()
    {
        var (y, dx, dBeta) = Run(torch.tensor(new[] { double.NaN, 1.0 }), torch.tensor(new[] { 2.0 }), torch.ones(2, dtype: ScalarType.Float64));
        Assert.True(double.IsNaN(TensorAssert.Values(y)[0]));
        Assert.True(double.IsNaN(TensorAssert.Values(dx)[0]));
        Assert.True(double.IsNaN(TensorAssert.Values(dBeta)[0]));
    }

    [Fact]
    public void Runs_in_half_precision()
    {
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 }) {
            var x = (torch.randn([2, 4, 3], dtype: ScalarType.Float64, generator: new Generator(41)) * 3).to_type(dtype);
            var beta = torch.tensor(ChannelBetas, dtype: dtype);
            var g = torch.ones([2, 4, 3], dtype: dtype);
            var (y, dx, dBeta) = Run(x, beta, g);
            Assert.Equal(dtype, y.dtype);
            Assert.Equal(dtype, dx.dtype);
            Assert.Equal(dtype, dBeta.dtype);
            var (ey, edx, edBeta) = Expected(TensorAssert.Values(x), TensorAssert.Values(g), TensorAssert.Values(beta), 4, 3);
            double tol = dtype == ScalarType.BFloat16 ? 0.05 : 0.01;
            TensorAssert.Close(ey, TensorAssert.Values(y), tol, tol, $"swish forward in {dtype}");
            TensorAssert.Close(edx, TensorAssert.Values(dx), tol, tol, $"swish input gradient in {dtype}");
            // Six terms per β, each rounded to the dtype before they are summed.
            TensorAssert.Close(edBeta, TensorAssert.Values(dBeta), tol, 6 * tol, $"swish beta gradient in {dtype}");
        }
    }

    [Fact]
    public void Rejects_bad_parameters_naming_them()
    {
        Assert.Equal("num_parameters", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Swish(num_parameters: 0)).ParamName);
        Assert.Equal("init", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Swish(init: double.NaN)).ParamName);
        Assert.Equal("init", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Swish(init: double.PositiveInfinity)).ParamName);
        Assert.Equal("dtype", Assert.Throws<ArgumentException>(() => Activations.Swish(dtype: ScalarType.Int32)).ParamName);

        var x = torch.randn(2, 3, 4);
        Assert.Equal("beta", Assert.Throws<ArgumentNullException>(() => F.swish(x, null!)).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => F.swish(x, torch.ones(2))).ParamName);          // 2 is neither 1 nor C = 3
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => F.swish(x, torch.ones(3, 1))).ParamName);       // not 1-D
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => F.swish(x, torch.ones(3, dtype: ScalarType.Float64))).ParamName);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => F.swish(x, torch.ones(3, dtype: ScalarType.Int64))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => F.swish(torch.ones(2, 3, dtype: ScalarType.Int32), torch.ones(1))).ParamName);
        // A module with one β per channel rejects an input with another number of channels.
        using var perChannel = Activations.Swish(num_parameters: 5);
        Assert.Equal("beta", Assert.Throws<ArgumentException>(() => perChannel.call(x)).ParamName);
    }
}
