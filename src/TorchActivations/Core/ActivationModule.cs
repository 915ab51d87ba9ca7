using TorchActivations.Core;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Modules;

/// <summary>
/// Base of the package's parameter-free activation modules: a TorchSharp module whose forward
/// applies one activation definition through the package's autograd function.
/// </summary>
public abstract class ActivationModule : ParameterLessModule<Tensor, Tensor>, IDeclaredActivation
{
    private protected ActivationModule(string name, ActivationDefinition definition, bool inplace = false) : base(name)
    {
        Definition = definition;
        this.inplace = inplace;
    }

    private protected ActivationDefinition Definition { get; }

    ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => Definition;

    /// <summary>
    /// Write the result into the input. Allowed only when autograd does not record the call
    /// (under <c>torch.no_grad()</c> or on an input that does not require grad); otherwise the
    /// call is rejected with an <see cref="ArgumentException"/>.
    /// </summary>
    public bool inplace { get; set; }

    /// <summary>Applies the activation to <paramref name="input"/>.</summary>
    public override Tensor forward(Tensor input) => Definition.Apply(input, inplace);
}
