using TorchActivations.Core;
using static TorchSharp.torch;
using Approximate = TorchSharp.Modules.GELU.Approximate;

namespace TorchActivations.Core
{
    /// <summary>
    /// GEGLU, the GELU-gated linear unit of T5 v1.1 and diffusion transformer blocks (Shazeer, 2020). Splits the
    /// input along <paramref name="dim"/> into a first half a (the value) and a second half b (the gate) and returns
    /// a·GELU(b): the output is half the input's size along dim. The order is PyTorch's <c>glu</c>: the second
    /// half goes through the activation. GELU is the package's <see cref="Functional.gelu"/>, exact or tanh-approximate.
    /// ∂/∂a = GELU(b); ∂/∂b = a·GELU'(b). Keeps only the input for backward.
    /// </summary>
    /// <input>A floating-point tensor with at least one dimension and an even size along dim.</input>
    /// <param name="dim">The dim to split, in [−rank, rank − 1]. Default −1 (the last).</param>
    /// <param name="approximate"><c>none</c> (exact GELU, the default) or <c>tanh</c>.</param>
    /// <example><code>var hidden = Functional.geglu(up.call(x), approximate: Approximate.tanh);   // [N, 2h] → [N, h]</code></example>
    [Activation("geglu", "GEGLU", KeepsShape = false)]
    internal sealed partial class GEGLUDefinition(long dim = -1, Approximate approximate = Approximate.none) : GatedDefinition(dim)
    {
        readonly GELUDefinition gate = GELUDefinition.For(approximate);
        public Approximate Approximate { get; } = approximate;
        public override string Name => "geglu";
        protected override UnaryDefinition Gate => gate;
    }
}
