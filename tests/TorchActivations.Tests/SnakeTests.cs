using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;

namespace TorchActivations.Tests;

/// <summary>
/// Snake's learnable α, which the table (fixed α = 0.5) does not reach: the gradients of x and α, shared or per
/// channel, against the float64 formula and central differences; the series near α·x = 0 (α = 0 included) against
/// the closed form and the limits; the module's parameter and state dict; extremes; bad arguments.
/// </summary>
public class SnakeTests
{
    static readonly long[] Shape = [3, 4, 5];                      // N, C = 4 channels, L
    static readonly double[] ChannelAlphas = [-1.5, 0.02, 0.5, 2.25];

    /// <summary>
    /// Snake and its two partial derivatives at one point in float64, from the closed forms with System.Math.
    /// Only where |αx| is so small that sin²(αx) would underflow (below 1e-100) the limits x + αx² and x² stand
    /// in: there the neglected terms are 1e-200 relative.
    /// </summary>
    static (double Y, double Dx, double DAlpha) Formula(double x, double a)
    {
        double u = a * x;
        if (Math.Abs(u) < 1e-100) return (x + a * x * x, 1 + Math.Sin(2 * u), x * x);
        double s = Math.Sin(u);
        // (s/α)², not s²/α²: α² is subnormal for |α| < 1e-154.
        return (x + s * s / a, 1 + Math.Sin(2 * u), x * Math.Sin(2 * u) / a - (s / a) * (s / a));
    }

    static (double[] Y, double[] Dx, double[] DAlpha) Expected(double[] x, double[] g, double[] alphas, long channels, long inner)
    {
        var y = new double[x.Length];
        var dx = new double[x.Length];
        var dAlpha = new double[alphas.Length];
        for (int i = 0; i < x.Length; i++) {
            int c = alphas.Length == 1 ? 0 : (int)(i / inner % channels);
            var (fy, fdx, fda) = Formula(x[i], alphas[c]);
            y[i] = fy;
            dx[i] = g[i] * fdx;
            dAlpha[c] += g[i] * fda;
        }
        return (y, dx, dAlpha);
    }

    static (Tensor Y, Tensor Dx, Tensor DAlpha) Run(Tensor x, Tensor alpha, Tensor g)
    {
        var xl = x.detach().requires_grad_(true);
        var al = alpha.detach().requires_grad_(true);
        var y = F.snake(xl, al);
        y.backward([g]);
        return (y.detach(), xl.grad!.detach(), al.grad!.detach());
    }

    public static IEnumerable<object[]> AlphasAndDtypes =>
        from shared in new[] { true, false } from t in new[] { ScalarType.Float32, ScalarType.Float64 } select new object[] { shared, t };

    [Theory]
    [MemberData(nameof(AlphasAndDtypes))]
    public void Gradients_for_input_and_alpha_match_the_float64_formula(bool shared, ScalarType dtype)
    {
        double[] alphas = shared ? [0.75] : ChannelAlphas;
        var x = (torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(11)) * 3).to_type(dtype);
        var g = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(12)).to_type(dtype);
        var alpha = torch.tensor(alphas, dtype: dtype);
        var (y, dx, dAlpha) = Run(x, alpha, g);

        var xs = TensorAssert.Values(x);
        var (ey, edx, edAlpha) = Expected(xs, TensorAssert.Values(g), TensorAssert.Values(alpha), Shape[1], Shape[2]);
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"snake forward ({dtype})", xs);
        TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, atol, $"snake input gradient ({dtype})", xs);
        // α's gradient is a sum of 60 or 15 terms of both signs, each up to x²: allow for the rounding of the sum.
        double sumAtol = dtype == ScalarType.Float64 ? 1e-12 : 1e-4;
        TensorAssert.Close(edAlpha, TensorAssert.Values(dAlpha), rtol, sumAtol, $"snake alpha gradient ({dtype})");
        Assert.Equal(alpha.shape, dAlpha.shape);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gradients_for_input_and_alpha_match_finite_differences(bool shared)
    {
        const double h = 1e-6;
        double[] alphas = shared ? [0.75] : ChannelAlphas;
        var x = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(21)) * 3;
        var g = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(22));
        var (_, dx, dAlpha) = Run(x, torch.tensor(alphas, dtype: ScalarType.Float64), g);

        double Loss(double[] xv, double[] av)
        {
            using var scope = torch.NewDisposeScope();
            return (F.snake(torch.tensor(xv, dtype: ScalarType.Float64).reshape(Shape), torch.tensor(av, dtype: ScalarType.Float64)) * g).sum().item<double>();
        }

        var xs = TensorAssert.Values(x);
        var numericX = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++) {
            var plus = (double[])xs.Clone(); plus[i] += h;
            var minus = (double[])xs.Clone(); minus[i] -= h;
            numericX[i] = (Loss(plus, alphas) - Loss(minus, alphas)) / (2 * h);
        }
        var numericAlpha = new double[alphas.Length];
        for (int c = 0; c < alphas.Length; c++) {
            var plus = (double[])alphas.Clone(); plus[c] += h;
            var minus = (double[])alphas.Clone(); minus[c] -= h;
            numericAlpha[c] = (Loss(xs, plus) - Loss(xs, minus)) / (2 * h);
        }
        TensorAssert.Close(numericX, TensorAssert.Values(dx), 1e-6, 1e-7, "snake input gradient vs central differences", xs);
        TensorAssert.Close(numericAlpha, TensorAssert.Values(dAlpha), 1e-6, 1e-6, "snake alpha gradient vs central differences");
    }

    /// <summary>α·x on both sides of the series threshold 0.01, down to α = 0, in float64: value and both derivatives to 1e-13.</summary>
    [Theory]
    [InlineData(0.0)]
    [InlineData(1e-300)]
    [InlineData(-1e-160)]
    [InlineData(1e-20)]
    [InlineData(1e-8)]
    [InlineData(-3e-5)]
    [InlineData(1e-3)]
    [InlineData(0.00333)]
    [InlineData(-0.003334)]
    [InlineData(0.0034)]
    [InlineData(0.05)]
    [InlineData(1.0)]
    public void Is_accurate_near_and_at_alpha_zero(double alpha)
    {
        // x = ±3 puts α·x at 3α: the inputs 0.00333 and 0.0034 straddle the threshold |αx| = 0.01.
        double[] xs = [-3, -1e-3, 0, 1e-3, 3, 2.5e150];
        var x = torch.tensor(xs, dtype: ScalarType.Float64);
        var g = torch.ones(xs.Length, dtype: ScalarType.Float64);
        foreach (var (i, v) in xs.Select((v, i) => (i, v))) {
            var (y, dx, dAlpha) = Run(x[i].reshape(1), torch.tensor(new[] { alpha }), g[i].reshape(1));
            var (ey, edx, eda) = Formula(v, alpha);
            string at = $"x = {v:R}, alpha = {alpha:R}";
            TensorAssert.Close([ey], TensorAssert.Values(y), 1e-13, 0, $"snake value at {at}");
            TensorAssert.Close([edx], TensorAssert.Values(dx), 1e-13, 1e-16, $"snake input gradient at {at}");
            TensorAssert.Close([eda], TensorAssert.Values(dAlpha), 1e-13, 0, $"snake alpha gradient at {at}");
        }
    }

    [Fact]
    public void At_alpha_zero_it_is_the_identity_with_alpha_gradient_x_squared()
    {
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64, ScalarType.BFloat16, ScalarType.Float16 }) {
            var x = torch.tensor(new[] { -2.0, -0.5, 0, 0.25, 3 }, dtype: dtype);
            var (y, dx, dAlpha) = Run(x, torch.zeros(1, dtype: dtype), torch.ones(5, dtype: dtype));
            Assert.Equal(TensorAssert.Values(x), TensorAssert.Values(y));
            Assert.Equal(new double[] { 1, 1, 1, 1, 1 }, TensorAssert.Values(dx));
            Assert.Equal(4 + 0.25 + 0 + 0.0625 + 9, TensorAssert.Values(dAlpha)[0]);
        }
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Extremes_are_finite_except_at_infinity(ScalarType dtype)
    {
        double big = dtype == ScalarType.Float32 ? 3e38 : 1e300;
        double[] values = [-big, -1000, -1e-30, -0.0, 0.0, 1e-30, 1000, big];
        var x = torch.tensor(values, dtype: dtype);
        var g = torch.ones(values.Length, dtype: dtype);
        var (y, dx, _) = Run(x, torch.ones(1, dtype: dtype), g);
        var xs = TensorAssert.Values(x);
        var (ey, edx, _) = Expected(xs, TensorAssert.Values(g), [1.0], 1, 1);
        double rtol = dtype == ScalarType.Float64 ? 1e-12 : 1e-5;
        var (_, atol) = TensorAssert.Tolerance(dtype);
        TensorAssert.Close(TensorAssert.RoundTo(ey, dtype), TensorAssert.Values(y), rtol, atol, $"snake forward at extremes ({dtype})", xs);
        TensorAssert.Close(TensorAssert.RoundTo(edx, dtype), TensorAssert.Values(dx), rtol, atol, $"snake input gradient at extremes ({dtype})", xs);

        // sin(±∞) is undefined, as is NaN: all three give NaN, documented.
        var (ny, ndx, nda) = Run(torch.tensor(new[] { double.PositiveInfinity, double.NegativeInfinity, double.NaN }, dtype: dtype),
                                 torch.ones(1, dtype: dtype), torch.ones(3, dtype: dtype));
        Assert.All(TensorAssert.Values(ny), v => Assert.True(double.IsNaN(v)));
        Assert.All(TensorAssert.Values(ndx), v => Assert.True(double.IsNaN(v)));
        Assert.True(double.IsNaN(TensorAssert.Values(nda)[0]));
    }

    [Fact]
    public void Module_learns_a_parameter_named_alpha_and_round_trips_its_state_dict()
    {
        using var snake = Activations.Snake(num_parameters: 4, init: 0.5, dtype: ScalarType.Float64);
        var parameters = snake.named_parameters().ToList();
        Assert.Single(parameters);
        Assert.Equal("alpha", parameters[0].name);
        Assert.Equal(new long[] { 4 }, snake.alpha.shape);
        Assert.Equal(new double[] { 0.5, 0.5, 0.5, 0.5 }, TensorAssert.Values(snake.alpha));
        Assert.Equal(4, snake.num_parameters);
        Assert.Equal(0.5, snake.init);

        var x = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(31)).requires_grad_(true);
        var g = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(32));
        snake.call(x).backward([g]);
        var (_, edx, edAlpha) = Expected(TensorAssert.Values(x), TensorAssert.Values(g), [0.5, 0.5, 0.5, 0.5], Shape[1], Shape[2]);
        TensorAssert.Close(edx, TensorAssert.Values(x.grad!), 1e-12, 1e-15, "module input gradient");
        TensorAssert.Close(edAlpha, TensorAssert.Values(snake.alpha.grad!), 1e-12, 1e-12, "module alpha gradient");

        using (torch.no_grad()) snake.alpha.copy_(torch.tensor(ChannelAlphas, dtype: ScalarType.Float64));
        var expected = snake.call(x).detach();
        using var restored = Activations.Snake(num_parameters: 4, dtype: ScalarType.Float64);
        restored.load_state_dict(snake.state_dict());
        Assert.Equal(ChannelAlphas, TensorAssert.Values(restored.alpha));
        TensorAssert.Close(expected, restored.call(x), 0, 0, "snake output after load_state_dict");
        var path = Path.GetTempFileName();
        try {
            snake.save(path);
            using var loaded = Activations.Snake(num_parameters: 4, dtype: ScalarType.Float64);
            loaded.load(path);
            TensorAssert.Close(expected, loaded.call(x), 0, 0, "snake output after save and load");
        } finally {
            File.Delete(path);
        }

        using var plain = Activations.Snake();
        Assert.Equal(new long[] { 1 }, plain.alpha.shape);
        Assert.Equal(new double[] { 1 }, TensorAssert.Values(plain.alpha));
        var looked = (Modules.Snake)Activations.Create("snake(num_parameters=3, init=0.25)");
        Assert.Equal(new double[] { 0.25, 0.25, 0.25 }, TensorAssert.Values(looked.alpha));
        Assert.Equal("snake(num_parameters=1, init=1)", Activations.Describe("snake"));
    }

    [Fact]
    public void Runs_in_half_precision()
    {
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 }) {
            var x = (torch.randn([2, 4, 3], dtype: ScalarType.Float64, generator: new Generator(41)) * 3).to_type(dtype);
            var alpha = torch.tensor(ChannelAlphas, dtype: dtype);
            var g = torch.ones([2, 4, 3], dtype: dtype);
            var (y, dx, dAlpha) = Run(x, alpha, g);
            Assert.Equal(dtype, y.dtype);
            Assert.Equal(dtype, dAlpha.dtype);
            var (ey, edx, edAlpha) = Expected(TensorAssert.Values(x), TensorAssert.Values(g), TensorAssert.Values(alpha), 4, 3);
            double tol = dtype == ScalarType.BFloat16 ? 0.05 : 0.01;
            TensorAssert.Close(ey, TensorAssert.Values(y), tol, tol, $"snake forward in {dtype}");
            TensorAssert.Close(edx, TensorAssert.Values(dx), tol, tol, $"snake input gradient in {dtype}");
            // Six terms per α, each up to x² and rounded to the dtype before they are summed.
            TensorAssert.Close(edAlpha, TensorAssert.Values(dAlpha), tol, 60 * tol, $"snake alpha gradient in {dtype}");
        }
    }

    [Fact]
    public void Rejects_bad_parameters_naming_them()
    {
        Assert.Equal("num_parameters", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Snake(num_parameters: 0)).ParamName);
        Assert.Equal("init", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Snake(init: double.NaN)).ParamName);
        Assert.Equal("dtype", Assert.Throws<ArgumentException>(() => Activations.Snake(dtype: ScalarType.Int32)).ParamName);

        var x = torch.randn(2, 3, 4);
        Assert.Equal("alpha", Assert.Throws<ArgumentNullException>(() => F.snake(x, null!)).ParamName);
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => F.snake(x, torch.ones(2))).ParamName);          // 2 is neither 1 nor C = 3
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => F.snake(x, torch.ones(3, 1))).ParamName);       // not 1-D
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => F.snake(x, torch.ones(3, dtype: ScalarType.Float64))).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => F.snake(torch.ones(2, 3, dtype: ScalarType.Int32), torch.ones(1))).ParamName);
        using var perChannel = Activations.Snake(num_parameters: 5);
        Assert.Equal("alpha", Assert.Throws<ArgumentException>(() => perChannel.call(x)).ParamName);
    }
}
