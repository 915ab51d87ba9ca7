using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;
using Approximate = TorchSharp.Modules.GELU.Approximate;

namespace TorchActivations.Core
{
    /// <summary>a·GELU(b) over the halves of the input along one dim, with the exact or the tanh GELU.</summary>
    internal sealed class GEGLUDefinition : GatedDefinition
    {
        public GEGLUDefinition(long dim, Approximate approximate) : base(dim)
        {
            Approximate = approximate;
            gate = GELUDefinition.For(approximate);
        }

        readonly GELUDefinition gate;
        public Approximate Approximate { get; }
        public override string Name => "geglu";
        protected override ElementwiseDefinition Gate => gate;
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.geglu"/>
    public sealed class GEGLU : TorchSharp.Modules.ParameterLessModule<Tensor, Tensor>, IDeclaredActivation
    {
        ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => definition;

        readonly GEGLUDefinition definition;

        internal GEGLU(long dim, Approximate approximate) : base(nameof(GEGLU)) => definition = new GEGLUDefinition(dim, approximate);

        /// <summary>The dim split into the value half a (first) and the gate half b (second).</summary>
        public long dim => definition.Dim;

        /// <summary>The gate's GELU: exact (none) or the tanh approximation.</summary>
        public Approximate approximate => definition.Approximate;

        /// <summary>Applies GEGLU to <paramref name="input"/>.</summary>
        public override Tensor forward(Tensor input) => definition.Apply(input);
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.geglu"/>
        public static GEGLU GEGLU(long dim = -1, Approximate approximate = Approximate.none) => new(dim, approximate);
    }

    public static partial class Functional
    {
        /// <summary>
        /// GEGLU, the GELU-gated linear unit of T5 v1.1 and diffusion transformer blocks (Shazeer, 2020). Splits the
        /// input along <paramref name="dim"/> into a first half a (the value) and a second half b (the gate) and returns
        /// a·GELU(b): the output is half the input's size along dim. The order is PyTorch's <c>glu</c>: the second
        /// half goes through the activation. GELU is the package's <see cref="gelu"/>, exact or tanh-approximate.
        /// ∂/∂a = GELU(b); ∂/∂b = a·GELU'(b). Keeps only the input for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor with at least one dimension and an even size along dim.</param>
        /// <param name="dim">The dim to split, in [−rank, rank − 1]. Default −1 (the last).</param>
        /// <param name="approximate"><c>none</c> (exact GELU, the default) or <c>tanh</c>.</param>
        /// <example><code>var hidden = Functional.geglu(up.call(x), approximate: Approximate.tanh);   // [N, 2h] → [N, h]</code></example>
        public static Tensor geglu(Tensor input, long dim = -1, Approximate approximate = Approximate.none) =>
            new GEGLUDefinition(dim, approximate).Apply(input);
    }
}
