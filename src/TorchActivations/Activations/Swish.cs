using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using TorchSharp.Utils;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>Inputs: x and β (1 or C elements, C = size of dim 1). Saves both; σ(βx) is recomputed in backward.</summary>
    internal sealed class SwishDefinition : ActivationDefinition
    {
        public static readonly SwishDefinition Instance = new();
        public override string Name => "swish";
        // No built-in op with a learnable β: the formula in built-in ops, β along the channels.
        public override Func<Tensor[], Tensor> Builtin => x => x[0] * torch.sigmoid(x[0] * Ops.AlongChannels(x[1], x[0].dim()));

        public override void CheckInputs(ReadOnlySpan<Tensor> inputs) => PerChannelParameter.Check(inputs[0], inputs[1], "beta");

        public override Tensor Forward(ReadOnlySpan<Tensor> inputs, List<Tensor>? save)
        {
            var (x, beta) = (inputs[0], inputs[1]);
            save?.AddRange([x, beta]);
            // σ(βx) is exactly 0 or 1 where βx is huge (even ±∞ after overflow), so x·σ(βx) stays finite.
            return Ops.Logistic(x * Ops.AlongChannels(beta, x.dim())).mul_(x);
        }

        public override Tensor?[] BackwardAll(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var (x, beta) = (saved[0], saved[1]);
            // βx may overflow to ±∞ in a narrow dtype; the largest finite value gives the same σ and keeps z·(1 − σ) from being ∞·0.
            var z = (x * Ops.AlongChannels(beta, x.dim())).nan_to_num_(nan: double.NaN);
            var s = Ops.Logistic(z);
            var sigmoidSlope = s * s.neg().add(One, One);                                      // σ'(βx) = σ(1 − σ) ∈ [0, 1/4]

            // ∂y/∂x = σ(βx) + βx·σ'(βx) = σ·(1 + βx·(1 − σ))
            var gradInput = s.neg().add_(One, One).mul_(z).add_(One, One).mul_(s).mul_(grad);

            // ∂y/∂β = x²·σ'(βx), summed over everything but the channel dim. σ'·x first: it is at most |x|/4,
            // and 0 where |βx| is large, so the second factor x cannot meet an overflowed x².
            var perElement = sigmoidSlope.mul_(x).mul_(x).mul_(grad);
            return [gradInput, PerChannelParameter.Gradient(perElement, beta)];
        }
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.swish"/>
    public sealed class Swish : torch.nn.Module<Tensor, Tensor>, IDeclaredActivation
    {
        ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => SwishDefinition.Instance;

        internal Swish(long num_parameters, double init, Device? device, ScalarType? dtype) : base(nameof(Swish))
        {
            beta = PerChannelParameter.Create(num_parameters, init, device, dtype);
            this.num_parameters = num_parameters;
            this.init = init;
        }

        /// <summary>The learnable β of x·σ(βx), shape [num_parameters]; registered as the parameter <c>beta</c>.</summary>
        public TorchSharp.Modules.Parameter beta {
            get => _beta!;
            set {
                ArgumentNullException.ThrowIfNull(value, nameof(beta));
                if (value.Handle == _beta?.Handle) return;
                _beta?.Dispose();
                _beta = (TorchSharp.Modules.Parameter)value.DetachFromDisposeScope();
                ConditionallyRegisterParameter(nameof(beta), _beta);
            }
        }

        /// <summary>Number of β values: 1 (shared) or the number of input channels.</summary>
        public long num_parameters { get; }

        /// <summary>The initial value of every β.</summary>
        public double init { get; }

        /// <summary>Applies Swish with this module's β.</summary>
        public override Tensor forward(Tensor input) => Functional.swish(input, beta);

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing) _beta?.Dispose();
            base.Dispose(disposing);
        }

        [ComponentName(Name = nameof(beta))]
        TorchSharp.Modules.Parameter? _beta;
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.swish"/>
        /// <param name="num_parameters">How many β to learn: 1 (shared by all channels) or the number of input channels. Default 1.</param>
        /// <param name="init">The initial value of every β. Default 1, where Swish is SiLU.</param>
        /// <param name="device">Where to create β.</param>
        /// <param name="dtype">β's floating-point type; default the default dtype.</param>
        /// <example>
        /// <code>
        /// var swish = Activations.Swish(num_parameters: 32);   // one β per channel of an [N, 32, H, W] input
        /// var y = swish.call(x);                                // swish.beta receives its gradient on backward
        /// </code>
        /// </example>
        public static Swish Swish(long num_parameters = 1, double init = 1.0, Device? device = null, ScalarType? dtype = null) =>
            new(num_parameters, init, device, dtype);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Swish with a learnable β (Ramachandran et al.). Swish(x) = x·σ(β·x), σ(z) = 1 / (1 + e^(−z)), with β
        /// one shared value or one per channel (dim 1 of the input). β = 1 gives SiLU; β → ∞ approaches ReLU.
        /// ∂Swish/∂x = σ(βx)·(1 + βx·(1 − σ(βx))); ∂Swish/∂β = x²·σ(βx)·(1 − σ(βx)).
        /// </summary>
        /// <param name="input">A floating-point tensor; channels are dim 1.</param>
        /// <param name="beta">β: 1 element, or as many as the input has channels; same dtype and device as the input.</param>
        public static Tensor swish(Tensor input, Tensor beta)
        {
            ArgumentNullException.ThrowIfNull(beta, nameof(beta));
            return SwishDefinition.Instance.Apply([input, beta]);
        }
    }
}
