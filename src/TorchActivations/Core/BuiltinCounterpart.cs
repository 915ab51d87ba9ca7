using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core;

/// <summary>
/// A module of the package seen through its declaration: the definition it applies. Its learnable tensors are its
/// registered parameters, which the definition takes after the input in the order they are registered.
/// </summary>
internal interface IDeclaredActivation
{
    /// <summary>The definition the module applies in training or in evaluation mode (they differ only for RReLU).</summary>
    ActivationDefinition DefinitionFor(bool training);
}

/// <summary>
/// TorchSharp's counterpart of one of the package's modules: the same parameter values and learnable tensors (copies
/// under the same names, so state dicts are interchangeable), computed by <see cref="ActivationDefinition.Builtin"/> with
/// torch's native autograd. Nothing of the package's autograd function runs in it.
/// </summary>
internal sealed class BuiltinCounterpart : nn.Module<Tensor, Tensor>
{
    readonly Func<Tensor[], Tensor> whenTraining, whenEvaluating;
    // Names, not the tensors: to(device) and to(dtype) replace a module's registered parameters.
    readonly string[] learnables;

    BuiltinCounterpart(string name, Func<Tensor[], Tensor> whenTraining, Func<Tensor[], Tensor> whenEvaluating,
        (string Name, Parameter Value)[] learnables) : base(name)
    {
        (this.whenTraining, this.whenEvaluating) = (whenTraining, whenEvaluating);
        this.learnables = learnables.Select(p => p.Name).ToArray();
        foreach (var (parameterName, value) in learnables) register_parameter(parameterName, value);
    }

    /// <summary>The counterpart of <paramref name="package"/>, or an <see cref="ArgumentException"/> naming <paramref name="spec"/> when TorchSharp has none.</summary>
    public static nn.Module<Tensor, Tensor> Of(nn.Module<Tensor, Tensor> package, string spec)
    {
        var declared = (IDeclaredActivation)package;
        var (training, evaluating) = (declared.DefinitionFor(true), declared.DefinitionFor(false));
        if (training.Builtin is not { } whenTraining || evaluating.Builtin is not { } whenEvaluating)
            throw new ArgumentException($"{training.Name} has no TorchSharp built-in counterpart.", nameof(spec));

        var copies = package.named_parameters()
            // The module owns its copies: a dispose scope around the call that creates it must not free them.
            .Select(p => (p.name, (Parameter)new Parameter(p.parameter.detach().clone(), p.parameter.requires_grad).DetachFromDisposeScope()))
            .ToArray();
        var module = new BuiltinCounterpart("Builtin" + package.GetName(), whenTraining, whenEvaluating, copies);
        module.train(package.training);
        return module;
    }

    public override Tensor forward(Tensor input)
    {
        var inputs = new Tensor[learnables.Length + 1];
        inputs[0] = input;
        for (int i = 0; i < learnables.Length; i++) inputs[i + 1] = get_parameter(learnables[i])!;
        return (training ? whenTraining : whenEvaluating)(inputs);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) foreach (var name in learnables) get_parameter(name)?.Dispose();
        base.Dispose(disposing);
    }
}
