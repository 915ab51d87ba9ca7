using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;

namespace TorchActivations.Tests;

/// <summary>
/// StarReLU's learnable scale and bias, which the table (fixed s and b) does not reach: the gradients of x, s and b
/// against the float64 formula and central differences, freezing either parameter, the module's parameters and
/// state dict, extremes and bad arguments.
/// </summary>
public class StarReLUTests
{
    static readonly long[] Shape = [3, 4, 5];

    /// <summary>s·ReLU(x)² + b and the gradients Σ g·∂y/∂x, Σ g·∂y/∂s, Σ g·∂y/∂b, in float64.</summary>
    static (double[] Y, double[] Dx, double DScale, double DBias) Expected(double[] x, double[] g, double s, double b)
    {
        var y = new double[x.Length];
        var dx = new double[x.Length];
        double dScale = 0, dBias = 0;
        for (int i = 0; i < x.Length; i++) {
            double r = Math.Max(x[i], 0);
            y[i] = s * r * r + b;
            dx[i] = g[i] * 2 * s * r;
            dScale += g[i] * r * r;
            dBias += g[i];
        }
        return (y, dx, dScale, dBias);
    }

    static (Tensor Y, Tensor Dx, Tensor? DScale, Tensor? DBias) Run(Tensor x, Tensor scale, Tensor bias, Tensor g, bool scaleGrad = true, bool biasGrad = true)
    {
        var xl = x.detach().requires_grad_(true);
        var sl = scale.detach().requires_grad_(scaleGrad);
        var bl = bias.detach().requires_grad_(biasGrad);
        var y = F.star_relu(xl, sl, bl);
        y.backward([g]);
        return (y.detach(), xl.grad!.detach(), sl.grad?.detach(), bl.grad?.detach());
    }

    static Tensor One(double v, ScalarType dtype) => torch.tensor(new[] { v }, dtype: dtype);

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Gradients_for_input_scale_and_bias_match_the_float64_formula(ScalarType dtype)
    {
        var x = (torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(11)) * 3).to_type(dtype);
        var g = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(12)).to_type(dtype);
        var (y, dx, ds, db) = Run(x, One(1.3, dtype), One(-0.7, dtype), g);
        var xs = TensorAssert.Values(x);
        var (s, b) = (TensorAssert.Values(One(1.3, dtype))[0], TensorAssert.Values(One(-0.7, dtype))[0]);
        var (ey, edx, eds, edb) = Expected(xs, TensorAssert.Values(g), s, b);
        var (rtol, atol) = TensorAssert.Tolerance(dtype);
        TensorAssert.Close(ey, TensorAssert.Values(y), rtol, atol, $"star_relu forward ({dtype})", xs);
        TensorAssert.Close(edx, TensorAssert.Values(dx), rtol, atol, $"star_relu input gradient ({dtype})", xs);
        // Sums of 60 terms of both signs: allow for the rounding of the sum.
        double sumAtol = dtype == ScalarType.Float64 ? 1e-12 : 1e-4;
        TensorAssert.Close([eds], TensorAssert.Values(ds!), rtol, sumAtol, $"star_relu scale gradient ({dtype})");
        TensorAssert.Close([edb], TensorAssert.Values(db!), rtol, sumAtol, $"star_relu bias gradient ({dtype})");
        Assert.Equal(new long[] { 1 }, ds!.shape);
        Assert.Equal(new long[] { 1 }, db!.shape);
    }

    [Fact]
    public void Gradients_match_finite_differences()
    {
        const double h = 1e-6;
        var x = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(21)) * 3;
        x = torch.where(x.abs() < 1e-3, x + 0.01, x);
        var g = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(22));
        double s0 = 0.8944, b0 = -0.4472;
        var (_, dx, ds, db) = Run(x, One(s0, ScalarType.Float64), One(b0, ScalarType.Float64), g);

        double Loss(double[] xv, double s, double b)
        {
            using var scope = torch.NewDisposeScope();
            var y = F.star_relu(torch.tensor(xv, dtype: ScalarType.Float64).reshape(Shape), One(s, ScalarType.Float64), One(b, ScalarType.Float64));
            return (y * g).sum().item<double>();
        }

        var xs = TensorAssert.Values(x);
        var numeric = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++) {
            var plus = (double[])xs.Clone(); plus[i] += h;
            var minus = (double[])xs.Clone(); minus[i] -= h;
            numeric[i] = (Loss(plus, s0, b0) - Loss(minus, s0, b0)) / (2 * h);
        }
        TensorAssert.Close(numeric, TensorAssert.Values(dx), 1e-6, 1e-7, "star_relu input gradient vs central differences", xs);
        TensorAssert.Close([(Loss(xs, s0 + h, b0) - Loss(xs, s0 - h, b0)) / (2 * h)], TensorAssert.Values(ds!), 1e-6, 1e-6, "scale gradient vs central differences");
        TensorAssert.Close([(Loss(xs, s0, b0 + h) - Loss(xs, s0, b0 - h)) / (2 * h)], TensorAssert.Values(db!), 1e-6, 1e-6, "bias gradient vs central differences");
    }

    [Fact]
    public void A_frozen_parameter_gets_no_gradient_and_the_others_are_unchanged()
    {
        var x = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(31)) * 3;
        var g = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(32));
        var (s, b) = (One(0.8944, ScalarType.Float64), One(-0.4472, ScalarType.Float64));
        var (_, dx, ds, db) = Run(x, s, b, g);
        foreach (var (scaleGrad, biasGrad) in new[] { (false, true), (true, false), (false, false) }) {
            var (_, fdx, fds, fdb) = Run(x, s, b, g, scaleGrad, biasGrad);
            TensorAssert.Close(dx, fdx, 0, 0, $"input gradient with scale {(scaleGrad ? "learnable" : "frozen")}, bias {(biasGrad ? "learnable" : "frozen")}");
            if (scaleGrad) TensorAssert.Close(ds!, fds!, 0, 0, "scale gradient with the bias frozen"); else Assert.Null(fds);
            if (biasGrad) TensorAssert.Close(db!, fdb!, 0, 0, "bias gradient with the scale frozen"); else Assert.Null(fdb);
        }
    }

    [Fact]
    public void Module_has_learnable_scale_and_bias_that_can_be_frozen()
    {
        using var act = Activations.StarReLU();
        var parameters = act.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(["scale", "bias"], parameters.Keys.OrderByDescending(k => k));
        Assert.Equal(new long[] { 1 }, act.scale.shape);
        Assert.Equal(torch.get_default_dtype(), act.bias.dtype);
        Assert.Equal((double)0.8944f, TensorAssert.Values(act.scale)[0]);
        Assert.Equal((double)-0.4472f, TensorAssert.Values(act.bias)[0]);
        Assert.True(act.scale.requires_grad && act.bias.requires_grad);

        using var frozen = Activations.StarReLU(1.0, 0.0, scale_learnable: false, dtype: ScalarType.Float64);
        Assert.False(frozen.scale.requires_grad);
        Assert.True(frozen.bias.requires_grad);
        Assert.Equal(2, frozen.parameters().Count());   // a frozen parameter stays registered, as in MetaFormer
        var x = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(41)).requires_grad_(true);
        frozen.call(x).sum().backward();
        Assert.Null(frozen.scale.grad);
        Assert.Equal(Shape.Aggregate(1L, (p, n) => p * n), TensorAssert.Values(frozen.bias.grad!)[0]);   // Σ 1 over every element

        var looked = (Modules.StarReLU)Activations.Create("star_relu(bias_learnable=false)");
        Assert.True(looked.scale.requires_grad);
        Assert.False(looked.bias.requires_grad);
        Assert.Equal("star_relu(scale_value=0.8944, bias_value=-0.4472, scale_learnable=true, bias_learnable=true)", Activations.Describe("star_relu"));
    }

    [Fact]
    public void State_dict_round_trip_restores_scale_bias_and_outputs()
    {
        using var trained = Activations.StarReLU(dtype: ScalarType.Float64);
        using (torch.no_grad()) {
            trained.scale.fill_(1.75);
            trained.bias.fill_(-0.25);
        }
        var x = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator(51)) * 2;
        var expected = trained.call(x).detach();

        var path = Path.GetTempFileName();
        try {
            trained.save(path);
            using var restored = Activations.StarReLU(dtype: ScalarType.Float64);
            restored.load(path);
            Assert.Equal(new[] { 1.75 }, TensorAssert.Values(restored.scale));
            Assert.Equal(new[] { -0.25 }, TensorAssert.Values(restored.bias));
            TensorAssert.Close(expected, restored.call(x), 0, 0, "star_relu output after save and load");
        } finally {
            File.Delete(path);
        }

        using var copy = Activations.StarReLU(dtype: ScalarType.Float64);
        copy.load_state_dict(trained.state_dict());
        Assert.Equal(["bias", "scale"], trained.state_dict().Keys.OrderBy(k => k));
        TensorAssert.Close(expected, copy.call(x), 0, 0, "star_relu output after load_state_dict");
    }

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Extremes_give_the_formula_rounded_to_the_dtype(ScalarType dtype)
    {
        double big = dtype == ScalarType.Float32 ? 3e38 : 1e300;
        double[] values = [-big, -1000, -0.0, 0.0, 1e-30, 1000, 1.8e19, big, double.PositiveInfinity, double.NegativeInfinity];
        var x = torch.tensor(values, dtype: dtype);
        var g = torch.ones(values.Length, dtype: dtype);
        var (y, dx, ds, db) = Run(x, One(0.8944, dtype), One(-0.4472, dtype), g);
        var xs = TensorAssert.Values(x);
        var (s, b) = (TensorAssert.Values(One(0.8944, dtype))[0], TensorAssert.Values(One(-0.4472, dtype))[0]);
        var (ey, edx, eds, edb) = Expected(xs, TensorAssert.Values(g), s, b);
        double rtol = dtype == ScalarType.Float64 ? 1e-12 : 1e-6;
        // s·ReLU(x)² overflows to +∞ exactly where the true value exceeds the dtype's range (1.8e19 stays finite in float32).
        TensorAssert.Close(TensorAssert.RoundTo(ey, dtype), TensorAssert.Values(y), rtol, 0, $"star_relu forward at extremes ({dtype})", xs);
        TensorAssert.Close(TensorAssert.RoundTo(edx, dtype), TensorAssert.Values(dx), rtol, 0, $"star_relu input gradient at extremes ({dtype})", xs);
        Assert.Equal(double.PositiveInfinity, TensorAssert.Values(ds!)[0]);
        Assert.Equal(edb, TensorAssert.Values(db!)[0]);

        var (ny, ndx, _, _) = Run(torch.tensor(new[] { double.NaN }, dtype: dtype), One(1, dtype), One(0, dtype), torch.ones(1, dtype: dtype));
        Assert.True(double.IsNaN(TensorAssert.Values(ny)[0]) && double.IsNaN(TensorAssert.Values(ndx)[0]), "NaN in, NaN out");
    }

    [Fact]
    public void Runs_in_half_precision()
    {
        foreach (var dtype in new[] { ScalarType.BFloat16, ScalarType.Float16 }) {
            var x = (torch.randn([2, 4, 3], dtype: ScalarType.Float64, generator: new Generator(61)) * 3).to_type(dtype);
            var g = torch.ones([2, 4, 3], dtype: dtype);
            var (y, dx, ds, db) = Run(x, One(0.8944, dtype), One(-0.4472, dtype), g);
            Assert.Equal(dtype, y.dtype);
            Assert.Equal(dtype, ds!.dtype);
            var (s, b) = (TensorAssert.Values(One(0.8944, dtype))[0], TensorAssert.Values(One(-0.4472, dtype))[0]);
            var (ey, edx, eds, edb) = Expected(TensorAssert.Values(x), TensorAssert.Values(g), s, b);
            double tol = dtype == ScalarType.BFloat16 ? 0.05 : 0.01;
            TensorAssert.Close(ey, TensorAssert.Values(y), tol, tol, $"star_relu forward in {dtype}");
            TensorAssert.Close(edx, TensorAssert.Values(dx), tol, tol, $"star_relu input gradient in {dtype}");
            TensorAssert.Close([eds], TensorAssert.Values(ds), tol, 24 * tol, $"star_relu scale gradient in {dtype}");
            TensorAssert.Close([edb], TensorAssert.Values(db!), 0, 0, $"star_relu bias gradient in {dtype}");
        }
    }

    [Fact]
    public void Rejects_bad_arguments_naming_them()
    {
        Assert.Equal("scale_value", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.StarReLU(double.NaN)).ParamName);
        Assert.Equal("bias_value", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.StarReLU(1, double.PositiveInfinity)).ParamName);
        Assert.Equal("dtype", Assert.Throws<ArgumentException>(() => Activations.StarReLU(dtype: ScalarType.Int32)).ParamName);
        Assert.Equal("scale_value", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Create("star_relu(scale_value=nan)")).ParamName);

        var x = torch.randn(2, 3);
        var one = torch.ones(1);
        Assert.Equal("scale", Assert.Throws<ArgumentNullException>(() => F.star_relu(x, null!, one)).ParamName);
        Assert.Equal("bias", Assert.Throws<ArgumentNullException>(() => F.star_relu(x, one, null!)).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentException>(() => F.star_relu(x, torch.ones(3), one)).ParamName);       // per channel: not StarReLU
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => F.star_relu(x, one, torch.ones(2))).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentException>(() => F.star_relu(x, torch.ones(1, 1), one)).ParamName);    // 2-D
        Assert.Equal("bias", Assert.Throws<ArgumentException>(() => F.star_relu(x, one, torch.ones(1, dtype: ScalarType.Float64))).ParamName);
        Assert.Equal("scale", Assert.Throws<ArgumentException>(() => F.star_relu(x, torch.ones(1, dtype: ScalarType.Int64), one)).ParamName);
        Assert.Equal("input", Assert.Throws<ArgumentException>(() => F.star_relu(torch.ones(2, dtype: ScalarType.Int32), one, one)).ParamName);
        // 0-D parameters are accepted, like a 1-element vector.
        TensorAssert.Close(F.star_relu(x, one, one), F.star_relu(x, torch.tensor(1f), torch.tensor(1f)), 0, 0, "0-D scale and bias");
    }
}
