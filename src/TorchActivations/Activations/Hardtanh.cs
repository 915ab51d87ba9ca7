using TorchActivations.Core;
using TorchActivations.Modules;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>clamp(x, m, M) with derivative 1 on [m, M) and 0 elsewhere; ReLU6 is the case (0, 6).</summary>
    internal sealed class HardtanhDefinition : ElementwiseDefinition
    {
        public override bool PiecewiseConstantDerivative => true;

        public static readonly HardtanhDefinition ReLU6 = new(0, 6, "relu6");

        public HardtanhDefinition(double min_val, double max_val) : this(min_val, max_val, "hardtanh") { }

        HardtanhDefinition(double min_val, double max_val, string name)
        {
            Guard.Finite(min_val, nameof(min_val));
            Guard.Finite(max_val, nameof(max_val));
            if (!(min_val < max_val))
                throw new ArgumentOutOfRangeException(nameof(min_val), min_val,
                    $"min_val must be less than max_val ({Guard.Format(max_val)}).");
            (MinVal, MaxVal, Name) = (min_val, max_val, name);
        }

        public double MinVal { get; }
        public double MaxVal { get; }
        public override string Name { get; }

        // TorchSharp 0.107.0's hardtanh returns its input unchanged (only the in-place variant clamps), so hardtanh's
        // counterpart is torch.clamp, TorchSharp's built-in op for the same function.
        public override Func<Tensor[], Tensor> Builtin => Name == "relu6"
            ? x => nn.functional.relu6(x[0])
            : x => x[0].clamp(MinVal, MaxVal);

        PiecewiseLinear Rule => new(PiecewiseKind.Clamp, MinVal, MaxVal);

        // Keeps a 1-byte mask (slope 1 on [min_val, max_val), 0 elsewhere) for backward.
        public override Tensor Forward(Tensor x, List<Tensor>? save) => Rule.Forward(x, save);

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved) => Rule.Backward(grad, saved[0]);
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.hardtanh"/>
    public sealed class Hardtanh : ActivationModule
    {
        internal Hardtanh(double min_val, double max_val, bool inplace)
            : base(nameof(Hardtanh), new HardtanhDefinition(min_val, max_val), inplace) { }

        /// <summary>The lower bound m.</summary>
        public double min_val => ((HardtanhDefinition)Definition).MinVal;

        /// <summary>The upper bound M.</summary>
        public double max_val => ((HardtanhDefinition)Definition).MaxVal;
    }

    /// <inheritdoc cref="Functional.relu6"/>
    public sealed class ReLU6 : ActivationModule
    {
        internal ReLU6(bool inplace) : base(nameof(ReLU6), HardtanhDefinition.ReLU6, inplace) { }
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.hardtanh"/>
        public static Hardtanh Hardtanh(double min_val = -1.0, double max_val = 1.0, bool inplace = false) => new(min_val, max_val, inplace);

        /// <inheritdoc cref="Functional.relu6"/>
        public static ReLU6 ReLU6(bool inplace = false) => new(inplace);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Hard tanh. Hardtanh(x) = M for x ≥ M, x for m ≤ x &lt; M, m for x &lt; m.
        /// Hardtanh'(x) = 1 for m ≤ x &lt; M, 0 otherwise: 1 at m, 0 at M (PyTorch gives 0 at both).
        /// Keeps a 1-byte mask for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="min_val">m, finite and below max_val. Default −1.</param>
        /// <param name="max_val">M, finite and above min_val. Default 1.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor hardtanh(Tensor input, double min_val = -1.0, double max_val = 1.0, bool inplace = false) =>
            new HardtanhDefinition(min_val, max_val).Apply(input, inplace);

        /// <summary>
        /// ReLU6(x) = min(max(x, 0), 6). ReLU6'(x) = 1 for 0 ≤ x &lt; 6, 0 otherwise: 1 at 0, 0 at 6.
        /// Keeps a 1-byte mask for backward.
        /// </summary>
        /// <param name="input">A floating-point tensor of any shape.</param>
        /// <param name="inplace">Write the result into the input; only where autograd does not record.</param>
        public static Tensor relu6(Tensor input, bool inplace = false) => HardtanhDefinition.ReLU6.Apply(input, inplace);
    }
}
