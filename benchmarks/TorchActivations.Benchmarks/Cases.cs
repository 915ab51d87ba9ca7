using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;
using B = TorchSharp.torch.nn.functional;
using Approximate = TorchSharp.Modules.GELU.Approximate;

namespace TorchActivations.Benchmarks;

/// <summary>
/// One activation to measure: the package's function and TorchSharp's built-in counterpart, both taking
/// the input followed by the extra learnable tensors (PReLU's weight) created by <see cref="Extras"/>.
/// </summary>
sealed record BenchCase(
    string Name,
    Func<Tensor[], Tensor> Ours,
    Func<Tensor[], Tensor>? Builtin,
    string BuiltinLabel,
    bool BuiltinHasGradient = true,
    Func<Tensor, Tensor[]>? Extras = null,
    string? Note = null)
{
    public Tensor[] MakeExtras(Tensor x) => Extras?.Invoke(x) ?? [];
}

static class Cases
{
    /// <summary>
    /// Every activation of <see cref="Activations.Names"/> (the element-wise ones and the softmax family),
    /// with the built-in the tests cross-check it against. Names the table does not know yet (added after
    /// this benchmark was written) are measured with their defaults from <see cref="Activations.Create"/>,
    /// without a built-in.
    /// </summary>
    public static List<BenchCase> All()
    {
        var known = new Dictionary<string, BenchCase>(StringComparer.OrdinalIgnoreCase);
        void Add(BenchCase c) => known[c.Name] = c;

        Add(new("relu", a => F.relu(a[0]), a => B.relu(a[0]), "relu"));
        Add(new("leaky_relu", a => F.leaky_relu(a[0]), a => B.leaky_relu(a[0], 0.01), "leaky_relu"));
        Add(new("prelu", a => F.prelu(a[0], a[1]), a => B.prelu(a[0], a[1]), "prelu",
            Extras: x => [torch.full(1, 0.25, dtype: x.dtype).requires_grad_(true)],
            Note: "one shared slope; the gradient of the weight is computed too"));
        Add(new("rrelu", a => F.rrelu(a[0]), a => B.rrelu(a[0]), "rrelu",
            Note: "evaluation mode (TorchSharp's rrelu has no training flag)"));
        Add(new("elu", a => F.elu(a[0]), a => B.elu(a[0], 1.0), "elu"));
        Add(new("celu", a => F.celu(a[0]), a => B.celu(a[0], 1.0), "celu"));
        Add(new("selu", a => F.selu(a[0]), a => B.selu(a[0]), "selu"));
        Add(new("softplus", a => F.softplus(a[0]), a => B.softplus(a[0]), "softplus"));
        Add(new("gelu", a => F.gelu(a[0]), a => B.gelu(a[0]), "gelu"));
        Add(new("gelu(tanh)", a => F.gelu(a[0], Approximate.tanh), a => B.gelu(a[0], Approximate.tanh), "gelu(tanh)"));
        Add(new("tanhshrink", a => F.tanhshrink(a[0]), a => B.tanhshrink(a[0]), "tanhshrink (x - tanh x)"));
        Add(new("softshrink", a => F.softshrink(a[0]), a => B.softshrink(a[0]), "softshrink"));
        Add(new("hardshrink", a => F.hardshrink(a[0]), a => B.hardshrink(a[0]), "hardshrink"));
        Add(new("relu6", a => F.relu6(a[0]), a => B.relu6(a[0]), "relu6"));
        Add(new("sigmoid", a => F.sigmoid(a[0]), a => B.sigmoid(a[0]), "sigmoid"));
        Add(new("tanh", a => F.tanh(a[0]), a => B.tanh(a[0]), "tanh"));
        Add(new("softsign", a => F.softsign(a[0]), a => B.softsign(a[0]), "softsign (x / (1 + abs x))"));
        Add(new("hardtanh", a => F.hardtanh(a[0]), a => a[0].clamp(-1, 1), "clamp(-1, 1)",
            Note: "TorchSharp 0.107.0's hardtanh returns its input unchanged, so clamp(-1, 1) stands in"));
        Add(new("threshold", a => F.threshold(a[0], 0.1, 20), a => B.threshold(a[0], 0.1, 20), "threshold",
            Note: "threshold 0.1, value 20"));
        Add(new("heaviside", a => F.heaviside(a[0]), a => torch.heaviside(a[0], OneLike(a[0])), "heaviside (forward only)",
            BuiltinHasGradient: false,
            Note: "torch.heaviside has no derivative: built-in timed forward only, ours forward + backward (a zero gradient)"));
        Add(new("silu", a => F.silu(a[0]), a => B.silu(a[0]), "silu"));
        Add(new("mish", a => F.mish(a[0]), a => B.mish(a[0]), "mish"));
        Add(new("hardswish", a => F.hardswish(a[0]), a => B.hardswish(a[0]), "hardswish"));
        Add(new("hardsigmoid", a => F.hardsigmoid(a[0]), a => B.hardsigmoid(a[0]), "hardsigmoid"));
        Add(new("logsigmoid", a => F.logsigmoid(a[0]), a => B.logsigmoid(a[0]), "logsigmoid"));
        Add(new("softmin", a => F.softmin(a[0], 1), a => B.softmin(a[0], 1), "softmin (softmax of -x)", Note: "along dim 1 of [n/100, 100]"));
        Add(new("softmax", a => F.softmax(a[0], 1), a => B.softmax(a[0], 1), "softmax", Note: "along dim 1 of [n/100, 100]"));
        Add(new("log_softmax", a => F.log_softmax(a[0], 1), a => B.log_softmax(a[0], 1), "log_softmax", Note: "along dim 1 of [n/100, 100]"));

        var result = new List<BenchCase>();
        foreach (var name in Activations.Names) {
            if (known.Remove(name, out var c)) {
                result.Add(c);
                if (name == "gelu" && known.Remove("gelu(tanh)", out var tanh)) result.Add(tanh);
                continue;
            }
            // An activation this table does not know: its module with default parameters, no built-in.
            var spec = name;
            nn.Module<Tensor, Tensor>? module = null;
            try { module = Activations.Create(spec); } catch (ArgumentException) { }
            if (module is null) {
                try { module = Activations.Create($"{name}(dim=1)"); } catch (ArgumentException) { continue; }
            }
            var m = module;
            result.Add(new(name, a => m.call(a[0]), null, "(none in the benchmark table)"));
        }
        result.AddRange(known.Values);   // rows whose catalog name changed still run
        return result;
    }

    [ThreadStatic] static Tensor? one;
    static Tensor OneLike(Tensor x)
    {
        if (one is null || one.dtype != x.dtype) one = torch.ones(Array.Empty<long>(), dtype: x.dtype).DetachFromDisposeScope();
        return one;
    }
}
