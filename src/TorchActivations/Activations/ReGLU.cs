using TorchActivations.Core;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// ReGLU, the ReLU-gated linear unit (Shazeer, 2020). Splits the input along <paramref name="dim"/> into a
    /// first half a (the value) and a second half b (the gate) and returns a·ReLU(b): the output is half the
    /// input's size along dim. The order is PyTorch's <c>glu</c>: the second half goes through the activation.
    /// ∂/∂a = ReLU(b); ∂/∂b = a for b ≥ 0, 0 for b &lt; 0, with the package's relu convention ReLU'(0) = 1
    /// (a composition with torch's relu gives 0 there). Keeps only the input for backward.
    /// </summary>
    /// <input>A floating-point tensor with at least one dimension and an even size along dim.</input>
    /// <param name="dim">The dim to split, in [−rank, rank − 1]. Default −1 (the last).</param>
    /// <example><code>var hidden = Functional.reglu(up.call(x));   // [N, 2h] → [N, h]</code></example>
    [Activation("reglu", "ReGLU", KeepsShape = false)]
    internal sealed partial class ReGLUDefinition(long dim = -1) : GatedDefinition(dim)
    {
        // a·ReLU(b) over the halves of the input along one dim; ReLU'(0) = 1, as the package's relu.

        public override string Name => "reglu";
        protected override UnaryDefinition Gate => ReLUDefinition.Instance;
    }
}
