using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>Saves the output y: σ' = y·(1 − y).</summary>
    internal sealed class SigmoidDefinition : ElementwiseDefinition
    {
        public static readonly SigmoidDefinition Instance = new();
        public override string Name => "sigmoid";
        public override Func<Tensor[], Tensor> Builtin => x => torch.sigmoid(x[0]);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            // torch's sigmoid kernel: one pass instead of four, within an ulp or two of the exact value.
            // On contiguous memory: torch's vectorized and strided sigmoid loops can differ in the last bit.
            var y = x.contiguous().sigmoid();
            save?.Add(y);
            return y;
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var y = saved[0];
            if (!torch.is_grad_enabled())
                return FastPath.TrySavedSlope(FastPath.SavedSlope.Sigmoid, grad, y) ?? (grad * y).mul_(y.neg().add_(One, One));
            return grad * y * y.neg().add(One, One);
        }
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.sigmoid"/>
    public sealed class Sigmoid : ActivationModule
    {
        internal Sigmoid() : base(nameof(Sigmoid), SigmoidDefinition.Instance) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.sigmoid"/>
        public static Sigmoid Sigmoid() => new();
    }

    public static partial class Functional
    {
        /// <summary>Logistic sigmoid. σ(x) = 1 / (1 + e^(−x)); σ'(x) = σ(x)·(1 − σ(x)). Saturates at both ends.</summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        public static Tensor sigmoid(Tensor input) => SigmoidDefinition.Instance.Apply(input);
    }
}
