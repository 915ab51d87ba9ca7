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
}
