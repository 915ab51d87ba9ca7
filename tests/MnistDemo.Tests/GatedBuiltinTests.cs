using MnistDemo;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDemo.Tests;

public class GatedBuiltinTests
{
    /// <summary>The gated units are not element-wise, so the element-wise comparison does not reach their built-in counterparts.</summary>
    [Fact]
    public void Gated_builtin_counterparts_compute_the_same_function()
    {
        torch.manual_seed(0);
        var x = torch.randn(4, 6, 10) * 3;
        foreach (var spec in new[] { "glu", "swiglu", "geglu", "geglu(approximate=tanh)", "reglu", "swiglu(dim=1)", "reglu(dim=0)" }) {
            using var mine = ActivationFactory.Package(spec);
            using var theirs = ActivationFactory.Builtin(spec);
            using var a = mine.call(x);
            using var b = theirs.call(x);
            Assert.Equal(a.shape, b.shape);
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6), spec);
        }
    }
}
