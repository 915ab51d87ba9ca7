using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Benchmarks;

/// <summary>
/// One activation to measure: the package's module and TorchSharp's built-in counterpart, both taking
/// the input followed by the extra tensors created by <see cref="Extras"/> (none for modules, which hold their
/// learnable tensors themselves).
/// </summary>
sealed record BenchCase(
    string Name,
    string Spec,
    Func<Tensor[], Tensor> Ours,
    Func<Tensor[], Tensor>? Builtin,
    string BuiltinLabel,
    bool BuiltinHasGradient = true,
    bool ComposedCounterpart = false,
    Func<Tensor, Tensor[]>? Extras = null,
    string? Note = null)
{
    public Tensor[] MakeExtras(Tensor x) => Extras?.Invoke(x) ?? [];
}

static class Cases
{
    // Parameters the benchmark sets where the defaults would leave nothing to measure or need a dim.
    static readonly Dictionary<string, string> Specs = new(StringComparer.OrdinalIgnoreCase) {
        ["threshold"] = "threshold(threshold=0.1, value=20)",
        ["softmin"] = "softmin(dim=1)",
        ["softmax"] = "softmax(dim=1)",
        ["log_softmax"] = "log_softmax(dim=1)",
        ["glu"] = "glu(dim=1)",
        ["swiglu"] = "swiglu(dim=1)",
        ["geglu"] = "geglu(dim=1)",
        ["reglu"] = "reglu(dim=1)",
    };

    // Activations TorchSharp has no function for: their declared counterpart composes torch ops, so they are left out
    // of the summaries, which compare with TorchSharp's built-ins.
    static readonly HashSet<string> Composed = new(StringComparer.OrdinalIgnoreCase) {
        "swish", "quick_gelu", "snake", "star_relu", "relu_squared", "squareplus",
    };

    // What a reader of the table needs to know about a pair; the pairs themselves come from the declarations.
    static readonly Dictionary<string, string> Notes = new(StringComparer.OrdinalIgnoreCase) {
        ["prelu"] = "one shared slope, a parameter of the module; mode backward accumulates its gradient too",
        ["rrelu"] = "evaluation mode (TorchSharp's rrelu has no training flag)",
        ["hardtanh"] = "TorchSharp 0.107.0's hardtanh returns its input unchanged, so its declared counterpart is clamp(-1, 1)",
        ["tanhshrink"] = "the counterpart is TorchSharp's tanhshrink, x - tanh x composed of two ops",
        ["softsign"] = "the counterpart is TorchSharp's softsign, x / (1 + |x|) composed of three ops",
        ["softmin"] = "along dim 1 of [n/100, 100]; the counterpart is softmax of -x",
        ["softmax"] = "along dim 1 of [n/100, 100]",
        ["log_softmax"] = "along dim 1 of [n/100, 100]",
        ["threshold"] = "threshold 0.1, value 20",
        ["heaviside"] = "torch.heaviside has no derivative: built-in timed forward only, ours forward + backward (a zero gradient)",
    };

    /// <summary>
    /// Every activation of <see cref="Activations.Names"/> (and gelu with approximate: tanh) whose output has the
    /// input's shape: the package's module from <see cref="Activations.Create"/> and, where the declaration names
    /// one, its built-in counterpart from <see cref="Activations.CreateBuiltin"/>. Both run in evaluation mode, the
    /// only mode in which RReLU has a built-in to compare with (the other activations do not depend on it).
    /// </summary>
    public static List<BenchCase> All()
    {
        var result = new List<BenchCase>();
        foreach (var name in Activations.Names) {
            if (Case(name, Specs.GetValueOrDefault(name, name)) is { } c) result.Add(c);
            if (name == "gelu") result.Add(Case("gelu(tanh)", "gelu(approximate=tanh)")!);
        }
        return result;
    }

    static BenchCase? Case(string name, string spec)
    {
        // The benchmark's input is a [n/100, 100] matrix: softmax2d takes none, the gated units halve it.
        using (torch.NewDisposeScope()) {
            var probe = torch.randn(4, 100);
            try { if (!probe.shape.SequenceEqual(Activations.Create(spec).call(probe).shape)) return null; }
            catch (ArgumentException) { return null; }
        }

        bool hasBuiltin = true;
        try { Activations.CreateBuiltin(spec).Dispose(); } catch (ArgumentException) { hasBuiltin = false; }
        var ours = PerDtype(() => Activations.Create(spec));
        var builtin = hasBuiltin ? PerDtype(() => Activations.CreateBuiltin(spec)) : null;
        bool hasGradient = builtin is null || HasGradient(builtin);
        bool composed = Composed.Contains(name);
        string label = builtin is null ? "(none)" : composed ? $"{name} (composed)" : hasGradient ? name : $"{name} (forward only)";
        return new(name, spec, ours, builtin, label,
                   BuiltinHasGradient: hasGradient, ComposedCounterpart: composed, Note: Notes.GetValueOrDefault(name));
    }

    /// <summary>
    /// The module applied in evaluation mode, one instance per input dtype (learnable tensors such as PReLU's weight
    /// take the input's dtype), created on first use.
    /// </summary>
    static Func<Tensor[], Tensor> PerDtype(Func<nn.Module<Tensor, Tensor>> create)
    {
        var modules = new Dictionary<ScalarType, nn.Module<Tensor, Tensor>>();
        return a => {
            if (!modules.TryGetValue(a[0].dtype, out var m)) {
                m = create();
                m.to(a[0].dtype);
                m.eval();
                modules[a[0].dtype] = m;
            }
            return m.call(a[0]);
        };
    }

    static bool HasGradient(Func<Tensor[], Tensor> f)
    {
        using var scope = torch.NewDisposeScope();
        return f([torch.randn(4, 100).requires_grad_(true)]).requires_grad;
    }
}
