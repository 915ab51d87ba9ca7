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
