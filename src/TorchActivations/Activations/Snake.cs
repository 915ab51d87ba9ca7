using TorchActivations.Core;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Core
{
    /// <summary>
    /// Snake (Ziyin et al., 2020; the activation of BigVGAN): Snake(x) = x + sin²(α·x)/α, a periodic
    /// activation with a learnable frequency α, one shared or one per channel (dim 1 of the input).
    /// ∂/∂x = 1 + sin(2αx); ∂/∂α = x·sin(2αx)/α − sin²(αx)/α². Both are continuous at α = 0, where Snake is the
    /// identity and its limits are x + α·x² and x²: where |α·x| &lt; 0.01 a Taylor series in α·x replaces the
    /// closed form, so α = 0 and tiny α are exact rather than 0/0. ±∞ inputs give NaN (sin(∞) is undefined).
    /// </summary>
    /// <learnable name="alpha">α: 1 element, or as many as the input has channels; same dtype and device as the input.</learnable>
    [Activation("snake", "Snake", PerChannel = "alpha")]
    internal sealed partial class SnakeDefinition : ActivationDefinition
    {
        // Inputs: x and α (1 or C elements, C = size of dim 1). Saves both (which autograd keeps anyway); the sines are
        // recomputed in backward.
        // sin²(αx)/α is 0/0 at α = 0 and loses its value to underflow and cancellation where αx is tiny, while its
        // limit there is α·x². So with u = αx, every element with |u| < SeriesBelow uses the Taylor
        // series in u (truncated after the u⁶ term: the first omitted term is below 2·10⁻¹⁹ relative there), every
        // other element the closed form, where neither underflow nor a vanishing α can occur. The closed
        // form sees u and α replaced by 1 where the series is taken, so neither branch produces ∞ or NaN that a
        // second derivative through the select could pick up.

        public override string Name => "snake";
        // No built-in op: the formula x + sin²(αx)/α in built-in ops, α along the channels.
        public override Func<Tensor[], Tensor> Builtin => x => {
            var alpha = Ops.AlongChannels(x[1], x[0].dim());
            var sin = (x[0] * alpha).sin();
            return x[0] + sin * sin / alpha;
        };

        /// <summary>|α·x| below which the series replaces the closed form.</summary>
        public const double SeriesBelow = 0.01;

        static readonly Scalar Threshold = Scalars.S(SeriesBelow), One = Scalars.One, Two = Scalars.S(2);
        // sin²(u)/u² = 1 − u²/3 + 2u⁴/45 − u⁶/315 + …
        static readonly Scalar F1 = Scalars.S(-1.0 / 3), F2 = Scalars.S(2.0 / 45), F3 = Scalars.S(-1.0 / 315);
        // d/dα [sin²(αx)/α] / x² = 1 − u² + 2u⁴/9 − u⁶/45 + …
        static readonly Scalar D1 = Scalars.S(-1), D2 = Scalars.S(2.0 / 9), D3 = Scalars.S(-1.0 / 45);

        public override void CheckInputs(ReadOnlySpan<Tensor> inputs) => PerChannelParameter.Check(inputs[0], inputs[1], "alpha");

        public override Tensor Forward(ReadOnlySpan<Tensor> inputs, List<Tensor>? save)
        {
            var (x, alpha) = (inputs[0], inputs[1]);
            save?.AddRange([x, alpha]);
            var p = Split(x, alpha);
            // Series: sin²(u)/α = x·u·(sin²(u)/u²).
            var series = x.mul(p.U).mul_(Polynomial(p.U2, F1, F2, F3));
            var sin = p.SafeU.sin();
            var closed = sin.mul_(sin).div_(p.SafeAlpha);
            return x.add(torch.where(p.Small, series, closed), One);
        }

        public override Tensor?[] BackwardAll(Tensor grad, IReadOnlyList<Tensor> saved)
        {
            var (x, alpha) = (saved[0], saved[1]);
            var p = Split(x, alpha);
            // ∂/∂x = 1 + sin(2u), written 1 + 2·sin(u)·cos(u) so that 2u cannot overflow. Out of place throughout,
            // so that the results stay differentiable under create_graph.
            var sin = p.U.sin();
            var gradInput = sin.mul(p.U.cos()).mul(Two).add(One, One).mul(grad);
            if (!alpha.requires_grad) return [gradInput, null];

            // ∂/∂α = x·sin(2u)/α − sin²(u)/α², as (x·sin(2u))/α − (sin(u)/α)² so that α² cannot underflow;
            // below the threshold x²·(1 − u² + 2u⁴/9 − u⁶/45).
            var series = x.mul(x).mul(Polynomial(p.U2, D1, D2, D3));
            var safeSin = p.SafeU.sin();
            var sinOverAlpha = safeSin.div(p.SafeAlpha);
            var closed = safeSin.mul(p.SafeU.cos()).mul(Two).mul(x).div(p.SafeAlpha).sub(sinOverAlpha.mul(sinOverAlpha));
            var perElement = torch.where(p.Small, series, closed).mul(grad);
            return [gradInput, PerChannelParameter.Gradient(perElement, alpha)];
        }

        readonly record struct Parts(Tensor U, Tensor U2, Tensor Small, Tensor SafeU, Tensor SafeAlpha);

        /// <summary>u = αx, u², where the series applies, and u and α with 1 in place wherever it does.</summary>
        static Parts Split(Tensor x, Tensor alpha)
        {
            var a = Ops.AlongChannels(alpha, x.dim());
            var u = x.mul(a);
            var small = u.abs().lt(Threshold);
            var safeAlpha = a.expand_as(u).masked_fill(small, One);
            return new(u, u.mul(u), small, u.masked_fill(small, One), safeAlpha);
        }

        /// <summary>1 + c1·v + c2·v² + c3·v³ by Horner's rule, out of place.</summary>
        static Tensor Polynomial(Tensor v, Scalar c1, Scalar c2, Scalar c3) =>
            v.mul(c3).add(c2, One).mul(v).add(c1, One).mul(v).add(One, One);
    }
}
