using System.Reflection;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests.Reliability;

/// <summary>
/// inplace: true writes into the input when autograd does not record the call (under no_grad, or on an
/// input that does not require grad) and is rejected with an ArgumentException naming <c>inplace</c>,
/// leaving the input untouched, when it does. Every activation with an inplace parameter is found from
/// the lookup (<see cref="Activations.Describe"/>) and from the functional API by reflection.
/// </summary>
public class InplaceTests
{
    /// <summary>Arguments the lookup needs besides inplace (parameters without defaults).</summary>
    static string RequiredArguments(string name) => name switch {
        "threshold" => "threshold=0.5, value=-3, ",
        "softmin" or "softmax" or "log_softmax" => "dim=1, ",
        _ => "",
    };

    public static IEnumerable<object[]> NamesWithInplace() =>
        Activations.Names.Where(n => Activations.Describe(n).Contains("inplace=")).Select(n => new object[] { n });

    public static IEnumerable<object[]> FunctionalsWithInplace() =>
        typeof(Functional).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Where(m => m.GetParameters().Any(p => p.Name == "inplace"))
            .Select(m => new object[] { m.Name });

    static Tensor Input(int seed) =>
        (torch.randn([4, 6], dtype: ScalarType.Float64, generator: new Generator((ulong)seed)) * 3);

    /// <summary>The module from the lookup with the given inplace setting, in evaluation mode (rrelu is deterministic there).</summary>
    static nn.Module<Tensor, Tensor> Module(string name, bool inplace)
    {
        var module = Activations.Create($"{name}({RequiredArguments(name)}inplace={(inplace ? "true" : "false")})");
        module.eval();
        return module;
    }

    static Func<Tensor, bool, Tensor> FunctionalCall(string methodName)
    {
        var method = typeof(Functional).GetMethods(BindingFlags.Public | BindingFlags.Static)
            .Single(m => m.Name == methodName && m.GetParameters().Any(p => p.Name == "inplace"));
        return (x, inplace) => {
            var args = method.GetParameters().Select(p => p.Name switch {
                "input" => x,
                "inplace" => inplace,
                "threshold" when methodName == "threshold" => 0.5,
                "value" => -3.0,
                _ => p.HasDefaultValue ? p.DefaultValue : throw new InvalidOperationException($"{methodName}: no value for {p.Name}"),
            }).ToArray();
            try {
                return (Tensor)method.Invoke(null, args)!;
            } catch (TargetInvocationException e) when (e.InnerException is not null) {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
                throw;
            }
        };
    }

    /// <summary>The result is the input itself: writing into it changes the input.</summary>
    static void AssertSameStorage(Tensor input, Tensor result)
    {
        using (torch.no_grad()) result.view(-1)[0] = 12345.0;
        Assert.Equal(12345.0, TensorAssert.Values(input)[0]);
    }

    [Fact]
    public void The_lookup_and_the_functional_API_agree_on_which_activations_have_inplace()
    {
        var fromLookup = NamesWithInplace().Select(o => (string)o[0]).ToArray();
        var fromFunctional = FunctionalsWithInplace().Select(o => (string)o[0]).ToArray();
        Assert.NotEmpty(fromLookup);
        Assert.Equal(fromLookup.OrderBy(n => n), fromFunctional.OrderBy(n => n));
    }

    [Theory]
    [MemberData(nameof(NamesWithInplace))]
    public void Module_writes_into_an_input_that_does_not_require_grad(string name)
    {
        var x = Input(1);
        var expected = TensorAssert.Values(Module(name, inplace: false).call(x.clone()));
        var y = Module(name, inplace: true).call(x);
        Assert.Equal(expected, TensorAssert.Values(x));
        Assert.Equal(expected, TensorAssert.Values(y));
        AssertSameStorage(x, y);
    }

    [Theory]
    [MemberData(nameof(NamesWithInplace))]
    public void Module_writes_into_a_leaf_that_requires_grad_under_no_grad(string name)
    {
        var x = Input(2).requires_grad_(true);
        var expected = TensorAssert.Values(Module(name, inplace: false).call(x.detach().clone()));
        Tensor y;
        using (torch.no_grad()) y = Module(name, inplace: true).call(x);
        Assert.Equal(expected, TensorAssert.Values(x));
        Assert.True(x.is_leaf);
        AssertSameStorage(x, y);
    }

    [Theory]
    [MemberData(nameof(NamesWithInplace))]
    public void Module_rejects_a_recording_input_and_leaves_it_unchanged(string name)
    {
        var module = Module(name, inplace: true);
        foreach (var leafInput in new[] { true, false }) {
            var leaf = Input(3).requires_grad_(true);
            var x = leafInput ? leaf : leaf * 1.0;   // a leaf, then a non-leaf in the graph
            var before = TensorAssert.Values(x);
            var e = Assert.ThrowsAny<ArgumentException>(() => module.call(x));
            Assert.Equal("inplace", e.ParamName);
            Assert.Contains("inplace", e.Message);
            Assert.Equal(before, TensorAssert.Values(x));
            Assert.Null(leaf.grad);
        }
    }

    [Theory]
    [MemberData(nameof(FunctionalsWithInplace))]
    public void Functional_writes_into_the_input_when_autograd_does_not_record(string method)
    {
        var f = FunctionalCall(method);
        var expected = TensorAssert.Values(f(Input(4), false));

        var x = Input(4);
        var y = f(x, true);
        Assert.Equal(expected, TensorAssert.Values(x));
        AssertSameStorage(x, y);

        var leaf = Input(4).requires_grad_(true);
        using (torch.no_grad()) f(leaf, true);
        Assert.Equal(expected, TensorAssert.Values(leaf));
    }

    [Theory]
    [MemberData(nameof(FunctionalsWithInplace))]
    public void Functional_rejects_a_recording_input_and_leaves_it_unchanged(string method)
    {
        var f = FunctionalCall(method);
        var x = Input(5).requires_grad_(true);
        var before = TensorAssert.Values(x);
        var e = Assert.ThrowsAny<ArgumentException>(() => f(x, true));
        Assert.Equal("inplace", e.ParamName);
        Assert.Equal(before, TensorAssert.Values(x));
        // Out of place on the same input records and differentiates as usual.
        f(x, false).sum().backward();
        Assert.NotNull(x.grad);
    }

    [Fact]
    public void Inplace_writes_through_a_non_contiguous_view_into_its_base()
    {
        var baseTensor = Input(6);
        var view = baseTensor.t()[.., TensorIndex.Slice(0, null, 2)];   // [6, 2], strided: rows 0 and 2 of the base
        var expected = TensorAssert.Values(Functional.elu(view.clone(), 0.5));
        var untouched = TensorAssert.Values(baseTensor[1]);
        Functional.elu(view, 0.5, inplace: true);
        Assert.Equal(expected, TensorAssert.Values(view));
        Assert.Equal(untouched, TensorAssert.Values(baseTensor[1]));   // a row the view skips
        Assert.Equal(expected, TensorAssert.Values(baseTensor[TensorIndex.Slice(0, null, 2)].t()));
    }

    [Fact]
    public void RReLU_in_training_writes_the_same_values_as_out_of_place_with_the_same_generator()
    {
        var expected = TensorAssert.Values(Functional.rrelu(Input(7), training: true, generator: new Generator(9)));
        var x = Input(7);
        Functional.rrelu(x, training: true, generator: new Generator(9), inplace: true);
        Assert.Equal(expected, TensorAssert.Values(x));
        Assert.Contains(expected, v => v < 0);   // some negative inputs were scaled, so the slopes mattered

        var recording = Input(7).requires_grad_(true);
        var before = TensorAssert.Values(recording);
        var e = Assert.ThrowsAny<ArgumentException>(() => Functional.rrelu(recording, training: true, inplace: true));
        Assert.Equal("inplace", e.ParamName);
        Assert.Equal(before, TensorAssert.Values(recording));
    }

    [Fact]
    public void Setting_inplace_on_a_module_after_construction_takes_effect()
    {
        var module = Activations.ReLU();
        var x = Input(8);
        var before = TensorAssert.Values(x);
        module.call(x);
        Assert.Equal(before, TensorAssert.Values(x));
        module.inplace = true;
        module.call(x);
        Assert.Equal(before.Select(v => v >= 0 ? v : 0), TensorAssert.Values(x));
    }
}
