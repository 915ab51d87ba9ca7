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
    public sealed record Smooth(string Name, Func<Tensor, Tensor> F, Func<Tensor, Tensor> Builtin, double[] Kinks)
    {
        public override string ToString() => Name;
    }

    /// <summary>
    /// Every row of <see cref="ActivationTable"/> whose derivative is not piecewise constant and whose built-in has a
    /// derivative, sampled away from its kinks (and from the points where the notes fix its slope), and the cases the
    /// table does not reach: the default ELU and Softplus, and Snake's series region (|αx| &lt; 0.01).
    /// </summary>
    static IEnumerable<Smooth> SmoothCases() =>
        ActivationTable.All
            .Where(c => !c.PiecewiseLinear && !c.Discontinuous && c.BuiltinHasGradient)
            .Select(c => new Smooth(c.Spec, c.Ours, c.Builtin!, [.. c.Kinks, .. c.KinkSlopes.Select(k => k.X)]))
            .Concat([
                new("elu(alpha=1)", x => F.elu(x, 1), x => nn.functional.elu(x, 1), [0]),
                new("softplus", x => F.softplus(x), x => nn.functional.softplus(x), []),
                new("snake(alpha=0.001)", x => F.snake(x, torch.full(1, 0.001, dtype: x.dtype)), x => x + (x * 0.001).sin().square() / 0.001, []),
            ]);

    public static IEnumerable<object[]> SmoothData => SmoothCases().Select(c => new object[] { c });

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
        var builtin = c.Builtin;
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

    // ---- Piecewise-linear activations: f'' = 0 wherever it exists. ----

    /// <summary>The rows of <see cref="ActivationTable"/> whose derivative is constant on each piece.</summary>
    public static IEnumerable<object[]> PiecewiseLinear() =>
        ActivationTable.All.Where(c => c.PiecewiseLinear).Select(c => new object[] { c.Spec, c.Ours });

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
    /// The same second derivative as the table's built-in (for hardsigmoid the table's stand-in relu6(x + 3)/6: libtorch
    /// implements no second derivative of hardsigmoid, and asking terminates the process).
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
            // torch.clamp's backward (hardtanh's stand-in) leaves the first derivative outside the graph: its
            // derivative is 0, and asking autograd for it would end the process.
            if (!first.requires_grad) return new double[x.numel()];
            return TensorAssert.Values(torch.autograd.grad([first], [leaf], [w])[0]);
        }
        Assert.True(Second(builtin).SequenceEqual(Second(ours)), $"{name}: second derivative differs from the built-in's");
    }

    public static IEnumerable<object[]> PiecewiseLinearWithBuiltins() =>
        ActivationTable.All.Where(c => c.PiecewiseLinear && c.BuiltinHasGradient).Select(c => new object[] { c.Spec, c.Ours, c.Builtin! });

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
