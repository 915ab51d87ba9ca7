using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;
using B = TorchSharp.torch.nn.functional;

namespace TorchActivations.Tests;

/// <summary>
/// What the table does not cover for the activations beyond the notes (silu, swish, mish, hardsigmoid,
/// hardswish, glu, softmax2d): the built-ins' kink conventions, the real built-in hardsigmoid where it is
/// right, inputs near the largest float32, in-place calls, and the lookup.
/// </summary>
public class ModernActivationTests
{
    static readonly string[] ModernNames = ["silu", "swish", "mish", "hardsigmoid", "hardswish", "glu", "softmax2d"];
    static readonly string[] ElementwiseSpecs = ["silu", "swish(beta=1.5)", "mish", "hardsigmoid", "hardswish"];

    public static IEnumerable<object[]> KinkedAndDtypes =>
        from spec in new[] { "hardsigmoid", "hardswish" }
        from t in new[] { ScalarType.Float32, ScalarType.Float64 }
        select new object[] { spec, t };

    [Theory]
    [MemberData(nameof(KinkedAndDtypes))]
    public void The_kink_slopes_are_those_of_the_PyTorch_builtin(string spec, ScalarType dtype)
    {
        var c = ActivationTable.Find(spec);
        Assert.NotEmpty(c.KinkSlopes);
        Func<Tensor, Tensor> builtin = spec == "hardsigmoid" ? t => B.hardsigmoid(t) : t => B.hardswish(t);
        foreach (var (at, slope) in c.KinkSlopes) {
            var x = torch.tensor(new[] { at }, dtype: dtype);
            var one = torch.ones(1, dtype: dtype);
            var (by, bdx) = Harness.ForwardBackward(builtin, x, one);
            var (y, dx) = Harness.ForwardBackward(c.Ours, x, one);
            Assert.Equal(TensorAssert.Values(by)[0], TensorAssert.Values(y)[0]);
            Assert.True(TensorAssert.Values(bdx)[0] == slope, $"built-in {spec}'({at}) is {TensorAssert.Values(bdx)[0]} in {dtype}, the table pins {slope}");
            Assert.True(TensorAssert.Values(dx)[0] == slope, $"{spec}'({at}) is {TensorAssert.Values(dx)[0]} in {dtype}, the table pins {slope}");
        }
    }

    [Fact]
    public void Hardsigmoid_matches_the_real_builtin_where_it_is_right()
    {
        // The table compares with relu6(x + 3)/6 because the built-in's float64 slope is a float32 1/6
        // (BuiltinDefectTests); its float32 results and its float64 forward are right.
        var c = ActivationTable.Find("hardsigmoid");
        var x32 = Harness.Inputs(c, [16, 33], ScalarType.Float32);
        var g32 = Harness.GradOutput([16, 33], ScalarType.Float32);
        var (by, bdx) = Harness.ForwardBackward(t => B.hardsigmoid(t), x32, g32);
        var (y, dx) = Harness.ForwardBackward(c.Ours, x32, g32);
        TensorAssert.Close(by, y, 1e-6, 1e-7, "hardsigmoid float32 forward vs built-in");
        TensorAssert.Close(bdx, dx, 1e-6, 1e-7, "hardsigmoid float32 gradient vs built-in");

        var x64 = Harness.Inputs(c, [16, 33], ScalarType.Float64);
        TensorAssert.Close(B.hardsigmoid(x64), F.hardsigmoid(x64), 1e-12, 1e-15, "hardsigmoid float64 forward vs built-in");
    }

    public static IEnumerable<object[]> ElementwiseAndDtypes =>
        from spec in ElementwiseSpecs from t in new[] { ScalarType.Float32, ScalarType.Float64 } select new object[] { spec, t };

    [Theory]
    [MemberData(nameof(ElementwiseAndDtypes))]
    public void Stays_finite_near_the_largest_float32(string spec, ScalarType dtype)
    {
        // Beyond the table's ±1000: x·6 (hardswish) and β·x (swish, β = 1.5) overflow float32 here.
        var c = ActivationTable.Find(spec);
        var x = torch.tensor(new[] { -3.4e38, -3e38, -1e38, -6e37, 6e37, 1e38, 3e38, 3.4e38 }, dtype: dtype).reshape(2, 4);
        var g = torch.ones(2, 4, dtype: dtype);
        var (y, dx) = Harness.ForwardBackward(c.Ours, x, g);
        var (ey, edx) = Harness.Expected(c, x, g);
        var xs = TensorAssert.Values(x);
        Assert.All(TensorAssert.Values(y).Concat(TensorAssert.Values(dx)), v => Assert.True(double.IsFinite(v), $"{spec}: non-finite {v}"));
        TensorAssert.Close(TensorAssert.RoundTo(ey, dtype), TensorAssert.Values(y), 1e-6, 0, $"{spec} forward near float32 max", xs);
        TensorAssert.Close(TensorAssert.RoundTo(edx, dtype), TensorAssert.Values(dx), 1e-6, 0, $"{spec} gradient near float32 max", xs);
    }

    public static IEnumerable<object[]> InplaceFunctions => new (string, Func<Tensor, bool, Tensor>)[] {
        ("silu", (t, i) => F.silu(t, i)), ("mish", (t, i) => F.mish(t, i)),
        ("hardsigmoid", (t, i) => F.hardsigmoid(t, i)), ("hardswish", (t, i) => F.hardswish(t, i)),
    }.Select(p => new object[] { p.Item1, p.Item2 });

    [Theory]
    [MemberData(nameof(InplaceFunctions))]
    public void Inplace_writes_into_the_input_only_where_autograd_does_not_record(string name, Func<Tensor, bool, Tensor> f)
    {
        var x = torch.randn([5, 6], generator: new Generator(9)) * 4;
        var expected = f(x, false);
        var target = x.clone();
        var result = f(target, true);
        TensorAssert.Close(expected, target, 0, 0, $"{name} in place");
        TensorAssert.Close(expected, result, 0, 0, $"{name} in place, returned");
        var e = Assert.Throws<ArgumentException>(() => f(x.clone().requires_grad_(true), true));
        Assert.Equal("inplace", e.ParamName);
    }

    [Fact]
    public void The_new_names_follow_the_notes_set()
    {
        Assert.Equal(38, Activations.Names.Count);
        Assert.Equal("log_softmax", Activations.Names[22]);
        Assert.Equal(ModernNames, Activations.Names.Skip(23).Take(7));
        Assert.Equal(["swiglu", "geglu", "reglu", "relu_squared", "star_relu", "quick_gelu", "snake", "squareplus"], Activations.Names.Skip(30));
        Assert.Equal(["silu", "swish", "mish", "hardsigmoid", "hardswish", "relu_squared", "star_relu", "quick_gelu", "snake", "squareplus"],
                     Activations.ElementwiseNames.TakeLast(10));
        foreach (var shapeChanging in new[] { "glu", "softmax2d", "swiglu", "geglu", "reglu" })
            Assert.DoesNotContain(shapeChanging, Activations.ElementwiseNames);
        Assert.Equal(Activations.Names.Count - 8, Activations.ElementwiseNames.Count);
    }

    [Fact]
    public void Create_builds_each_new_activation_with_its_parameters()
    {
        Assert.IsType<Modules.SiLU>(Activations.Create("SiLU"));
        Assert.True(((Modules.SiLU)Activations.Create("silu(inplace=true)")).inplace);
        Assert.IsType<Modules.Mish>(Activations.Create("mish"));
        Assert.IsType<Modules.Hardsigmoid>(Activations.Create("hardsigmoid"));
        Assert.IsType<Modules.Hardswish>(Activations.Create("hard_swish"));
        Assert.IsType<Modules.Softmax2d>(Activations.Create("Softmax2d"));
        Assert.Equal(2, ((Modules.GLU)Activations.Create("glu(2)")).dim);

        var swish = (Modules.Swish)Activations.Create("swish(num_parameters=3, init=0.5)");
        Assert.Equal(new double[] { 0.5, 0.5, 0.5 }, TensorAssert.Values(swish.beta));

        Assert.Equal("silu(inplace=false)", Activations.Describe("silu"));
        Assert.Equal("swish(num_parameters=1, init=1)", Activations.Describe("swish"));
        Assert.Equal("mish(inplace=false)", Activations.Describe("mish"));
        Assert.Equal("glu(dim=-1)", Activations.Describe("glu"));
        Assert.Equal("softmax2d()", Activations.Describe("softmax2d"));

        Assert.Equal("num_parameters", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Create("swish(num_parameters=0)")).ParamName);
        Assert.Equal("init", Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Create("swish(init=nan)")).ParamName);
    }

    [Fact]
    public void Modules_compute_what_the_functions_compute()
    {
        var x = torch.randn([2, 3, 4, 4], generator: new Generator(13)) * 3;
        TensorAssert.Close(F.silu(x), Activations.SiLU().call(x), 0, 0, "SiLU module");
        TensorAssert.Close(F.mish(x), Activations.Mish().call(x), 0, 0, "Mish module");
        TensorAssert.Close(F.hardsigmoid(x), Activations.Hardsigmoid().call(x), 0, 0, "Hardsigmoid module");
        TensorAssert.Close(F.hardswish(x), Activations.Hardswish().call(x), 0, 0, "Hardswish module");
        TensorAssert.Close(F.swish(x, torch.ones(1)), Activations.Swish().call(x), 0, 0, "Swish module");
        TensorAssert.Close(F.softmax(x, 1), Activations.Softmax2d().call(x), 0, 0, "Softmax2d module vs softmax(dim=1) of a 4-D input");
        TensorAssert.Close(F.glu(x, 2), Activations.GLU(2).call(x), 0, 0, "GLU module");
    }
}
