using TorchActivations;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace MnistDemo;

/// <summary>Makes hidden-layer activations from a spec: the package's module, or TorchSharp's built-in one with the same parameters.</summary>
public static class ActivationFactory
{
    /// <summary>The package's module for the spec (throws ArgumentException listing valid names for an unknown one).</summary>
    public static nn.Module<Tensor, Tensor> Package(string spec) => Activations.Create(spec);

    /// <summary>
    /// TorchSharp's built-in counterpart of the spec (<see cref="Activations.CreateBuiltin"/>): the same parameter values and
    /// learnable tensors, computed by TorchSharp's ops with its native autograd.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Builtin(string spec) => Activations.CreateBuiltin(spec);

    /// <summary>Specs for activations whose factory has required parameters, used when a command runs "every element-wise activation".</summary>
    public static readonly IReadOnlyDictionary<string, string> RequiredParameterDefaults = new Dictionary<string, string> {
        ["threshold"] = "threshold(threshold=0.1, value=0)",
    };

    /// <summary>Every element-wise activation as a spec that <see cref="Activations.Create"/> accepts.</summary>
    public static string[] DefaultElementwiseSpecs() =>
        Activations.ElementwiseNames.Select(n => RequiredParameterDefaults.TryGetValue(n, out var spec) ? spec : n).ToArray();

    public static nn.Module<Tensor, Tensor> Make(string spec, bool builtin) => builtin ? Builtin(spec) : Package(spec);
}

/// <summary>The CNN of the PyTorch / TorchSharp MNIST example with a chosen hidden activation after conv1, conv2 and fc1.</summary>
public sealed class MnistCnn : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1, conv2;
    readonly MaxPool2d pool = nn.MaxPool2d(2);
    readonly Dropout dropout1 = nn.Dropout(0.25);
    readonly Flatten flatten = nn.Flatten();
    readonly Linear fc1, fc2;
    readonly Dropout dropout2 = nn.Dropout(0.5);
    readonly nn.Module<Tensor, Tensor> act1, act2, act3, logSoftmax;

    /// <param name="activation">Spec of the hidden activation.</param>
    /// <param name="builtin">TorchSharp's built-in module instead of the package's.</param>
    /// <param name="channels1">conv1's output channels (32 in the example).</param>
    /// <param name="channels2">conv2's output channels (64 in the example; fc1 then takes 64 x 12 x 12 = 9216 inputs).</param>
    /// <param name="hidden">fc1's width (128 in the example).</param>
    public MnistCnn(string activation, bool builtin, int channels1 = 32, int channels2 = 64, int hidden = 128) : base(nameof(MnistCnn))
    {
        // Created in the example's order, so a seed gives the same initial weights as there.
        conv1 = nn.Conv2d(1, channels1, 3);
        conv2 = nn.Conv2d(channels1, channels2, 3);
        fc1 = nn.Linear(channels2 * 12 * 12, hidden);
        fc2 = nn.Linear(hidden, 10);
        act1 = ActivationFactory.Make(activation, builtin);
        act2 = ActivationFactory.Make(activation, builtin);
        act3 = ActivationFactory.Make(activation, builtin);
        logSoftmax = builtin ? nn.LogSoftmax(1) : Activations.LogSoftmax(dim: 1);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = act1.call(conv1.call(x));
        h = act2.call(conv2.call(h));
        h = dropout1.call(pool.call(h));
        h = act3.call(fc1.call(flatten.call(h)));
        h = fc2.call(dropout2.call(h));
        return logSoftmax.call(h).MoveToOuterDisposeScope();
    }
}

/// <summary>A deep MLP (784 → width → ... → 10) for the gradient-flow study; each hidden layer is Linear then the activation.</summary>
public sealed class DeepMlp : nn.Module<Tensor, Tensor>
{
    public readonly ModuleList<Linear> Layers = new();
    readonly ModuleList<nn.Module<Tensor, Tensor>> acts = new();
    readonly nn.Module<Tensor, Tensor> logSoftmax;

    public DeepMlp(string activation, int depth, int width, bool builtin = false) : base(nameof(DeepMlp))
    {
        logSoftmax = builtin ? nn.LogSoftmax(1) : Activations.LogSoftmax(dim: 1);
        if (depth < 2) throw new ArgumentOutOfRangeException(nameof(depth), depth, "depth must be at least 2 (one hidden layer and the output layer).");
        for (int i = 0; i < depth; i++) {
            Layers.Add(nn.Linear(i == 0 ? 784 : width, i == depth - 1 ? 10 : width));
            if (i < depth - 1) acts.Add(ActivationFactory.Make(activation, builtin));
        }
        RegisterComponents();
    }

    public override Tensor forward(Tensor x)
    {
        using var scope = torch.NewDisposeScope();
        var h = x.flatten(1);
        for (int i = 0; i < Layers.Count; i++) {
            h = Layers[i].call(h);
            if (i < acts.Count) h = acts[i].call(h);
        }
        return logSoftmax.call(h).MoveToOuterDisposeScope();
    }
}
