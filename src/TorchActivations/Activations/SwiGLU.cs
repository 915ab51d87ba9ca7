using TorchActivations.Core;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// SwiGLU, the gated unit of LLaMA-style feed-forward blocks (Shazeer, 2020). Splits the input along
    /// <paramref name="dim"/> into a first half a (the value) and a second half b (the gate) and returns
    /// a·SiLU(b), SiLU(b) = b·σ(b): the output is half the input's size along dim. The order is PyTorch's
    /// <c>glu</c>: the second half goes through the activation.
    /// ∂/∂a = SiLU(b); ∂/∂b = a·σ(b)·(1 + b·(1 − σ(b))). Keeps only the input for backward.
    /// </summary>
    /// <input>A floating-point tensor with at least one dimension and an even size along dim.</input>
    /// <param name="dim">The dim to split, in [−rank, rank − 1]. Default −1 (the last).</param>
    /// <example>
    /// <code>
    /// // LLaMA's silu(W1·x) ⊗ (W3·x) with one fused projection: rows [0, h) of its weight are W3, rows [h, 2h) are W1.
    /// var hidden = Functional.swiglu(up.call(x));   // up = Linear(d, 2h): [N, 2h] → [N, h]
    /// </code>
    /// </example>
    [Activation("swiglu", "SwiGLU", KeepsShape = false)]
    internal sealed partial class SwiGLUDefinition(long dim = -1) : GatedDefinition(dim)
    {
        // a·SiLU(b) over the halves of the input along one dim.

        public override string Name => "swiglu";
        protected override UnaryDefinition Gate => SiLUDefinition.Instance;
    }
}
