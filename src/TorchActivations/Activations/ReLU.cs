using TorchActivations.Core;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// Rectified linear unit. ReLU(x) = x for x ≥ 0, 0 for x &lt; 0.
    /// ReLU'(x) = 1 for x ≥ 0, 0 for x &lt; 0; at the kink ReLU'(0) = 1 (PyTorch uses 0).
    /// Keeps a 1-byte mask for backward.
    /// </summary>
    [Activation("relu", "ReLU", Inplace = true)]
    internal sealed partial class ReLUDefinition : ElementwiseDefinition
    {
        public override bool PiecewiseConstantDerivative => true;

        public override string Name => "relu";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.relu(x[0]);

        static readonly PiecewiseLinear Rule = new(PiecewiseKind.Relu);

        // Keeps a 1-byte mask (slope 1 or 0) for backward.
        public override Tensor Forward(Tensor x, List<Tensor>? save) => Rule.Forward(x, save);

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => Rule.Backward(grad, saved[0]);
    }
}
