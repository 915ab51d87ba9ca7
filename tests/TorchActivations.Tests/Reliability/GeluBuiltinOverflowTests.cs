using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests.Reliability;

/// <summary>
/// Found by PropertyTests: on some CPUs (its AVX-512 kernels) libtorch's float32 gelu returns +inf for finite inputs
/// near float.MaxValue and NaN for +inf, where gelu(x) = x·Φ(x) = x; on others (AVX2) it returns x. The package
/// returns x on every CPU. PropertyTests exempts only the built-in's overflow there.
/// </summary>
public class GeluBuiltinOverflowTests(Xunit.Abstractions.ITestOutputHelper output)
{
    [Fact]
    public void Package_float32_gelu_is_exact_near_float_max_whatever_the_builtin_does()
    {
        var x = torch.tensor(new[] { float.MaxValue, 3e38f, float.PositiveInfinity });
        var builtin = TensorAssert.Values(nn.functional.gelu(x));
        var ours = TensorAssert.Values(Functional.gelu(x));
        output.WriteLine($"built-in gelu([max, 3e38, +inf]) on this CPU = [{string.Join(", ", builtin)}]");
        Assert.Equal(TensorAssert.Values(x), ours);
    }
}
