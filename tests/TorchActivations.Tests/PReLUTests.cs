using TorchActivations.Core.Kernels;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

public class PReLUTests
{
    [Fact]
    public void Per_channel_weight_gradient_matches_the_builtin_and_finite_differences()
    {
        var x = torch.randn([4, 3, 5, 2], dtype: ScalarType.Float64, generator: new Generator(3));
        var g = torch.randn([4, 3, 5, 2], dtype: ScalarType.Float64, generator: new Generator(4));
        var w = torch.tensor(new[] { 0.1, -0.3, 0.7 }, dtype: ScalarType.Float64);

        (Tensor dx, Tensor dw) Run(Func<Tensor, Tensor, Tensor> prelu)
        {
            var xi = x.clone().requires_grad_(true);
            var wi = w.clone().requires_grad_(true);
            prelu(xi, wi).backward([g]);
            return (xi.grad!, wi.grad!);
        }

        var (dx, dw) = Run(Functional.prelu);
        var (bdx, bdw) = Run(torch.nn.functional.prelu);
        TensorAssert.Close(bdx, dx, 1e-12, 1e-15, "input gradient vs built-in");
        TensorAssert.Close(bdw, dw, 1e-12, 1e-15, "weight gradient vs built-in");

        // dL/da_c = Σ over channel c of g·x where x < 0, written out with System.Math.
        var xs = TensorAssert.Values(x); var gs = TensorAssert.Values(g);
        var expected = new double[3];
        for (int i = 0; i < xs.Length; i++) {
            int channel = i / 10 % 3;
            if (xs[i] < 0) expected[channel] += gs[i] * xs[i];
        }
        TensorAssert.Close(expected, TensorAssert.Values(dw), 1e-12, 1e-15, "weight gradient vs formula");
    }

    /// <summary>
    /// The one-sweep kernels (blocks of at least 64 elements sharing a slope): blocks with a tail at both vector
    /// widths, blocks longer than the 4096-element summing chunk, and one shared slope, against the formula in
    /// float64 (System.Math), at 512 and 256 bits. Zeros, kinks and infinities sit in the body and in the tails.
    /// </summary>
    [Theory]
    [InlineData(new long[] { 3, 4, 7, 11 }, 4, false)]
    [InlineData(new long[] { 3, 4, 7, 11 }, 4, true)]
    [InlineData(new long[] { 2, 3, 4500 }, 3, false)]
    [InlineData(new long[] { 2, 3, 4500 }, 3, true)]
    [InlineData(new long[] { 5003 }, 1, false)]
    public void Kernels_match_the_float64_formula(long[] shape, int channels, bool narrow)
    {
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 }) {
            long n = shape.Aggregate(1L, (a, b) => a * b);
            var values = torch.randn(n, dtype: ScalarType.Float64, generator: new Generator(7)).mul(3);
            foreach (var (at, v) in new[] { (0L, 0.0), (1, -0.0), (5, double.PositiveInfinity), (n - 2, 0.0), (n - 3, -1e-30) })
                values[at] = v;
            // −∞ makes its channel's slope gradient infinite: only in the last channel, and only where there are others.
            if (channels > 1) values[n - 1] = double.NegativeInfinity;
            var x = values.to_type(dtype).reshape(shape).requires_grad_(true);
            var g = torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator(8)).to_type(dtype);
            var w = torch.linspace(-0.5, 0.75, channels, dtype: dtype).requires_grad_(true);

            KernelRunner.NarrowOnThisThread = narrow;
            try {
                var y = Functional.prelu(x, w);
                y.backward([g]);
                var (xs, gs, ws, ys) = (TensorAssert.Values(x), TensorAssert.Values(g), TensorAssert.Values(w), TensorAssert.Values(y));
                long block = n / (shape.Length > 1 ? shape[0] * shape[1] : 1);
                var (ey, edx, edw, scale) = (new double[n], new double[n], new double[channels], new double[channels]);
                for (int i = 0; i < n; i++) {
                    int c = (int)(i / block % channels);
                    double a = ws[c], xi = xs[i], gi = gs[i];
                    ey[i] = xi >= 0 ? xi : a * xi;
                    edx[i] = xi >= 0 ? gi : a * gi;
                    if (!(xi >= 0)) { edw[c] += gi * xi; scale[c] += Math.Abs(gi * xi); }
                }
                var (rtol, atol) = TensorAssert.Tolerance(dtype);
                TensorAssert.Close(ey, ys, rtol, atol, $"forward ({dtype})", xs);
                TensorAssert.Close(edx, TensorAssert.Values(x.grad!), rtol, atol, $"input gradient ({dtype})", xs);
                // The slope gradient is a sum: its rounding is bounded relative to the sum of its terms' magnitudes.
                double sumRtol = dtype == ScalarType.Float32 ? 1e-5 : 1e-13;
                var dw = TensorAssert.Values(w.grad!);
                for (int c = 0; c < channels; c++)
                    Assert.True(Math.Abs(dw[c] - edw[c]) <= sumRtol * scale[c] || (double.IsInfinity(edw[c]) && dw[c] == edw[c]),
                        $"slope gradient {c} ({dtype}): {dw[c]} vs {edw[c]}");
            } finally {
                KernelRunner.NarrowOnThisThread = false;
            }
        }
    }

    [Fact]
    public void Shared_weight_gets_the_sum_over_all_elements_including_for_0d_input()
    {
        var x = torch.tensor(-2.0, dtype: ScalarType.Float64).requires_grad_(true);
        var w = torch.tensor(new[] { 0.25 }, dtype: ScalarType.Float64).requires_grad_(true);
        var y = Functional.prelu(x, w);
        Assert.Empty(y.shape);
        y.backward();
        Assert.Equal(-0.5, y.item<double>());
        Assert.Equal(0.25, x.grad!.item<double>());
        Assert.Equal(new[] { -2.0 }, TensorAssert.Values(w.grad!));
    }

    [Fact]
    public void Module_state_dict_matches_the_builtin_and_learns()
    {
        var ours = Activations.PReLU(num_parameters: 3, init: 0.1);
        var builtin = torch.nn.PReLU(3, 0.1);
        Assert.Equal(builtin.state_dict().Keys.OrderBy(k => k), ours.state_dict().Keys.OrderBy(k => k));
        Assert.Equal(new long[] { 3 }, ours.weight.shape);
        Assert.True(ours.weight.requires_grad);
        Assert.Single(ours.parameters());

        var x = torch.randn(2, 3, 4);
        ours.call(x).sum().backward();
        Assert.NotNull(ours.weight.grad);
        TensorAssert.Close(x.clamp_max(0).sum([0, 2]), ours.weight.grad!, 1e-5, 1e-6, "weight gradient of sum");
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Module_rejects_a_non_positive_parameter_count(long count)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Activations.PReLU(num_parameters: count));
        Assert.Equal("num_parameters", e.ParamName);
    }

    [Fact]
    public void A_weight_that_matches_neither_one_nor_the_channels_is_rejected_before_anything_runs()
    {
        var x = torch.randn(2, 3, 4);
        var e = Assert.Throws<ArgumentException>(() => Functional.prelu(x, torch.ones(4)));
        Assert.Equal("weight", e.ParamName);
        Assert.Contains("3", e.Message);
        Assert.Throws<ArgumentException>(() => Functional.prelu(torch.randn(5), torch.ones(5)));
        Assert.Throws<ArgumentException>(() => Functional.prelu(x, torch.ones(3, dtype: ScalarType.Float64)));
        Assert.Throws<ArgumentException>(() => Functional.prelu(x, torch.ones(1, 3)));
    }
}
