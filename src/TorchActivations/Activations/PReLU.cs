using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>Inputs: x and the weight a (1 or C elements, C = size of dim 1). Saves both.</summary>
    internal sealed class PReLUDefinition : ActivationDefinition
    {
        public override bool PiecewiseConstantDerivative => true;

        public static readonly PReLUDefinition Instance = new();
        public override string Name => "prelu";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.prelu(x[0], x[1]);

        public override void CheckInputs(ReadOnlySpan<Tensor> inputs) => PerChannelParameter.Check(inputs[0], inputs[1], "weight");

        public override Tensor Forward(ReadOnlySpan<Tensor> inputs, List<Tensor>? save)
        {
            var (x, weight) = (inputs[0], inputs[1]);
            save?.AddRange([x, weight]);
            var slope = Ops.AlongChannels(weight, x.dim());
            return FastPath.Where(x, 1, 0, orEqual: true, x, x * slope);
        }

        public override Tensor?[] BackwardAll(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var (x, weight) = (saved[0], saved[1]);
            Tensor gradInput, perElement;
            if (!torch.is_grad_enabled()) {
                // Not recorded: fused selects instead of torch's (slow) bool-mask kernels, same values.
                gradInput = FastPath.Where(x, 1, 0, orEqual: true, grad, grad * Ops.AlongChannels(weight, x.dim()));
                perElement = FastPath.Where(x, 1, 0, orEqual: true, torch.zeros_like(grad), grad * x);
            } else {
                var nonNegative = x.ge(Zero);
                gradInput = grad.where(nonNegative, grad * Ops.AlongChannels(weight, x.dim()));
                // dPReLU/da = x for x < 0, 0 for x ≥ 0; summed over everything but the channel dim.
                perElement = (grad * x).masked_fill(nonNegative, Zero);
            }
            return [gradInput, PerChannelParameter.Gradient(perElement, weight)];
        }
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.prelu"/>
    public sealed class PReLU : torch.nn.Module<Tensor, Tensor>, IDeclaredActivation
    {
        ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => PReLUDefinition.Instance;

        internal PReLU(long num_parameters, double init, Device? device, ScalarType? dtype) : base(nameof(PReLU))
        {
            weight = PerChannelParameter.Create(num_parameters, init, device, dtype);
            this.num_parameters = num_parameters;
            this.init = init;
        }

        /// <summary>The learnable slopes a for x &lt; 0, shape [num_parameters], named <c>weight</c> as in TorchSharp's PReLU.</summary>
        public TorchSharp.Modules.Parameter weight {
            get => _weight!;
            set {
                ArgumentNullException.ThrowIfNull(value, nameof(weight));
                if (value.Handle == _weight?.Handle) return;
                _weight?.Dispose();
                _weight = (TorchSharp.Modules.Parameter)value.DetachFromDisposeScope();
                ConditionallyRegisterParameter(nameof(weight), _weight);
            }
        }

        /// <summary>Number of slopes: 1 (shared) or the number of input channels.</summary>
        public long num_parameters { get; }

        /// <summary>The initial value of every slope.</summary>
        public double init { get; }

        /// <summary>Applies PReLU with this module's weight.</summary>
        public override Tensor forward(Tensor input) => Functional.prelu(input, weight);

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing) _weight?.Dispose();
            base.Dispose(disposing);
        }

        [ComponentName(Name = nameof(weight))]
        TorchSharp.Modules.Parameter? _weight;
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.prelu"/>
        /// <param name="num_parameters">How many slopes to learn: 1 (shared by all channels) or the number of input channels. Default 1.</param>
        /// <param name="init">The initial value of every slope. Default 0.25.</param>
        /// <param name="device">Where to create the weight.</param>
        /// <param name="dtype">The weight's floating-point type; default the default dtype.</param>
        /// <example>
        /// <code>
        /// var prelu = Activations.PReLU(num_parameters: 32);   // one slope per channel of an [N, 32, H, W] input
        /// var y = prelu.call(x);                                // prelu.weight receives its gradient on backward
        /// </code>
        /// </example>
        public static PReLU PReLU(long num_parameters = 1, double init = 0.25, Device? device = null, ScalarType? dtype = null) =>
            new(num_parameters, init, device, dtype);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Parametric ReLU. PReLU(x) = x for x ≥ 0, a·x for x &lt; 0, where the slopes a are learnable,
        /// one shared or one per channel (dim 1 of the input).
        /// dPReLU/dx = 1 for x ≥ 0 (including 0), a for x &lt; 0; dPReLU/da = x for x &lt; 0, 0 for x ≥ 0.
        /// </summary>
        /// <param name="input">A floating-point tensor; channels are dim 1.</param>
        /// <param name="weight">The slopes: 1 element, or as many as the input has channels; same dtype and device as the input.</param>
        public static Tensor prelu(Tensor input, Tensor weight)
        {
            ArgumentNullException.ThrowIfNull(weight, nameof(weight));
            return PReLUDefinition.Instance.Apply([input, weight]);
        }
    }
}
