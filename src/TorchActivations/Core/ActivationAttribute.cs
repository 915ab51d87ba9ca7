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
}
