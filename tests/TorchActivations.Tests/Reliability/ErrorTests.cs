using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;
using Approximate = TorchSharp.Modules.GELU.Approximate;

namespace TorchActivations.Tests.Reliability;

/// <summary>
/// Every mistake a user can make is a managed ArgumentException (or a subclass) whose ParamName is the
/// argument at fault and whose message mentions it; none surfaces as an ExternalException from libtorch.
/// </summary>
public class ErrorTests
{
    public sealed record Misuse(string What, string ParamName, Action Call)
    {
        public override string ToString() => What;
    }

    static Tensor X => torch.randn(2, 3, dtype: ScalarType.Float64);

    static Tensor W(long n, ScalarType dtype = ScalarType.Float64) => torch.full(n, 0.25, dtype: dtype);

    static void Call(string spec) => Activations.Create(spec).call(X);

    static readonly Misuse[] Misuses = [
        // Parameters out of range or NaN, through the factories.
        new("elu alpha NaN", "alpha", () => Activations.ELU(double.NaN)),
        new("elu alpha +inf", "alpha", () => Activations.ELU(double.PositiveInfinity)),
        new("celu alpha 0", "alpha", () => Activations.CELU(0)),
        new("celu alpha -1", "alpha", () => Activations.CELU(-1)),
        new("celu alpha NaN", "alpha", () => Activations.CELU(double.NaN)),
        new("leaky_relu negative_slope NaN", "negative_slope", () => Activations.LeakyReLU(double.NaN)),
        new("leaky_relu negative_slope -inf", "negative_slope", () => Activations.LeakyReLU(double.NegativeInfinity)),
        new("rrelu lower < 0", "lower", () => Activations.RReLU(-0.1, 0.3)),
        new("rrelu lower NaN", "lower", () => Activations.RReLU(double.NaN, 0.3)),
        new("rrelu upper >= 1", "upper", () => Activations.RReLU(0.1, 1)),
        new("rrelu upper NaN", "upper", () => Activations.RReLU(0.1, double.NaN)),
        new("rrelu lower == upper", "upper", () => Activations.RReLU(0.2, 0.2)),
        new("rrelu lower > upper", "upper", () => Activations.RReLU(0.3, 0.2)),
        new("softplus beta 0", "beta", () => Activations.Softplus(0)),
        new("softplus beta -1", "beta", () => Activations.Softplus(-1)),
        new("softplus beta NaN", "beta", () => Activations.Softplus(double.NaN)),
        new("softplus threshold NaN", "threshold", () => Activations.Softplus(1, double.NaN)),
        new("gelu approximate out of the enum", "approximate", () => Activations.GELU((Approximate)7)),
        new("softshrink lambda -0.1", "lambda", () => Activations.Softshrink(-0.1)),
        new("softshrink lambda NaN", "lambda", () => Activations.Softshrink(double.NaN)),
        new("hardshrink lambda -0.1", "lambda", () => Activations.Hardshrink(-0.1)),
        new("hardshrink lambda NaN", "lambda", () => Activations.Hardshrink(double.NaN)),
        new("hardtanh min_val == max_val", "min_val", () => Activations.Hardtanh(1, 1)),
        new("hardtanh min_val > max_val", "min_val", () => Activations.Hardtanh(2, 1)),
        new("hardtanh min_val NaN", "min_val", () => Activations.Hardtanh(double.NaN, 1)),
        new("hardtanh max_val NaN", "max_val", () => Activations.Hardtanh(-1, double.NaN)),
        new("threshold threshold NaN", "threshold", () => Activations.Threshold(double.NaN, 0)),
        new("threshold value NaN", "value", () => Activations.Threshold(0, double.NaN)),
        new("heaviside threshold NaN", "threshold", () => Activations.Heaviside(double.NaN)),
        new("prelu num_parameters 0", "num_parameters", () => Activations.PReLU(0)),
        new("prelu num_parameters -3", "num_parameters", () => Activations.PReLU(-3)),
        new("prelu init NaN", "init", () => Activations.PReLU(1, double.NaN)),
        new("prelu dtype int32", "dtype", () => Activations.PReLU(1, 0.25, dtype: ScalarType.Int32)),

        // The same through the functional API.
        new("F.elu alpha NaN", "alpha", () => F.elu(X, double.NaN)),
        new("F.celu alpha 0", "alpha", () => F.celu(X, 0)),
        new("F.leaky_relu negative_slope NaN", "negative_slope", () => F.leaky_relu(X, double.NaN)),
        new("F.rrelu lower > upper (evaluation)", "upper", () => F.rrelu(X, 0.3, 0.2)),
        new("F.rrelu lower > upper (training)", "upper", () => F.rrelu(X, 0.3, 0.2, training: true)),
        new("F.softplus beta 0", "beta", () => F.softplus(X, 0)),
        new("F.gelu approximate out of the enum", "approximate", () => F.gelu(X, (Approximate)7)),
        new("F.softshrink lambda NaN", "lambda", () => F.softshrink(X, double.NaN)),
        new("F.hardshrink lambda -1", "lambda", () => F.hardshrink(X, -1)),
        new("F.hardtanh min_val > max_val", "min_val", () => F.hardtanh(X, 2, 1)),
        new("F.threshold value NaN", "value", () => F.threshold(X, 0, double.NaN)),
        new("F.heaviside threshold NaN", "threshold", () => F.heaviside(X, double.NaN)),
        new("F.softmax dtype int64", "dtype", () => F.softmax(X, 1, ScalarType.Int64)),
        new("F.log_softmax dtype bool", "dtype", () => F.log_softmax(X, 1, ScalarType.Bool)),

        // dim out of range, at call time.
        new("softmax dim 2 of a 2-D input", "dim", () => F.softmax(X, 2)),
        new("softmin dim -3 of a 2-D input", "dim", () => F.softmin(X, -3)),
        new("log_softmax dim 1 of a 0-D input", "dim", () => F.log_softmax(torch.tensor(1.0), 1)),
        new("Softmax module dim 5", "dim", () => Activations.Softmax(5).call(X)),
        new("LogSoftmax module dim -3", "dim", () => Activations.LogSoftmax(-3).call(X)),

        // prelu's weight.
        new("prelu weight of 2 elements for 3 channels", "weight", () => F.prelu(X, W(2))),
        new("prelu weight 2-D", "weight", () => F.prelu(X, torch.full(new long[] { 3, 1 }, 0.25, dtype: ScalarType.Float64))),
        new("prelu weight float32 for a float64 input", "weight", () => F.prelu(X, W(3, ScalarType.Float32))),
        new("prelu weight int32", "weight", () => F.prelu(X, torch.ones(3, dtype: ScalarType.Int32))),
        new("prelu weight on another device (meta)", "weight", () => F.prelu(X, torch.empty(3, dtype: ScalarType.Float64, device: torch.META))),
        new("prelu weight null", "weight", () => F.prelu(X, null!)),
        new("PReLU module with 4 slopes on 3 channels", "weight", () => Activations.PReLU(4, dtype: ScalarType.Float64).call(X)),
        new("PReLU module float32 on a float64 input", "weight", () => Activations.PReLU(3).call(X)),
        new("PReLU weight set to null", "weight", () => Activations.PReLU(3).weight = null!),

        // The activations beyond the notes: the gated units' split, StarReLU's and Snake's parameters.
        new("swiglu odd size along dim", "dim", () => F.swiglu(X)),
        new("geglu odd size along dim 1 of the module", "dim", () => Activations.GEGLU(1).call(X)),
        new("reglu dim out of range", "dim", () => F.reglu(X, 2)),
        new("reglu on a 0-D input", "input", () => F.reglu(torch.tensor(1.0))),
        new("geglu approximate out of the enum", "approximate", () => F.geglu(W(4), -1, (Approximate)7)),
        new("StarReLU scale_value NaN", "scale_value", () => Activations.StarReLU(double.NaN)),
        new("StarReLU bias_value -inf", "bias_value", () => Activations.StarReLU(1, double.NegativeInfinity)),
        new("StarReLU dtype int64", "dtype", () => Activations.StarReLU(dtype: ScalarType.Int64)),
        new("star_relu scale of 3 elements", "scale", () => F.star_relu(X, W(3), W(1))),
        new("star_relu bias float32 for a float64 input", "bias", () => F.star_relu(X, W(1), W(1, ScalarType.Float32))),
        new("star_relu bias null", "bias", () => F.star_relu(X, W(1), null!)),
        new("Snake num_parameters 0", "num_parameters", () => Activations.Snake(0)),
        new("Snake init NaN", "init", () => Activations.Snake(1, double.NaN)),
        new("snake alpha of 2 elements for 3 channels", "alpha", () => F.snake(X, W(2))),
        new("Snake module with 4 alphas on 3 channels", "alpha", () => Activations.Snake(4, dtype: ScalarType.Float64).call(X)),
        new("Snake alpha set to null", "alpha", () => Activations.Snake().alpha = null!),
        new("StarReLU scale set to null", "scale", () => Activations.StarReLU().scale = null!),
        new("Create swiglu odd size at call", "dim", () => Call("swiglu")),

        // The input itself.
        new("relu on int32", "input", () => F.relu(torch.ones(3, dtype: ScalarType.Int32))),
        new("sigmoid on bool", "input", () => F.sigmoid(torch.ones(3, dtype: ScalarType.Bool))),
        new("softmax on int64", "input", () => F.softmax(torch.ones(2, 3, dtype: ScalarType.Int64), 1)),
        new("gelu on complex64", "input", () => F.gelu(torch.ones(3, dtype: ScalarType.ComplexFloat32))),
        new("prelu on int32", "input", () => F.prelu(torch.ones(2, 3, dtype: ScalarType.Int32), W(3))),
        new("relu on null", "input", () => F.relu(null!)),
        new("softmax on null", "input", () => F.softmax(null!, 0)),
        new("prelu on null", "input", () => F.prelu(null!, W(3))),
        new("ReLU module on null", "input", () => Activations.ReLU().call(null!)),
        new("PReLU module on null", "input", () => Activations.PReLU().call(null!)),
        new("tanh on a disposed tensor", "input", () => { var t = X; t.Dispose(); F.tanh(t); }),

        // The lookup.
        new("Create(null)", "spec", () => Activations.Create(null!)),
        new("Create empty", "spec", () => Activations.Create("")),
        new("Create unknown name", "spec", () => Activations.Create("swishy")),
        new("Create unknown parameter", "spec", () => Activations.Create("elu(beta=1)")),
        new("Create parameter of wrong type", "spec", () => Activations.Create("elu(alpha=big)")),
        new("Create bool parameter not a bool", "spec", () => Activations.Create("relu(inplace=1)")),
        new("Create enum value unknown", "spec", () => Activations.Create("gelu(approximate=erf)")),
        new("Create missing required parameter", "spec", () => Activations.Create("softmax")),
        new("Create too many positional", "spec", () => Activations.Create("elu(1, true, 3)")),
        new("Create parameter given twice", "spec", () => Activations.Create("elu(alpha=1, alpha=2)")),
        new("Create unclosed parenthesis", "spec", () => Activations.Create("elu(alpha=1")),
        new("Create empty argument", "spec", () => Activations.Create("elu(1,)")),
        new("Create invalid name", "spec", () => Activations.Create("elu!")),
        new("Create parameter that is not settable (device)", "spec", () => Activations.Create("prelu(device=cpu)")),
        new("Create value out of range", "alpha", () => Activations.Create("celu(alpha=-1)")),
        new("Create NaN value", "alpha", () => Activations.Create("elu(alpha=NaN)")),
        new("Create dim out of range at call", "dim", () => Call("softmax(dim=3)")),
        new("Create inplace on a recording input", "inplace", () => Activations.Create("relu(inplace=true)").call(X.requires_grad_(true))),
    ];

    public static IEnumerable<object[]> Cases => Misuses.Select(m => new object[] { m });

    static readonly Misuse[] DescribeMisuses = [
        new("Describe unknown name", "name", () => Activations.Describe("swishy")),
        new("Describe null", "name", () => Activations.Describe(null!)),
    ];

    public static IEnumerable<object[]> DescribeCases => DescribeMisuses.Select(m => new object[] { m });

    [Theory]
    [MemberData(nameof(DescribeCases))]
    public void Describe_misuse_names_its_argument(Misuse m) => Is_a_managed_argument_exception_naming_the_argument(m);

    [Theory]
    [MemberData(nameof(Cases))]
    public void Is_a_managed_argument_exception_naming_the_argument(Misuse m)
    {
        var error = Record.Exception(m.Call);
        Assert.True(error is not null, $"{m}: no exception.");
        Assert.False(error is ExternalException, $"{m}: libtorch error surfaced: {error.Message}");
        var argumentError = Assert.IsAssignableFrom<ArgumentException>(error);
        Assert.True(m.ParamName == argumentError.ParamName,
            $"{m}: ParamName is '{argumentError.ParamName}', expected '{m.ParamName}' ({error.GetType().Name}: {error.Message})");
        Assert.Contains(m.ParamName, error.Message);
    }

    [Fact]
    public void Unknown_names_list_the_valid_ones()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Activations.Create("swishy"));
        foreach (var name in Activations.Names) Assert.Contains(name, e.Message);
        var p = Assert.ThrowsAny<ArgumentException>(() => Activations.Create("leaky_relu(slope=0.2)"));
        Assert.Contains("negative_slope", p.Message);
    }

    [Fact]
    public void A_rejected_call_changes_nothing()
    {
        var prelu = Activations.PReLU(3, dtype: ScalarType.Float64);
        var weightBefore = TensorAssert.Values(prelu.weight);
        var x = torch.randn(2, 4, dtype: ScalarType.Float64).requires_grad_(true);
        Assert.ThrowsAny<ArgumentException>(() => prelu.call(x));
        Assert.Equal(weightBefore, TensorAssert.Values(prelu.weight));
        Assert.Null(prelu.weight.grad);
        Assert.Null(x.grad);
        // And the module still works afterwards.
        prelu.call(torch.randn(2, 3, dtype: ScalarType.Float64)).sum().backward();
        Assert.NotNull(prelu.weight.grad);
    }
}
