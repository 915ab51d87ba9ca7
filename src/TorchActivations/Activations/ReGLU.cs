using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>a·ReLU(b) over the halves of the input along one dim; ReLU'(0) = 1, as the package's relu.</summary>
    internal sealed class ReGLUDefinition(long dim) : GatedDefinition(dim)
    {
        public override string Name => "reglu";
        protected override ElementwiseDefinition Gate => ReLUDefinition.Instance;
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.reglu"/>
    public sealed class ReGLU : TorchSharp.Modules.ParameterLessModule<Tensor, Tensor>, IDeclaredActivation
    {
        ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => definition;

        readonly ReGLUDefinition definition;

        internal ReGLU(long dim) : base(nameof(ReGLU)) => definition = new ReGLUDefinition(dim);

        /// <summary>The dim split into the value half a (first) and the gate half b (second).</summary>
        public long dim => definition.Dim;

        /// <summary>Applies ReGLU to <paramref name="input"/>.</summary>
        public override Tensor forward(Tensor input) => definition.Apply(input);
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.reglu"/>
        public static ReGLU ReGLU(long dim = -1) => new(dim);
    }

    public static partial class Functional
    {
        /// <summary>
        /// ReGLU, the ReLU-gated linear unit (Shazeer, 2020). Splits the input along <paramref name="dim"/> into a
        /// first half a (the value) and a second half b (the gate) and returns a·ReLU(b): the output is half the
        /// input's size along dim. The order is PyTorch's <c>glu</c>: the second half goes through the activation.
        /// ∂/∂a = ReLU(b); ∂/∂b = a for b ≥ 0, 0 for b &lt; 0, with the package's relu convention ReLU'(0) = 1
        /// (a composition with torch's relu gives 0 there). Keeps only the input for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor with at least one dimension and an even size along dim.</param>
        /// <param name="dim">The dim to split, in [−rank, rank − 1]. Default −1 (the last).</param>
        /// <example><code>var hidden = Functional.reglu(up.call(x));   // [N, 2h] → [N, h]</code></example>
        public static Tensor reglu(Tensor input, long dim = -1) => new ReGLUDefinition(dim).Apply(input);
    }
}
