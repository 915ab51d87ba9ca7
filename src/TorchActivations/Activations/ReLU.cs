using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    internal sealed class ReLUDefinition : ElementwiseDefinition
    {
        public override bool PiecewiseConstantDerivative => true;

        public static readonly ReLUDefinition Instance = new();
        public override string Name => "relu";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.relu(x[0]);

        static readonly PiecewiseLinear Rule = new(PiecewiseKind.Relu);

        // Keeps a 1-byte mask (slope 1 or 0) for backward.
        public override Tensor Forward(Tensor x, List<Tensor>? save) => Rule.Forward(x, save);

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => Rule.Backward(grad, saved[0]);
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.relu"/>
    public sealed class ReLU : ActivationModule
    {
        internal ReLU(bool inplace) : base(nameof(ReLU), ReLUDefinition.Instance, inplace) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.relu"/>
        public static ReLU ReLU(bool inplace = false) => new(inplace);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Rectified linear unit. ReLU(x) = x for x ≥ 0, 0 for x &lt; 0.
        /// ReLU'(x) = 1 for x ≥ 0, 0 for x &lt; 0; at the kink ReLU'(0) = 1 (PyTorch uses 0).
        /// Keeps a 1-byte mask for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor relu(Tensor input, bool inplace = false) => ReLUDefinition.Instance.Apply(input, inplace);
    }
}
