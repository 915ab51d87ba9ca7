using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>relu6(x + 3) / 6; keeps a 1-byte mask of where the slope is 0 (x ≤ −3 or x ≥ 3).</summary>
    internal sealed class HardsigmoidDefinition : ElementwiseDefinition
    {
        public override bool PiecewiseConstantDerivative => true;

        public static readonly HardsigmoidDefinition Instance = new();
        public override string Name => "hardsigmoid";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.hardsigmoid(x[0]);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x.le(S(-3)).logical_or_(x.ge(S(3))));
            return x.add(S(3), One).clamp_(Zero, S(6)).div_(S(6));
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => Ops.BlockWhere(saved[0], grad.div(S(6)));
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.hardsigmoid"/>
    public sealed class Hardsigmoid : ActivationModule
    {
        internal Hardsigmoid(bool inplace) : base(nameof(Hardsigmoid), HardsigmoidDefinition.Instance, inplace) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.hardsigmoid"/>
        public static Hardsigmoid Hardsigmoid(bool inplace = false) => new(inplace);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Hard sigmoid, PyTorch's definition: Hardsigmoid(x) = relu6(x + 3) / 6, i.e. 0 for x ≤ −3,
        /// x/6 + 1/2 for −3 &lt; x &lt; 3, 1 for x ≥ 3.
        /// Hardsigmoid'(x) = 1/6 for −3 &lt; x &lt; 3, 0 otherwise: 0 at both kinks x = −3 and x = 3, as
        /// PyTorch's built-in gives. Keeps a 1-byte mask for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor hardsigmoid(Tensor input, bool inplace = false) => HardsigmoidDefinition.Instance.Apply(input, inplace);
    }
}
