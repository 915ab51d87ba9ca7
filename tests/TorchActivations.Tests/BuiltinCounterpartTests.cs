using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

/// <summary>
/// <see cref="Activations.CreateBuiltin"/>: for every activation, TorchSharp's counterpart computes what the package's
/// module computes (value, input gradient and the gradients of learnable tensors), with the same parameter names.
/// The package itself is held to the float64 formula by <see cref="CrossCheckTests"/>, so agreeing with it proves the
/// counterpart right.
/// </summary>
public class BuiltinCounterpartTests
{
    /// <summary>Specs for the activations whose factory has required parameters.</summary>
    static string SpecFor(string name) => name switch {
        "threshold" => "threshold(threshold=0.1, value=-1)",
        "softmax" or "softmin" or "log_softmax" => $"{name}(dim=1)",
        _ => name,
    };

    public static IEnumerable<object[]> Names => Activations.Names.Select(n => new object[] { n });

    [Theory]
    [MemberData(nameof(Names))]
    public void The_counterpart_computes_what_the_package_computes(string name)
    {
        var spec = SpecFor(name);
        using var mine = Activations.Create(spec);
        using var theirs = Activations.CreateBuiltin(spec);
        Assert.Equal(mine.named_parameters().Select(p => p.name), theirs.named_parameters().Select(p => p.name));
        // Learnable tensors away from their defaults, so a swapped or ignored parameter shows; the counterpart takes them
        // through its state dict, as a user switching between the two would.
        using (torch.no_grad())
            foreach (var (i, p) in mine.parameters().Select((p, i) => (i, p))) p.add_(0.3 * (i + 1));
        theirs.load_state_dict(mine.state_dict());
        // RReLU draws random slopes in training; evaluation makes both deterministic.
        mine.eval();
        theirs.eval();

        // [N, C, H, W] with even sizes: the gated units halve the last dim, softmax2d wants 3 or 4 dims.
        var g = new Generator(7);
        using var x = (torch.randn([3, 4, 5, 6], dtype: ScalarType.Float32, generator: g) * 3).AwayFrom(0, 0.1, -3, 3, 0.5, -0.5, 6);
        var (rtol, atol) = TensorAssert.Tolerance(ScalarType.Float32);
        if (name == "heaviside") {
            // Neither passes a gradient: the package's is 0, torch's comparison has no derivative at all.
            TensorAssert.Close(mine.call(x), theirs.call(x), rtol, atol, $"{spec} forward");
            Assert.False(theirs.call(x).requires_grad);
            return;
        }
        var (y1, dx1, dp1) = Run(mine, x);
        var (y2, dx2, dp2) = Run(theirs, x);
        TensorAssert.Close(y1, y2, rtol, atol, $"{spec} forward");
        TensorAssert.Close(dx1, dx2, rtol, atol, $"{spec} input gradient");
        Assert.Equal(dp1.Length, dp2.Length);
        for (int i = 0; i < dp1.Length; i++) TensorAssert.Close(dp1[i], dp2[i], 1e-4, 1e-4, $"{spec} gradient of parameter {i}");
    }

    static (Tensor Output, Tensor InputGrad, Tensor[] ParameterGrads) Run(nn.Module<Tensor, Tensor> m, Tensor input)
    {
        var x = input.detach().clone().requires_grad_(true);
        var y = m.call(x);
        var weights = torch.linspace(-1, 1, y.numel()).reshape(y.shape);
        (y * weights).sum().backward();
        return (y.detach(), x.grad!.detach(), m.parameters().Where(p => p.requires_grad).Select(p => p.grad!.detach()).ToArray());
    }

    [Fact]
    public void Moving_to_another_dtype_moves_the_learnable_tensors_it_computes_with()
    {
        var learnable = Activations.Names.Select(SpecFor).Where(spec => {
            using var m = Activations.Create(spec);
            return m.parameters().Any();
        }).ToList();
        Assert.NotEmpty(learnable);
        foreach (var spec in learnable) {
            using var mine = Activations.Create(spec);
            using var theirs = Activations.CreateBuiltin(spec);
            mine.to(ScalarType.Float64).eval();
            theirs.to(ScalarType.Float64).eval();
            using var x = torch.linspace(-3, 3, 120, dtype: ScalarType.Float64).reshape(2, 3, 4, 5);
            var y = theirs.call(x);
            Assert.Equal(ScalarType.Float64, y.dtype);
            TensorAssert.Close(mine.call(x), y, 1e-12, 1e-12, $"{spec} in float64");
        }
    }

    [Fact]
    public void Modules_created_inside_a_dispose_scope_outlive_it()
    {
        foreach (var spec in Activations.Names.Select(SpecFor).Where(spec => {
                     using var m = Activations.Create(spec);
                     return m.parameters().Any();
                 })) {
            nn.Module<Tensor, Tensor> mine, theirs;
            using (torch.NewDisposeScope()) {
                mine = Activations.Create(spec);
                theirs = Activations.CreateBuiltin(spec);
            }
            using (mine)
            using (theirs) {
                mine.eval();
                theirs.eval();
                using var x = torch.linspace(-3, 3, 120).reshape(2, 3, 4, 5);
                TensorAssert.Close(mine.call(x), theirs.call(x), 1e-6, 1e-6, $"{spec} after the scope it was created in");
            }
        }
    }

    [Fact]
    public void An_unknown_name_is_rejected_naming_the_spec()
    {
        var e = Assert.Throws<ArgumentException>(() => Activations.CreateBuiltin("no_such_activation"));
        Assert.Equal("spec", e.ParamName);
    }
}

static class Nudge
{
    /// <summary>Moves values within 1e-3 of a kink away from it, so one-sided derivatives do not decide the comparison.</summary>
    public static Tensor AwayFrom(this Tensor x, params double[] kinks)
    {
        foreach (var k in kinks) x = torch.where((x - k).abs() < 1e-3, x + 0.01, x);
        return x;
    }
}
