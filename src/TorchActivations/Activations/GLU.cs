using TorchActivations.Core;
using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;
using static TorchActivations.Core.Scalars;

namespace TorchActivations.Core
{
    /// <summary>
    /// a·σ(b) for the halves a, b of the input along one dim; not element-wise, the output is half as large
    /// along that dim. Saves the input (as PyTorch does) and recomputes σ(b) in backward.
    /// </summary>
    internal sealed class GLUDefinition(long dim) : ActivationDefinition
    {
        public long Dim { get; } = dim;
        public override string Name => "glu";
        public override Func<Tensor[], Tensor> Builtin => x => nn.functional.glu(x[0], Dim);

        public override void CheckInputs(ReadOnlySpan<Tensor> inputs)
        {
            var x = inputs[0];
            if (x.dim() == 0)
                throw new ArgumentException("glu needs an input with at least one dimension to split in halves; input is 0-D.", "input");
            long d = Guard.Dim(Dim, x);
            if (x.size((int)d) % 2 != 0)
                throw new ArgumentException(
                    $"glu splits the input in two halves along dim {Dim}, so its size there must be even; input has shape [{string.Join(", ", x.shape)}], size {x.shape[d]} along dim {d}.", "input");
        }

        public override Tensor Forward(ReadOnlySpan<Tensor> inputs, List<Tensor>? save)
        {
            var x = inputs[0];
            save?.Add(x);
            var (a, b) = Halves(x, out _);
            // σ(b) is exactly 0 or 1 where |b| is huge, so a·σ(b) is finite for finite a.
            return Ops.Logistic(b).mul_(a);
        }

        public override Tensor?[] BackwardAll(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var (a, b) = Halves(saved[0], out long d);
            var s = Ops.Logistic(b);
            // ∂/∂a = σ(b); ∂/∂b = a·σ(b)·(1 − σ(b)), with σ(1 − σ) ≤ 1/4 formed first so a·σ' cannot overflow.
            var gradB = s.neg().add_(One, One).mul_(s).mul_(a).mul_(grad);
            var gradA = s.mul_(grad);
            return [torch.cat([gradA, gradB], d)];
        }

        (Tensor A, Tensor B) Halves(Tensor x, out long d)
        {
            d = Dim < 0 ? Dim + x.dim() : Dim;
            long half = x.size((int)d) / 2;
            return (x.narrow(d, 0, half), x.narrow(d, half, half));
        }
    }
}

namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.glu"/>
    public sealed class GLU : TorchSharp.Modules.ParameterLessModule<Tensor, Tensor>, IDeclaredActivation
    {
        ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => definition;

        readonly GLUDefinition definition;

        internal GLU(long dim) : base(nameof(GLU)) => definition = new GLUDefinition(dim);

        /// <summary>The dim split in halves a (first) and b (second).</summary>
        public long dim => definition.Dim;

        /// <summary>Applies GLU to <paramref name="input"/>.</summary>
        public override Tensor forward(Tensor input) => definition.Apply(input);
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.glu"/>
        public static GLU GLU(long dim = -1) => new(dim);
    }

    public static partial class Functional
    {
        /// <summary>
        /// Gated linear unit. Splits the input in halves a (first) and b (second) along <paramref name="dim"/> and
        /// returns GLU(a, b) = a·σ(b), σ(z) = 1 / (1 + e^(−z)): the output is half the input's size along dim.
        /// ∂GLU/∂a = σ(b); ∂GLU/∂b = a·σ(b)·(1 − σ(b)).
        /// </summary>
        /// <param name="input">A floating-point tensor with at least one dimension and an even size along dim.</param>
        /// <param name="dim">The dim to split, in [−rank, rank − 1]. Default −1 (the last).</param>
        /// <example><code>var gated = Functional.glu(projected, dim: -1);   // [N, 2·D] → [N, D]</code></example>
        public static Tensor glu(Tensor input, long dim = -1) => new GLUDefinition(dim).Apply(input);
    }
}
