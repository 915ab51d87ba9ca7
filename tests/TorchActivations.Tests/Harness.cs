using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

/// <summary>Runs an activation forward and backward on a fresh leaf and returns output and input gradient.</summary>
public static class Harness
{
    public static (Tensor Output, Tensor Grad) ForwardBackward(Func<Tensor, Tensor> f, Tensor input, Tensor gradOutput)
    {
        var x = input.detach().requires_grad_(true);
        var y = f(x);
        y.backward([gradOutput]);
        return (y.detach(), x.grad!.detach());
    }

    /// <summary>Normal samples with spread 3, nudged off the kinks so one-sided derivatives do not matter.</summary>
    public static Tensor Inputs(ActivationCase c, long[] shape, ScalarType dtype, int seed = 1)
    {
        var g = new Generator((ulong)seed);
        var x = torch.randn(shape, dtype: ScalarType.Float64, generator: g) * 3;
        foreach (var k in c.Kinks) {
            var near = (x - k).abs() < 1e-3;
            x = torch.where(near, x + 0.01, x);
        }
        return x.to_type(dtype);
    }

    public static Tensor GradOutput(long[] shape, ScalarType dtype, int seed = 2) =>
        torch.randn(shape, dtype: ScalarType.Float64, generator: new Generator((ulong)seed)).to_type(dtype);

    /// <summary>The float64 reference applied to each row (last dim) of a 2-D input.</summary>
    public static (double[] Output, double[] Grad) Expected(ActivationCase c, Tensor x, Tensor g)
    {
        long rows = x.shape[0], cols = x.shape[1];
        var xs = TensorAssert.Values(x);
        var gs = TensorAssert.Values(g);
        var y = new double[xs.Length];
        var dx = new double[xs.Length];
        for (long r = 0; r < rows; r++) {
            var row = xs.Skip((int)(r * cols)).Take((int)cols).ToArray();
            var grow = gs.Skip((int)(r * cols)).Take((int)cols).ToArray();
            c.Forward(row).CopyTo(y, r * cols);
            c.Vjp(row, grow).CopyTo(dx, r * cols);
        }
        return (y, dx);
    }
}
