using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;
using Approximate = TorchSharp.Modules.GELU.Approximate;

namespace TorchActivations.Tests.Reliability;

/// <summary>
/// Second derivatives through the package's backward (torch.autograd.grad with retain_graph: true, create_graph: true),
/// checked against central differences of the package's own first derivative in float64.
/// The first derivative itself is checked against the float64 formula in CrossCheckTests.
/// </summary>
public class HigherOrderGradientTests
{
    public sealed record Smooth(string Name, Func<Tensor, Tensor> F, double[] Kinks)
    {
        public override string ToString() => Name;
    }

    static readonly Smooth[] SmoothCases = [
        new("elu(alpha=1)", x => F.elu(x, 1), [0]),
        new("elu(alpha=0.5)", x => F.elu(x, 0.5), [0]),
        new("celu(alpha=2)", x => F.celu(x, 2), [0]),
        new("selu", x => F.selu(x), [0]),
        new("softplus", x => F.softplus(x), []),
        new("softplus(beta=2, threshold=10)", x => F.softplus(x, 2, 10), [5]),
        new("gelu", x => F.gelu(x), []),
        new("gelu(approximate=tanh)", x => F.gelu(x, Approximate.tanh), []),
        new("sigmoid", x => F.sigmoid(x), []),
        new("tanh", x => F.tanh(x), []),
        new("softsign", x => F.softsign(x), [0]),
        new("logsigmoid", x => F.logsigmoid(x), []),
        new("softmin(dim=1)", x => F.softmin(x, 1), []),
        new("softmax(dim=1)", x => F.softmax(x, 1), []),
        new("log_softmax(dim=1)", x => F.log_softmax(x, 1), []),
        // Beyond the notes (the gated units, which halve their input: GatedUnitTests).
        new("relu_squared", x => F.relu_squared(x), [0]),
        new("star_relu", x => F.star_relu(x, torch.full(1, 0.8944, dtype: x.dtype), torch.full(1, -0.4472, dtype: x.dtype)), [0]),
        new("quick_gelu", x => F.quick_gelu(x), []),
        new("snake(alpha=0.5)", x => F.snake(x, torch.full(1, 0.5, dtype: x.dtype)), []),
        new("snake(alpha=0.001)", x => F.snake(x, torch.full(1, 0.001, dtype: x.dtype)), []),   // |αx| < 0.01: the series
    ];

    public static IEnumerable<object[]> SmoothData => SmoothCases.Select(c => new object[] { c });

    // Tanhshrink once saved tanh(x) computed where nothing records, which cut its second derivative
    // off; it now saves x, and these two tests guard that.
    static readonly Smooth Tanhshrink = new("tanhshrink", x => F.tanhshrink(x), []);

    [Fact]
    public void Tanhshrink_second_derivative_matches_finite_differences() => Second_derivative_matches_finite_differences_of_the_first(Tanhshrink);

    [Fact]
    public void Tanhshrink_second_derivative_is_right_when_the_incoming_gradient_requires_grad() => Second_derivative_is_right_when_the_incoming_gradient_requires_grad(Tanhshrink);

    static readonly long[] Shape = [3, 5];

    static Tensor Points(double[] kinks, int seed)
    {
        var x = torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed)) * 2.5;
        foreach (var k in kinks)
            x = torch.where((x - k).abs() < 0.05, x + 0.1, x);
        return x;
    }

    static Tensor Random(int seed) => torch.randn(Shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed));

    /// <summary>J(x)ᵀ·g by the package's backward, without recording.</summary>
    static double[] FirstDerivative(Func<Tensor, Tensor> f, double[] x, Tensor g)
    {
        using var scope = torch.NewDisposeScope();
        var leaf = torch.tensor(x, dtype: ScalarType.Float64).reshape(Shape).requires_grad_(true);
        var y = f(leaf);
        var d = torch.autograd.grad([y], [leaf], [g])[0];
        return TensorAssert.Values(d);
    }

    /// <summary>∂/∂x_i of w·(J(x)ᵀ·g) by central differences of the first derivative.</summary>
    static double[] NumericSecond(Func<Tensor, Tensor> f, Tensor x, Tensor g, Tensor w)
    {
        const double h = 1e-5;
        var xs = TensorAssert.Values(x);
        var ws = TensorAssert.Values(w);
        var result = new double[xs.Length];
        for (int i = 0; i < xs.Length; i++) {
            var plus = (double[])xs.Clone(); plus[i] += h;
            var minus = (double[])xs.Clone(); minus[i] -= h;
            var dp = FirstDerivative(f, plus, g);
            var dm = FirstDerivative(f, minus, g);
            double s = 0;
            for (int j = 0; j < ws.Length; j++) s += ws[j] * (dp[j] - dm[j]);
            result[i] = s / (2 * h);
        }
        return result;
    }

    [Theory]
    [MemberData(nameof(SmoothData))]
    public void Second_derivative_matches_finite_differences_of_the_first(Smooth c)
    {
        var x = Points(c.Kinks, seed: 11);
        var g = Random(12);
        var w = Random(13);

        var leaf = x.clone().requires_grad_(true);
        var y = c.F(leaf);
        var first = torch.autograd.grad([y], [leaf], [g], retain_graph: true, create_graph: true)[0];
        Assert.True(first.requires_grad, $"{c}: the first derivative does not depend on x in the graph (retain_graph: true, create_graph: true); its backward is not differentiable.");
        var second = torch.autograd.grad([first], [leaf], [w])[0];

        var expected = NumericSecond(c.F, x, g, w);
        TensorAssert.Close(expected, TensorAssert.Values(second), 1e-6, 1e-8, $"{c} second derivative vs central differences", TensorAssert.Values(x));
    }

    /// <summary>
    /// Inside a network the gradient reaching the activation depends on later weights, so the first
    /// derivative requires grad whatever the activation does; the part through x must still be there.
    /// This is the case where a backward that is not differentiable gives a silently wrong number.
    /// </summary>
    [Theory]
    [MemberData(nameof(SmoothData))]
    public void Second_derivative_is_right_when_the_incoming_gradient_requires_grad(Smooth c)
    {
        var x = Points(c.Kinks, seed: 21);
        var g = Random(22);
        var w = Random(23);

        var leaf = x.clone().requires_grad_(true);
        var gLeaf = g.clone().requires_grad_(true);
        var y = c.F(leaf);
        var first = torch.autograd.grad([y], [leaf], [gLeaf], retain_graph: true, create_graph: true)[0];
        var grads = torch.autograd.grad([first], [leaf, gLeaf], [w], allow_unused: true);
        Assert.False(grads[0] is null || grads[0].IsInvalid,
            $"{c}: d/dx of the first derivative is missing (treated as 0); the backward dropped its dependence on x.");

        var expected = NumericSecond(c.F, x, g, w);
        TensorAssert.Close(expected, TensorAssert.Values(grads[0]), 1e-6, 1e-8, $"{c} second derivative (incoming gradient requires grad)", TensorAssert.Values(x));

        // d/dg of w·(Jᵀg) is J·w: for an element-wise f it is f'(x)·w, i.e. the first derivative with w as incoming gradient.
        var jw = FirstDerivative(c.F, TensorAssert.Values(x), w);
        if (!c.Name.Contains("dim")) {
            TensorAssert.Close(jw, TensorAssert.Values(grads[1]), 1e-12, 1e-14, $"{c} mixed derivative d/dg");
        }
    }

    /// <summary>The second derivative must agree with TorchSharp's built-in (which PyTorch differentiates twice natively).</summary>
    [Theory]
    [MemberData(nameof(SmoothData))]
    public void Second_derivative_matches_the_builtin(Smooth c)
    {
        var builtin = Builtin(c.Name);
        var x = Points(c.Kinks, seed: 31);
        var g = Random(32);
        var w = Random(33);
        double[] Hvp(Func<Tensor, Tensor> f)
        {
            var leaf = x.clone().requires_grad_(true);
            var first = torch.autograd.grad([f(leaf)], [leaf], [g], retain_graph: true, create_graph: true)[0];
            return TensorAssert.Values(torch.autograd.grad([first], [leaf], [w])[0]);
        }
        TensorAssert.Close(Hvp(builtin), Hvp(c.F), 1e-10, 1e-12, $"{c} second derivative vs built-in");
    }

    static Func<Tensor, Tensor> Builtin(string name) => name switch {
        "elu(alpha=1)" => x => nn.functional.elu(x, 1),
        "elu(alpha=0.5)" => x => nn.functional.elu(x, 0.5),
        "celu(alpha=2)" => x => nn.functional.celu(x, 2),
        "selu" => x => nn.functional.selu(x),
        "softplus" => x => nn.functional.softplus(x),
        "softplus(beta=2, threshold=10)" => x => nn.functional.softplus(x, 2, 10),
        "gelu" => x => nn.functional.gelu(x),
        "gelu(approximate=tanh)" => x => nn.functional.gelu(x, Approximate.tanh),
        "sigmoid" => x => nn.functional.sigmoid(x),
        "tanh" => x => nn.functional.tanh(x),
        "softsign" => x => nn.functional.softsign(x),
        "tanhshrink" => x => nn.functional.tanhshrink(x),
        "logsigmoid" => x => nn.functional.logsigmoid(x),
        "softmin(dim=1)" => x => nn.functional.softmin(x, 1),
        "softmax(dim=1)" => x => nn.functional.softmax(x, 1),
        "log_softmax(dim=1)" => x => nn.functional.log_softmax(x, 1),
        "relu_squared" => x => nn.functional.relu(x).square(),
        "star_relu" => x => nn.functional.relu(x).square() * 0.8944 - 0.4472,
        "quick_gelu" => x => x * nn.functional.sigmoid(x * 1.702),
        "snake(alpha=0.5)" => x => x + (x * 0.5).sin().square() / 0.5,
        "snake(alpha=0.001)" => x => x + (x * 0.001).sin().square() / 0.001,
        _ => throw new ArgumentException(name),
    };

    // ---- Piecewise-linear activations: f'' = 0 wherever it exists. ----

    static Tensor Slope(Tensor x) => torch.full(1, 0.25, dtype: x.dtype);

    public static IEnumerable<object[]> PiecewiseLinear() => new (string, Func<Tensor, Tensor>)[] {
        ("relu", x => F.relu(x)),
        ("leaky_relu", x => F.leaky_relu(x, 0.2)),
        ("prelu", x => F.prelu(x, Slope(x))),
        ("rrelu (evaluation)", x => F.rrelu(x, 0.1, 0.3)),
        ("relu6", x => F.relu6(x)),
        ("hardtanh", x => F.hardtanh(x, -2, 1.5)),
        ("threshold", x => F.threshold(x, 0.5, -3)),
        ("heaviside", x => F.heaviside(x, 0.5)),
        ("softshrink", x => F.softshrink(x, 0.5)),
        ("hardshrink", x => F.hardshrink(x, 0.5)),
        ("hardsigmoid", x => F.hardsigmoid(x)),
    }.Select(p => new object[] { p.Item1, p.Item2 });

    /// <summary>
    /// The first derivative of a piecewise-linear function is constant on each piece. As with TorchSharp's built-ins it
    /// stays in the graph under create_graph, so its derivative with respect to the input exists and is exactly 0
    /// (an error there would terminate the process: TorchSharp 0.107.0 does not turn libtorch errors inside
    /// torch.autograd.grad into exceptions). With an incoming gradient that requires grad (the activation inside a
    /// network), d/dx is 0 and d/dg is f'(x)·w.
    /// </summary>
    [Theory]
    [MemberData(nameof(PiecewiseLinear))]
    public void Piecewise_linear_second_derivative_is_zero(string name, Func<Tensor, Tensor> f)
    {
        var x = Points([0, 0.5, -0.5, 6, -2, 1.5], seed: 41);
        var g = Random(42);
        var w = Random(43);

        var leaf = x.clone().requires_grad_(true);
        var first = torch.autograd.grad([f(leaf)], [leaf], [g], retain_graph: true, create_graph: true)[0];
        Assert.True(first.requires_grad, $"{name}: the first derivative is outside the graph");
        Assert.Equal(FirstDerivative(f, TensorAssert.Values(x), g), TensorAssert.Values(first));
        var second = torch.autograd.grad([first], [leaf], [w])[0];
        Assert.True(TensorAssert.Values(second).All(v => v == 0), $"{name}: second derivative should be 0.");

        var gLeaf = g.clone().requires_grad_(true);
        var leaf2 = x.clone().requires_grad_(true);
        var first2 = torch.autograd.grad([f(leaf2)], [leaf2], [gLeaf], retain_graph: true, create_graph: true)[0];
        var grads = torch.autograd.grad([first2], [leaf2, gLeaf], [w], allow_unused: true);
        Assert.True(TensorAssert.Values(grads[0]).All(v => v == 0), $"{name}: d/dx of the first derivative should be 0.");
        var jw = FirstDerivative(f, TensorAssert.Values(x), w);
        if (jw.All(v => v == 0) && (grads[1] is null || grads[1].IsInvalid)) return;   // heaviside: f' = 0, no path to g
        Assert.Equal(jw, TensorAssert.Values(grads[1]));
    }

    /// <summary>
    /// The same second derivative as TorchSharp's built-in, where the built-in has one (libtorch implements none for
    /// hardsigmoid's backward, and asking terminates the process).
    /// </summary>
    [Theory]
    [MemberData(nameof(PiecewiseLinearWithBuiltins))]
    public void Piecewise_linear_second_derivative_matches_the_builtin(string name, Func<Tensor, Tensor> ours, Func<Tensor, Tensor> builtin)
    {
        var x = Points([0, 0.5, -0.5, 6, -2, 1.5], seed: 44);
        var g = Random(45);
        var w = Random(46);
        double[] Second(Func<Tensor, Tensor> f)
        {
            var leaf = x.clone().requires_grad_(true);
            var first = torch.autograd.grad([f(leaf)], [leaf], [g], retain_graph: true, create_graph: true)[0];
            return TensorAssert.Values(torch.autograd.grad([first], [leaf], [w])[0]);
        }
        Assert.True(Second(builtin).SequenceEqual(Second(ours)), $"{name}: second derivative differs from the built-in's");
    }

    public static IEnumerable<object[]> PiecewiseLinearWithBuiltins() => new (string, Func<Tensor, Tensor>, Func<Tensor, Tensor>)[] {
        ("relu", x => F.relu(x), x => torch.nn.functional.relu(x)),
        ("leaky_relu", x => F.leaky_relu(x, 0.2), x => torch.nn.functional.leaky_relu(x, 0.2)),
        ("prelu", x => F.prelu(x, Slope(x)), x => torch.nn.functional.prelu(x, Slope(x))),
        ("relu6", x => F.relu6(x), x => torch.nn.functional.relu6(x)),
        ("threshold", x => F.threshold(x, 0.5, -3), x => torch.nn.functional.threshold(x, 0.5, -3)),
        ("softshrink", x => F.softshrink(x, 0.5), x => torch.nn.functional.softshrink(x, 0.5)),
        ("hardshrink", x => F.hardshrink(x, 0.5), x => torch.nn.functional.hardshrink(x, 0.5)),
    }.Select(p => new object[] { p.Item1, p.Item2, p.Item3 });

    /// <summary>PReLU's second derivatives that are not zero: ∂²/∂x∂a = 1 for x &lt; 0 (per channel).</summary>
    [Fact]
    public void PReLU_mixed_second_derivative_with_respect_to_the_weight()
    {
        var x = torch.tensor(new double[] { -2, -1, 0.5, 3, -0.5, 1.5 }, dtype: ScalarType.Float64).reshape(2, 3).requires_grad_(true);
        var a = torch.tensor(new double[] { 0.1, 0.2, 0.3 }, dtype: ScalarType.Float64).requires_grad_(true);
        var y = F.prelu(x, a);
        var dx = torch.autograd.grad([y], [x], [torch.ones_like(y)], retain_graph: true, create_graph: true)[0];
        // dy/dx = 1 for x ≥ 0, a_c for x < 0; its derivative w.r.t. a_c counts the negative entries of channel c.
        var grads = torch.autograd.grad([dx.sum()], [a], allow_unused: true);
        Assert.False(grads[0] is null || grads[0].IsInvalid, "prelu: d/da of dy/dx is missing (it should count negative inputs per channel).");
        Assert.Equal(new double[] { 1, 2, 0 }, TensorAssert.Values(grads[0]));
    }
}
