using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// Hard tanh. Hardtanh(x) = M for x ≥ M, x for m ≤ x &lt; M, m for x &lt; m.
    /// Hardtanh'(x) = 1 for m ≤ x &lt; M, 0 otherwise: 1 at m, 0 at M (PyTorch gives 0 at both).
    /// Keeps a 1-byte mask for backward.
    /// </summary>
    /// <param name="min_val">m, finite and below max_val. Default −1.</param>
    /// <param name="max_val">M, finite and above min_val. Default 1.</param>
    [Activation("hardtanh", "Hardtanh", Inplace = true)]
    internal sealed partial class HardtanhDefinition(double min_val = -1.0, double max_val = 1.0) : PiecewiseLinearDefinition
    {
        public double MinVal { get; } = CheckedBounds(min_val, max_val);
        public double MaxVal { get; } = max_val;
        public override string Name => "hardtanh";

        // TorchSharp 0.107.0's hardtanh returns its input unchanged (only the in-place variant clamps), so the
        // counterpart is torch.clamp, TorchSharp's built-in op for the same function.
        public override Func<Tensor[], Tensor> Builtin => x => x[0].clamp(MinVal, MaxVal);

        protected override PiecewiseLinear Rule => new(PiecewiseKind.Clamp, MinVal, MaxVal);

        static double CheckedBounds(double min_val, double max_val)
        {
            Guard.Finite(min_val, nameof(min_val));
            Guard.Finite(max_val, nameof(max_val));
            if (!(min_val < max_val))
                throw new ArgumentOutOfRangeException(nameof(min_val), min_val,
                    $"min_val must be less than max_val ({Guard.Format(max_val)}).");
            return min_val;
        }
    }

    /// <summary>
    /// ReLU6(x) = min(max(x, 0), 6). ReLU6'(x) = 1 for 0 ≤ x &lt; 6, 0 otherwise: 1 at 0, 0 at 6.
    /// Keeps a 1-byte mask for backward.
    /// </summary>
    [Activation("relu6", "ReLU6", Inplace = true)]
    internal sealed partial class ReLU6Definition : PiecewiseLinearDefinition
    {
        public override string Name => "relu6";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.relu6(x[0]);

        // Hardtanh's rule with the bounds (0, 6).
        protected override PiecewiseLinear Rule { get; } = new(PiecewiseKind.Clamp, 0, 6);
    }
}
