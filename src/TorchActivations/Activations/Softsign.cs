using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    internal sealed class SoftsignDefinition : ElementwiseDefinition
    {
        public static readonly SoftsignDefinition Instance = new();
        public override string Name => "softsign";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.softsign(x[0]);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            save?.Add(x);
            return x / x.abs().add_(One, One);
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            // 1 / (x² + 2|x| + 1) = 1 / (1 + |x|)²
            if (!torch.is_grad_enabled()) {
                var d = saved[0].abs().add_(One, One);
                return grad / d.mul_(d);
            }
            var denominator = saved[0].abs().add(One, One);
            return grad / (denominator * denominator);
        }
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.softsign"/>
    public sealed class Softsign : ActivationModule
    {
        internal Softsign(bool inplace) : base(nameof(Softsign), SoftsignDefinition.Instance, inplace) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.softsign"/>
        public static Softsign Softsign(bool inplace = false) => new(inplace);
    }

    public static partial class Functional
    {
        /// <summary>Softsign(x) = x / (1 + |x|); Softsign'(x) = 1 / (x² + 2|x| + 1).</summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor softsign(Tensor input, bool inplace = false) => SoftsignDefinition.Instance.Apply(input, inplace);
    }
}
