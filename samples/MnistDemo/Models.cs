using TorchActivations;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;
using P = TorchActivations.Modules;

namespace MnistDemo;

/// <summary>Makes hidden-layer activations from a spec: the package's module, or TorchSharp's built-in one with the same parameters.</summary>
public static class ActivationFactory
{
    /// <summary>The package's module for the spec (throws ArgumentException listing valid names for an unknown one).</summary>
    public static nn.Module<Tensor, Tensor> Package(string spec) => Activations.Create(spec);

    /// <summary>
    /// TorchSharp's built-in counterpart of the spec, with the same parameter values (read back from the package's module).
    /// Heaviside has no torch.nn module; it gets a small module computing (x ≥ threshold) as a float, which, like
    /// the package's, passes no gradient. Hardtanh uses torch.clamp because TorchSharp 0.107.0's nn.Hardtanh is the identity.
    /// </summary>
    public static nn.Module<Tensor, Tensor> Builtin(string spec)
    {
        var m = Activations.Create(spec);
        try {
            return m switch {
                P.ReLU => nn.ReLU(),
                P.LeakyReLU a => nn.LeakyReLU(a.negative_slope),
                P.PReLU a => nn.PReLU(a.num_parameters, a.init),
                P.RReLU a => nn.RReLU(a.lower, a.upper),
                P.ELU a => nn.ELU(a.alpha),
                P.CELU a => nn.CELU(a.alpha),
                P.SELU => nn.SELU(),
                P.Softplus a => nn.Softplus(a.beta, a.threshold),
                P.GELU a => nn.GELU(a.approximate),
                P.Tanhshrink => nn.Tanhshrink(),
                P.Softshrink a => nn.Softshrink(a.lambda),
                P.Hardshrink a => nn.Hardshrink(a.lambda),
                P.ReLU6 => nn.ReLU6(),
                P.Sigmoid => nn.Sigmoid(),
                P.Tanh => nn.Tanh(),
                P.Softsign => nn.Softsign(),
                // TorchSharp 0.107.0's nn.Hardtanh and functional.hardtanh (inplace: false) return their input
                // unchanged (only the in-place variant clamps), so the reference is torch.clamp, TorchSharp's built-in op.
                P.Hardtanh a => new BuiltinClamp(a.min_val, a.max_val),
                P.Threshold a => nn.Threshold(a.threshold, a.value),
                P.Heaviside a => new BuiltinHeaviside(a.threshold),
                P.LogSigmoid => nn.LogSigmoid(),
                P.Softmax a => nn.Softmax(a.dim),
                P.Softmin a => nn.Softmin(a.dim),
                P.LogSoftmax a => nn.LogSoftmax(a.dim),
                P.SiLU => nn.SiLU(),
                P.Mish => nn.Mish(),
                P.Hardsigmoid => nn.Hardsigmoid(),
                P.Hardswish => nn.Hardswish(),
                P.Swish a => new BuiltinSwish(a.num_parameters, a.init),
                P.GLU a => nn.GLU(a.dim),
                P.Softmax2d => nn.Softmax2d(),
                // No torch.nn module for these: the formula in built-in torch ops, with native autograd, and the same
                // learnable parameters where the package has them.
                P.ReLUSquared => new BuiltinFunction("BuiltinReLUSquared", x => nn.functional.relu(x).square()),
                P.QuickGELU => new BuiltinFunction("BuiltinQuickGELU", x => x * torch.sigmoid(x * 1.702)),
                P.StarReLU a => new BuiltinStarReLU(a.scale.item<float>(), a.bias.item<float>(), a.scale.requires_grad, a.bias.requires_grad),
                P.Snake a => new BuiltinSnake(a.num_parameters, a.init),
                // The gated units halve their dim (value half a, gate half b, PyTorch's glu order).
                P.SwiGLU a => new BuiltinFunction("BuiltinSwiGLU", x => { var h = x.chunk(2, a.dim); return h[0] * nn.functional.silu(h[1]); }),
                P.GEGLU a => new BuiltinFunction("BuiltinGEGLU", x => { var h = x.chunk(2, a.dim); return h[0] * nn.functional.gelu(h[1], a.approximate); }),
                P.ReGLU a => new BuiltinFunction("BuiltinReGLU", x => { var h = x.chunk(2, a.dim); return h[0] * nn.functional.relu(h[1]); }),
                _ => throw new ArgumentException($"No built-in counterpart is mapped for '{spec}'.", nameof(spec)),
            };
        } finally {
            m.Dispose();
        }
    }

    /// <summary>Specs for activations whose factory has required parameters, used when a command runs "every element-wise activation".</summary>
    public static readonly IReadOnlyDictionary<string, string> RequiredParameterDefaults = new Dictionary<string, string> {
        ["threshold"] = "threshold(threshold=0.1, value=0)",
    };

    /// <summary>Every element-wise activation as a spec that <see cref="Activations.Create"/> accepts.</summary>
    public static string[] DefaultElementwiseSpecs() =>
        Activations.ElementwiseNames.Select(n => RequiredParameterDefaults.TryGetValue(n, out var spec) ? spec : n).ToArray();

    public static nn.Module<Tensor, Tensor> Make(string spec, bool builtin) => builtin ? Builtin(spec) : Package(spec);

    /// <summary>Built-in stand-in for Hardtanh: torch.clamp with its native autograd.</summary>
    sealed class BuiltinClamp(double min, double max) : nn.Module<Tensor, Tensor>("BuiltinClamp")
    {
        public override Tensor forward(Tensor input) => input.clamp(min, max);
    }

    /// <summary>Built-in stand-in for Swish with a learnable β (torch.nn has none): x·sigmoid(β·x) in torch ops.</summary>
    sealed class BuiltinSwish : nn.Module<Tensor, Tensor>
    {
        public BuiltinSwish(long numParameters, double init) : base("BuiltinSwish")
        {
            beta = nn.Parameter(torch.full(numParameters, init));
            RegisterComponents();
        }

        readonly TorchSharp.Modules.Parameter beta;

        public override Tensor forward(Tensor input)
        {
            var b = AlongChannels(beta, input);
            return input * torch.sigmoid(input * b);
        }
    }

    /// <summary>A per-channel parameter shaped to broadcast along dim 1 of <paramref name="input"/> (0-d when it has one value).</summary>
    static Tensor AlongChannels(Tensor parameter, Tensor input) =>
        parameter.numel() == 1 ? parameter.reshape(Array.Empty<long>())
            : parameter.reshape([1, parameter.numel(), .. Enumerable.Repeat(1L, (int)input.dim() - 2)]);

    /// <summary>A parameter-free activation written in built-in torch ops.</summary>
    sealed class BuiltinFunction(string name, Func<Tensor, Tensor> f) : nn.Module<Tensor, Tensor>(name)
    {
        public override Tensor forward(Tensor input) => f(input);
    }

    /// <summary>Built-in stand-in for StarReLU (torch.nn has none): s·relu(x)² + b in torch ops, s and b learnable unless frozen.</summary>
    sealed class BuiltinStarReLU : nn.Module<Tensor, Tensor>
    {
        public BuiltinStarReLU(double scaleValue, double biasValue, bool scaleLearnable, bool biasLearnable) : base("BuiltinStarReLU")
        {
            scale = nn.Parameter(torch.full(1, scaleValue), scaleLearnable);
            bias = nn.Parameter(torch.full(1, biasValue), biasLearnable);
            RegisterComponents();
        }

        readonly TorchSharp.Modules.Parameter scale, bias;

        public override Tensor forward(Tensor input) => nn.functional.relu(input).square() * scale + bias;
    }

    /// <summary>Built-in stand-in for Snake (torch.nn has none): x + sin²(αx)/α in torch ops, α per channel.</summary>
    sealed class BuiltinSnake : nn.Module<Tensor, Tensor>
    {
        public BuiltinSnake(long numParameters, double init) : base("BuiltinSnake")
        {
            alpha = nn.Parameter(torch.full(numParameters, init));
            RegisterComponents();
        }

        readonly TorchSharp.Modules.Parameter alpha;

        public override Tensor forward(Tensor input)
        {
            var a = AlongChannels(alpha, input);
            return input + (input * a).sin().square() / a;
        }
    }

    /// <summary>Built-in stand-in for Heaviside: torch.nn has no module, and torch.heaviside has no derivative.</summary>
    sealed class BuiltinHeaviside(double threshold) : nn.Module<Tensor, Tensor>("BuiltinHeaviside")
    {
        public override Tensor forward(Tensor input) => input.ge(threshold).to_type(input.dtype);
    }
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
