using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>Saves tanh(x): the derivative 1 − (1 − tanh²x) = tanh²x needs nothing else.</summary>
    internal sealed class TanhshrinkDefinition : ElementwiseDefinition
    {
        public static readonly TanhshrinkDefinition Instance = new();
        public override string Name => "tanhshrink";

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            var t = x.tanh();
            save?.Add(t);
            return x - t;
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) =>
            (!torch.is_grad_enabled() ? FastPath.TrySavedSlope(FastPath.SavedSlope.TanhSquared, grad, saved[0]) : null)
            ?? grad * saved[0].square();
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.tanhshrink"/>
    public sealed class Tanhshrink : ActivationModule
    {
        internal Tanhshrink(bool inplace) : base(nameof(Tanhshrink), TanhshrinkDefinition.Instance, inplace) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.tanhshrink"/>
        public static Tanhshrink Tanhshrink(bool inplace = false) => new(inplace);
    }

    public static partial class Functional
    {
        /// <summary>Tanhshrink(x) = x − tanh(x); Tanhshrink'(x) = tanh²(x).</summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor tanhshrink(Tensor input, bool inplace = false) => TanhshrinkDefinition.Instance.Apply(input, inplace);
    }
}
