using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>a·SiLU(b) over the halves of the input along one dim.</summary>
    internal sealed class SwiGLUDefinition(long dim) : GatedDefinition(dim)
    {
        public override string Name => "swiglu";
        protected override ElementwiseDefinition Gate => SiLUDefinition.Instance;
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.swiglu"/>
    public sealed class SwiGLU : TorchSharp.Modules.ParameterLessModule<Tensor, Tensor>, IDeclaredActivation
    {
        ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => definition;

        readonly SwiGLUDefinition definition;

        internal SwiGLU(long dim) : base(nameof(SwiGLU)) => definition = new SwiGLUDefinition(dim);

        /// <summary>The dim split into the value half a (first) and the gate half b (second).</summary>
        public long dim => definition.Dim;

        /// <summary>Applies SwiGLU to <paramref name="input"/>.</summary>
        public override Tensor forward(Tensor input) => definition.Apply(input);
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.swiglu"/>
        public static SwiGLU SwiGLU(long dim = -1) => new(dim);
    }

    public static partial class Functional
    {
        /// <summary>
        /// SwiGLU, the gated unit of LLaMA-style feed-forward blocks (Shazeer, 2020). Splits the input along
        /// <paramref name="dim"/> into a first half a (the value) and a second half b (the gate) and returns
        /// a·SiLU(b), SiLU(b) = b·σ(b): the output is half the input's size along dim. The order is PyTorch's
        /// <c>glu</c>: the second half goes through the activation.
        /// ∂/∂a = SiLU(b); ∂/∂b = a·σ(b)·(1 + b·(1 − σ(b))). Keeps only the input for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor with at least one dimension and an even size along dim.</param>
        /// <param name="dim">The dim to split, in [−rank, rank − 1]. Default −1 (the last).</param>
        /// <example>
        /// <code>
        /// // LLaMA's silu(W1·x) ⊗ (W3·x) with one fused projection: rows [0, h) of its weight are W3, rows [h, 2h) are W1.
        /// var hidden = Functional.swiglu(up.call(x));   // up = Linear(d, 2h): [N, 2h] → [N, h]
        /// </code>
        /// </example>
        public static Tensor swiglu(Tensor input, long dim = -1) => new SwiGLUDefinition(dim).Apply(input);
    }
}
