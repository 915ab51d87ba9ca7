using TorchActivations.Lookup;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations;

public static partial class Activations
{
    /// <summary>Every name <see cref="Create"/> accepts: the notes' activations in their order, then silu, swish, mish, hardsigmoid, hardswish, glu, softmax2d, then swiglu, geglu, reglu, relu_squared, star_relu, quick_gelu, snake, squareplus.</summary>
    public static IReadOnlyList<string> Names => ActivationCatalog.Names;

    /// <summary>The names of the activations applied element by element (all but softmin, softmax, log_softmax, glu, softmax2d, swiglu, geglu and reglu).</summary>
    public static IReadOnlyList<string> ElementwiseNames => ActivationCatalog.ElementwiseNames;

    /// <summary>
    /// Creates an activation module from a spec: a name, optionally followed by arguments in parentheses,
    /// named like the factory's parameters or given in their order. Names match loosely
    /// (<c>leaky_relu</c>, <c>LeakyReLU</c>); parameters not given take the factory's defaults.
    /// </summary>
    /// <param name="spec">For example <c>relu</c>, <c>leaky_relu(negative_slope=0.2)</c>, <c>elu(0.5)</c>, <c>gelu(approximate=tanh)</c>, <c>softmax(dim=1)</c>.</param>
    /// <exception cref="ArgumentException">An unknown name or parameter (the message lists the valid ones), a value of the wrong type, or a missing required parameter.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A value outside the parameter's range.</exception>
    /// <example>
    /// <code>
    /// var act = Activations.Create("leaky_relu(negative_slope=0.2)");
    /// foreach (var name in Activations.Names) Console.WriteLine(Activations.Describe(name));
    /// </code>
    /// </example>
    public static nn.Module<Tensor, Tensor> Create(string spec) => ActivationCatalog.Create(spec);

    /// <summary>
    /// Creates TorchSharp's own counterpart of <see cref="Create"/>'s module for the same spec: the same parameter values
    /// and learnable tensors (copies, under the same names), computed with TorchSharp's built-in ops and their native
    /// autograd. Swapping it in shows what the package changes in a model, e.g. in training speed or memory. Where
    /// TorchSharp has no op for the activation, or its op is wrong, it is the formula in built-in ops: hardtanh is
    /// <c>torch.clamp</c> (TorchSharp 0.107.0's hardtanh returns its input), heaviside is <c>(x ≥ threshold)</c> as a float
    /// (<c>torch.heaviside</c> has no derivative), and swish, relu_squared, star_relu, quick_gelu, snake and the gated units
    /// are composed from built-in ops.
    /// </summary>
    /// <param name="spec">As for <see cref="Create"/>.</param>
    /// <exception cref="ArgumentException">As for <see cref="Create"/>.</exception>
    /// <example>
    /// <code>
    /// var mine = Activations.Create("gelu(approximate=tanh)");
    /// var theirs = Activations.CreateBuiltin("gelu(approximate=tanh)");   // nn.functional.gelu with approximate: tanh
    /// </code>
    /// </example>
    public static nn.Module<Tensor, Tensor> CreateBuiltin(string spec)
    {
        using var package = Create(spec);
        return Core.BuiltinCounterpart.Of(package, spec);
    }

    /// <summary>The parameters an activation takes, with defaults, e.g. <c>leaky_relu(negative_slope=0.01, inplace=false)</c>.</summary>
    /// <param name="name">A name from <see cref="Names"/>.</param>
    public static string Describe(string name) => ActivationCatalog.Signature(ActivationCatalog.Find(name, nameof(name)));
}
