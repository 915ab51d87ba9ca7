using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

/// <summary>
/// Built-ins of TorchSharp 0.107.0 that do not compute what they should. These tests pin the defect,
/// so they fail (and the table can use the built-in again) once TorchSharp fixes it.
/// </summary>
public class BuiltinDefectTests
{
    [Fact]
    public void TorchSharp_hardtanh_returns_its_input_unchanged()
    {
        var x = torch.tensor(new double[] { -3, -2.5, 0.5, 2, 3 });
        var expected = new double[] { -3, -2.5, 0.5, 2, 3 };   // should be [-2, -2, 0.5, 1.5, 1.5]
        Assert.Equal(expected, TensorAssert.Values(torch.nn.functional.hardtanh(x, -2, 1.5)));
        Assert.Equal(expected, TensorAssert.Values(torch.nn.Hardtanh(-2, 1.5).call(x)));
        Assert.Equal(new double[] { -2, -2, 0.5, 1.5, 1.5 }, TensorAssert.Values(Functional.hardtanh(x, -2, 1.5)));
    }

    [Fact]
    public void TorchSharp_hardsigmoid_backward_uses_a_float32_one_sixth_in_float64()
    {
        // The slope 1/6 between the kinks is the float32 constant 0.1666666716337204, not the float64 1/6.
        var x = torch.tensor(new double[] { -2, 0, 0.5, 2.5 }).requires_grad_(true);
        torch.nn.functional.hardsigmoid(x).backward([torch.ones(4, dtype: ScalarType.Float64)]);
        double float32Sixth = (float)(1.0 / 6);
        Assert.NotEqual(1.0 / 6, float32Sixth);
        Assert.Equal(new[] { float32Sixth, float32Sixth, float32Sixth, float32Sixth }, TensorAssert.Values(x.grad!));

        var (_, dx) = Harness.ForwardBackward(t => Functional.hardsigmoid(t), x, torch.ones(4, dtype: ScalarType.Float64));
        Assert.Equal(new[] { 1.0 / 6, 1.0 / 6, 1.0 / 6, 1.0 / 6 }, TensorAssert.Values(dx));
    }

    [Fact]
    public void TorchSharp_hardswish_overflows_for_float32_inputs_above_max_over_6()
    {
        // hardswish(x) = x for x ≥ 3, but the built-in forms x·6 before dividing by 6.
        var x = torch.tensor(new float[] { 1e38f, 3e38f });
        Assert.Equal(new[] { double.PositiveInfinity, double.PositiveInfinity }, TensorAssert.Values(torch.nn.functional.hardswish(x)));
        Assert.Equal(new[] { (double)1e38f, (double)3e38f }, TensorAssert.Values(Functional.hardswish(x)));
    }
}
