using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>Saves the output y: tanh' = 1 − y².</summary>
    internal sealed class TanhDefinition : ElementwiseDefinition
    {
        public static readonly TanhDefinition Instance = new();
        public override string Name => "tanh";

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            // tanh|x| = −m / (2 + m) with m = e^(−2|x|) − 1: expm1 keeps small |x| exact and the
            // negative exponent cannot overflow; the sign is restored afterwards.
            var m = x.abs().mul_(-2).expm1_();
            var y = m.neg().div_(m + 2).copysign_(x);
            save?.Add(y);
            return y;
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var y = saved[0];
            return grad * (1 - y * y);
        }
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.tanh"/>
    public sealed class Tanh : ActivationModule
    {
        internal Tanh() : base(nameof(Tanh), TanhDefinition.Instance) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.tanh"/>
        public static Tanh Tanh() => new();
    }

    public static partial class Functional
    {
        /// <summary>Hyperbolic tangent. tanh(x) = (eˣ − e^(−x)) / (eˣ + e^(−x)); tanh'(x) = 1 − tanh²(x). Saturates at ±1.</summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        public static Tensor tanh(Tensor input) => TanhDefinition.Instance.Apply(input);
    }
}
