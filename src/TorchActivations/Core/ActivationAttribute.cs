namespace TorchActivations.Core;

/// <summary>
/// Marks a definition as the whole declaration of an element-wise activation: the source generator
/// (src/TorchActivations.Generators) writes its module class, its factory in <see cref="Activations"/> and its
/// functional in <see cref="Functional"/> from it. The parameters are the definition's primary constructor
/// parameters (names, types, defaults, in order); the functional's documentation is the definition's documentation
/// comment, with <c>input</c> (and <c>inplace</c>) added; the module reads each parameter <c>p_q</c> back from the
/// definition's property <c>PQ</c>. A definition without parameters gets a shared <c>Instance</c>.
/// </summary>
/// <param name="functional">The torch.nn.functional name, e.g. <c>leaky_relu</c>.</param>
/// <param name="module">The torch.nn module name, e.g. <c>LeakyReLU</c>.</param>
[AttributeUsage(AttributeTargets.Class, Inherited = false)]
internal sealed class ActivationAttribute(string functional, string module) : Attribute
{
    public string Functional { get; } = functional;
    public string Module { get; } = module;

    /// <summary>Whether the module, factory and functional take <c>inplace</c>, as their TorchSharp counterparts do.</summary>
    public bool Inplace { get; init; }

    /// <summary>
    /// The name of a learnable tensor with one value shared by all channels or one per channel (dim 1), which the
    /// definition takes after the input (PReLU's <c>weight</c>): the module then owns it as a parameter, created from
    /// <c>num_parameters</c> and <see cref="Init"/>, and the functional takes it as a tensor, documented by the
    /// declaration's <c>&lt;learnable name="..."&gt;</c> tag.
    /// </summary>
    public string? PerChannel { get; init; }

    /// <summary>The default initial value of the <see cref="PerChannel"/> tensor.</summary>
    public double Init { get; init; } = 1;
}
