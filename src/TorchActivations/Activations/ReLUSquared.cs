using TorchActivations.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// Squared ReLU, the feed-forward activation of Primer (So et al., 2021). ReLUSquared(x) = ReLU(x)² = x² for
    /// x ≥ 0, 0 for x &lt; 0. Its derivative 2·ReLU(x) is continuous and 0 at 0 from both sides, so unlike
    /// <see cref="Functional.relu"/> it needs no convention at 0. Keeps only the input for backward.
    /// </summary>
    [Activation("relu_squared", "ReLUSquared", Inplace = true)]
    internal sealed partial class ReLUSquaredDefinition : ElementwiseDefinition
    {
        // Saves x (which autograd keeps anyway); ReLU(x) is recomputed in backward.

        public override string Name => "relu_squared";
        // No built-in op: the formula in built-in ops.
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.relu(x[0]).square();

        static readonly Scalar Two = Scalars.S(2);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            var r = x.clamp_min(Scalars.Zero);
            return r.mul_(r);
        }

        // 2·ReLU(x): continuous, 0 at 0 from both sides, so no convention is needed there.
        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) =>
            saved[0].clamp_min(Scalars.Zero).mul(Two).mul(grad);
    }
}
