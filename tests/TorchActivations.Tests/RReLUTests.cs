using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

public class RReLUTests
{
    [Fact]
    public void Training_samples_a_slope_per_element_within_bounds_and_backward_uses_the_same_slopes()
    {
        var x = torch.linspace(-5, 5, 1001, dtype: ScalarType.Float64).requires_grad_(true);
        var y = Functional.rrelu(x, 0.1, 0.3, training: true, generator: new Generator(7));
        y.sum().backward();
        var xs = TensorAssert.Values(x); var ys = TensorAssert.Values(y); var dx = TensorAssert.Values(x.grad!);
        var slopes = new List<double>();
        for (int i = 0; i < xs.Length; i++) {
            if (xs[i] >= 0) {
                Assert.Equal(xs[i], ys[i]);
                Assert.Equal(1.0, dx[i]);
            } else {
                double slope = ys[i] / xs[i];
                Assert.InRange(slope, 0.1, 0.3);
                Assert.Equal(slope, dx[i], 12);
                slopes.Add(slope);
            }
        }
        Assert.True(slopes.Distinct().Count() > slopes.Count / 2, "slopes should differ per element");
        Assert.InRange(slopes.Average(), 0.18, 0.22);
    }

    /// <summary>
    /// The slopes' one-pass select against the composed masked_fill on the same samples (same seed): the same
    /// bits, with ±0, NaN, ±∞ and huge values in the vector body and in the tail, in both dtypes.
    /// </summary>
    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Training_kernel_gives_the_slopes_of_the_composed_path(ScalarType dtype)
    {
        var special = new[] { 0.0, -0.0, double.NaN, double.PositiveInfinity, double.NegativeInfinity, 3e38, -3e38, -1e-30 };
        var values = special.Concat(Enumerable.Range(0, 40).Select(i => (i - 20) * 0.37)).Concat(special).ToArray();
        var x = torch.tensor(values, dtype: ScalarType.Float64).to_type(dtype);
        (Tensor Y, Tensor Dx) Run()
        {
            var xl = x.detach().requires_grad_(true);
            var y = Functional.rrelu(xl, 0.1, 0.3, training: true, generator: new Generator(3));
            y.backward([torch.ones_like(y)]);
            return (y.detach(), xl.grad!);
        }
        var fast = Run();
        Core.FastPath.DisabledOnThisThread = true;
        (Tensor Y, Tensor Dx) composed;
        try { composed = Run(); } finally { Core.FastPath.DisabledOnThisThread = false; }
        TensorAssert.Close(TensorAssert.Values(composed.Y), TensorAssert.Values(fast.Y), 0, 0, $"rrelu output ({dtype})", values);
        TensorAssert.Close(TensorAssert.Values(composed.Dx), TensorAssert.Values(fast.Dx), 0, 0, $"rrelu gradient ({dtype})", values);
    }

    [Fact]
    public void Is_reproducible_with_a_seeded_generator()
    {
        var x = torch.randn(100);
        var a = Functional.rrelu(x, training: true, generator: new Generator(11));
        var b = Functional.rrelu(x, training: true, generator: new Generator(11));
        var c = Functional.rrelu(x, training: true, generator: new Generator(12));
        Assert.Equal(TensorAssert.Values(a), TensorAssert.Values(b));
        Assert.NotEqual(TensorAssert.Values(a), TensorAssert.Values(c));
    }

    [Fact]
    public void Module_samples_in_training_and_uses_the_mean_slope_in_evaluation()
    {
        var m = Activations.RReLU(0.1, 0.3, generator: new Generator(5));
        var x = -torch.ones(50, dtype: ScalarType.Float64);
        m.train();
        Assert.True(TensorAssert.Values(m.call(x)).Distinct().Count() > 10);
        m.eval();
        Assert.All(TensorAssert.Values(m.call(x)), v => Assert.Equal(-0.2, v, 15));
    }

    [Theory]
    [InlineData(-0.1, 0.3)]
    [InlineData(0.3, 0.3)]
    [InlineData(0.4, 0.3)]
    [InlineData(0.1, 1.0)]
    [InlineData(double.NaN, 0.3)]
    public void Rejects_bounds_outside_0_le_lower_lt_upper_lt_1(double lower, double upper)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Functional.rrelu(torch.ones(2), lower, upper, training: true));
        Assert.Contains(e.ParamName, new[] { "lower", "upper" });
        Assert.Throws<ArgumentOutOfRangeException>(() => Activations.RReLU(lower, upper));
    }
}
