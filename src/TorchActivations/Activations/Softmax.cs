using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>The normalized exponentials along one dim: softmax, softmin (softmax of −x) and log-softmax.</summary>
    internal sealed class SoftmaxDefinition : UnaryDefinition
    {
        public enum Kind { Softmax, Softmin, LogSoftmax }

        readonly Kind kind;
        readonly long dim;

        public SoftmaxDefinition(Kind kind, long dim) => (this.kind, this.dim) = (kind, dim);

        public long Dim => dim;

        public override string Name => kind switch {
            Kind.Softmax => "softmax",
            Kind.Softmin => "softmin",
            _ => "log_softmax",
        };

        public override Func<Tensor[], Tensor> Builtin => kind switch {
            Kind.Softmax => x => nn.functional.softmax(x[0], dim),
            Kind.Softmin => x => nn.functional.softmin(x[0], dim),
            _ => x => nn.functional.log_softmax(x[0], dim),
        };

        public override void CheckInputs(ReadOnlySpan<Tensor> inputs) => Guard.Dim(dim, inputs[0]);

        public override Tensor Forward(Tensor x, List<Tensor>? save)
        {
            var d = Guard.Dim(dim, x);
            Tensor y;
            if (x.numel() == 0) {
                y = x.clone();
            } else {
                // torch's one-pass row kernels, as Sigmoid and Tanh use torch's forward: they shift by the row
                // maximum, so exp stays finite (rows like [1000, 1001, 1002] are fine); softmin is softmax of −x.
                y = kind switch {
                    Kind.Softmax => x.softmax(d),
                    Kind.Softmin => x.neg().softmax(d),
                    _ => x.log_softmax(d),
                };
            }
            save?.Add(y);
            return y;
        }

        public override Tensor Backward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var y = saved[0];
            var d = Along(y);
            if (kind == Kind.LogSoftmax)
                return grad - y.exp() * grad.sum(d, keepdim: true);
            // Softmax: y ⊙ (g − Σ g⊙y); softmin is softmax of −x, so the same with the sign flipped.
            var gradLogits = y * (grad - (grad * y).sum(d, keepdim: true));
            return kind == Kind.Softmin ? gradLogits.neg() : gradLogits;
        }

        // The same values with fewer full-size temporaries (in place on fresh ones).
        public override Tensor UnrecordedBackward(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var y = saved[0];
            var d = Along(y);
            if (kind == Kind.LogSoftmax)
                return Fused.LogSoftmaxBackward(grad, y, d)
                    ?? y.exp().mul_(grad.sum(d, keepdim: true).neg_()).add_(grad, One);   // −e^y·Σg + g = g − e^y·Σg
            // Along the last dim of contiguous float CPU rows: one fused pass per row.
            if (Fused.SoftmaxBackward(grad, y, d, negate: kind == Kind.Softmin) is { } fused) return fused;
            var dot = (grad * y).sum(d, keepdim: true);
            // y ⊙ (g − dot); for softmin y ⊙ (dot − g) = −(y ⊙ (g − dot)) exactly.
            return (kind == Kind.Softmin ? dot - grad : grad - dot).mul_(y);
        }

        long Along(Tensor y) => dim < 0 ? dim + Math.Max(y.dim(), 1) : dim;
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.softmax"/>
    public sealed class Softmax : ActivationModule
    {
        internal Softmax(long dim) : base(nameof(Softmax), new SoftmaxDefinition(SoftmaxDefinition.Kind.Softmax, dim)) { }

        /// <summary>The dim along which the outputs sum to 1.</summary>
        public long dim => ((SoftmaxDefinition)Definition).Dim;
    }

    /// <inheritdoc cref="Functional.softmin"/>
    public sealed class Softmin : ActivationModule
    {
        internal Softmin(long dim) : base(nameof(Softmin), new SoftmaxDefinition(SoftmaxDefinition.Kind.Softmin, dim)) { }

        /// <summary>The dim along which the outputs sum to 1.</summary>
        public long dim => ((SoftmaxDefinition)Definition).Dim;
    }

    /// <inheritdoc cref="Functional.log_softmax"/>
    public sealed class LogSoftmax : ActivationModule
    {
        internal LogSoftmax(long dim) : base(nameof(LogSoftmax), new SoftmaxDefinition(SoftmaxDefinition.Kind.LogSoftmax, dim)) { }

        /// <summary>The dim along which exp of the outputs sums to 1.</summary>
        public long dim => ((SoftmaxDefinition)Definition).Dim;
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.softmax"/>
        public static Softmax Softmax(long dim) => new(dim);

        /// <inheritdoc cref="Functional.softmin"/>
        public static Softmin Softmin(long dim) => new(dim);

        /// <inheritdoc cref="Functional.log_softmax"/>
        public static LogSoftmax LogSoftmax(long dim) => new(dim);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Softmax along <paramref name="dim"/>: y_j = e^(x_j) / Σ_i e^(x_i), an output (probability) function.
        /// ∂L/∂x = y ⊙ (g − Σ g ⊙ y). Computed on x minus its maximum, so large inputs do not overflow.
        /// </summary>
        /// <param name="input">A floating-point tensor.</param>
        /// <param name="dim">The dim to normalize along, in [−rank, rank − 1].</param>
        /// <param name="dtype">If given, the input is cast to it first (autograd flows through the cast).</param>
        /// <example><code>var probabilities = Functional.softmax(logits, dim: 1);   // each row of [N, C] sums to 1</code></example>
        public static Tensor softmax(Tensor input, long dim, ScalarType? dtype = null) =>
            new SoftmaxDefinition(SoftmaxDefinition.Kind.Softmax, dim).Apply(CastFor(input, dtype));

        /// <summary>
        /// Softmin along <paramref name="dim"/>: y_j = e^(−x_j) / Σ_i e^(−x_i); small inputs get the high probabilities.
        /// ∂L/∂x = −y ⊙ (g − Σ g ⊙ y).
        /// </summary>
        /// <param name="input">A floating-point tensor.</param>
        /// <param name="dim">The dim to normalize along, in [−rank, rank − 1].</param>
        /// <param name="dtype">If given, the input is cast to it first (autograd flows through the cast).</param>
        /// <example><code>var weights = Functional.softmin(distances, dim: -1);   // the nearest gets the largest weight</code></example>
        public static Tensor softmin(Tensor input, long dim, ScalarType? dtype = null) =>
            new SoftmaxDefinition(SoftmaxDefinition.Kind.Softmin, dim).Apply(CastFor(input, dtype));

        /// <summary>
        /// Log-softmax along <paramref name="dim"/>: y_j = x_j − ln Σ_i e^(x_i), computed without forming the softmax.
        /// ∂L/∂x = g − e^y ⊙ Σ g. Pairs with a negative log-likelihood loss.
        /// </summary>
        /// <param name="input">A floating-point tensor.</param>
        /// <param name="dim">The dim to normalize along, in [−rank, rank − 1].</param>
        /// <param name="dtype">If given, the input is cast to it first (autograd flows through the cast).</param>
        /// <example><code>var loss = torch.nn.functional.nll_loss(Functional.log_softmax(logits, dim: 1), labels);</code></example>
        public static Tensor log_softmax(Tensor input, long dim, ScalarType? dtype = null) =>
            new SoftmaxDefinition(SoftmaxDefinition.Kind.LogSoftmax, dim).Apply(CastFor(input, dtype));

        static Tensor CastFor(Tensor input, ScalarType? dtype)
        {
            ArgumentNullException.ThrowIfNull(input, nameof(input));
            if (dtype is not { } t || input.IsInvalid || input.dtype == t) return input;
            if (!torch.is_floating_point(torch.empty(0, dtype: t)))
                throw new ArgumentException($"dtype must be a floating-point type, not {t}.", nameof(dtype));
            return input.to_type(t);
        }
    }
}
