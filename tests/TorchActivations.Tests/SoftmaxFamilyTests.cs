using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

public class SoftmaxFamilyTests
{
    public static IEnumerable<object[]> FamilyAndDims() =>
        from name in new[] { "softmin", "softmax", "log_softmax" }
        from dim in new long[] { 0, 1, 2, -1, -2, -3 }
        select new object[] { name, dim };

    static Func<Tensor, long, Tensor> Ours(string name) => name switch {
        "softmin" => (x, d) => Functional.softmin(x, d),
        "softmax" => (x, d) => Functional.softmax(x, d),
        _ => (x, d) => Functional.log_softmax(x, d),
    };

    static Func<Tensor, long, Tensor> Builtin(string name) => name switch {
        "softmin" => (x, d) => torch.nn.functional.softmin(x, d),
        "softmax" => (x, d) => torch.nn.functional.softmax(x, d),
        _ => (x, d) => torch.nn.functional.log_softmax(x, d),
    };

    [Theory]
    [MemberData(nameof(FamilyAndDims))]
    public void Matches_the_builtin_along_each_dim(string name, long dim)
    {
        var x = torch.randn([3, 4, 5], dtype: ScalarType.Float64, generator: new Generator(1)) * 4;
        var g = torch.randn([3, 4, 5], dtype: ScalarType.Float64, generator: new Generator(2));
        var (y, dx) = Harness.ForwardBackward(t => Ours(name)(t, dim), x, g);
        var (by, bdx) = Harness.ForwardBackward(t => Builtin(name)(t, dim), x, g);
        TensorAssert.Close(by, y, 1e-12, 1e-15, $"{name} along {dim}");
        TensorAssert.Close(bdx, dx, 1e-12, 1e-15, $"{name} gradient along {dim}");
        var total = name == "log_softmax" ? y.exp().sum(dim) : y.sum(dim);
        TensorAssert.Close(torch.ones_like(total), total, 1e-14, 0, $"{name} normalizes along {dim}");
    }

    [Theory]
    [InlineData(3)]
    [InlineData(-4)]
    public void Rejects_a_dim_out_of_range_naming_it(long dim)
    {
        var x = torch.randn(2, 3, 4);
        foreach (var f in new Func<Tensor, long, Tensor>[] { (t, d) => Functional.softmax(t, d), (t, d) => Functional.softmin(t, d), (t, d) => Functional.log_softmax(t, d) }) {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => f(x, dim));
            Assert.Equal("dim", e.ParamName);
        }
        Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Softmax(dim).call(x));
    }

    [Fact]
    public void A_dtype_argument_casts_first_and_gradients_flow_back_to_the_input_dtype()
    {
        var x = torch.randn(2, 5).requires_grad_(true);
        var y = Functional.softmax(x, 1, ScalarType.Float64);
        Assert.Equal(ScalarType.Float64, y.dtype);
        y.select(1, 0).sum().backward();
        Assert.Equal(ScalarType.Float32, x.grad!.dtype);
    }
}
