using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Benchmarks;

/// <summary>
/// <c>--verify</c>: the fused backward (grad mode off, as in a plain backward) against the composed,
/// differentiable backward (create_graph: true) on values that include kinks, ±0, ±inf, NaN and huge
/// magnitudes, for float32 and float64; and second derivatives through create_graph against central
/// differences of the first derivative. Prints mismatches; exit code 1 if any.
/// </summary>
static class Verify
{
    public static int Run(List<BenchCase> cases)
    {
        int failures = 0;
        double[] special = [0, -0.0, 0.5, -0.5, 1, -1, 6, -6, 0.1, 20, -20, 1e-30, -1e-30, 30, -30, 100, -100, 1000, -1000,
                            3e38, -3e38, double.PositiveInfinity, double.NegativeInfinity, double.NaN];
        foreach (var dtype in new[] { ScalarType.Float32, ScalarType.Float64 }) {
            foreach (var c in cases) {
                using var scope = torch.NewDisposeScope();
                var random = torch.randn(new long[] { 37, 100 }, dtype: ScalarType.Float64, generator: new Generator(3)) * 4;
                var values = torch.cat([torch.tensor(special, dtype: ScalarType.Float64), random.flatten()]);
                long n = values.numel() / 100 * 100;
                var x0 = values[..(int)n].reshape(-1, 100).to_type(dtype);
                var g = torch.randn(x0.shape, dtype: dtype, generator: new Generator(4));

                var x1 = x0.detach().requires_grad_(true);
                var plain = torch.autograd.grad([c.Ours([x1, .. c.MakeExtras(x1)])], [x1], [g])[0];
                var x2 = x0.detach().requires_grad_(true);
                var composed = torch.autograd.grad([c.Ours([x2, .. c.MakeExtras(x2)])], [x2], [g], create_graph: true)[0];
                var a = Values(plain); var b = Values(composed); var xs = Values(x0);
                // Row reductions (softmax family) may sum in another order: (g − Σ)⊙y then differs by a few ulps of
                // the largest gradient, not bit for bit.
                bool alongDim = c.Name is "softmin" or "softmax" or "log_softmax";
                double eps = dtype == ScalarType.Float64 ? 2.2e-16 : 1.2e-7;
                double scale = b.Where(double.IsFinite).Select(Math.Abs).DefaultIfEmpty(0).Max();
                for (int i = 0; i < a.Length; i++) {
                    if (a[i].Equals(b[i])) continue;   // Equals: NaN equals NaN
                    if (alongDim && Math.Abs(a[i] - b[i]) <= 16 * eps * scale) continue;
                    Console.WriteLine($"MISMATCH {c.Name} {dtype}: x = {xs[i]:R}: fused {a[i]:R}, composed {b[i]:R}");
                    failures++;
                    break;
                }
            }
        }

        // Second derivatives (float64, away from kinks): d/dx of the create_graph gradient vs central differences of the gradient.
        foreach (var c in cases) {
            using var scope = torch.NewDisposeScope();
            var x0 = torch.linspace(-3.05, 2.95, 40, dtype: ScalarType.Float64).reshape(4, 10);
            Tensor Grad(Tensor x, bool create) {
                var xr = x.detach().requires_grad_(true);
                var y = c.Ours([xr, .. c.MakeExtras(xr)]);
                var gx = torch.autograd.grad([y], [xr], [torch.ones_like(y)], create_graph: create)[0];
                if (!create) return gx;
                // A gradient that does not depend on x (piecewise-linear activations) has second derivative 0.
                if (!gx.requires_grad) return torch.zeros_like(xr);
                var second = torch.autograd.grad([gx.sum()], [xr], allow_unused: true)[0];
                return second is null || second.IsInvalid ? torch.zeros_like(xr) : second;
            }
            Tensor second;
            try { second = Grad(x0, true); } catch (Exception e) {
                Console.WriteLine($"SECOND DERIVATIVE FAILED {c.Name}: {e.Message.Split('\n')[0]}");
                failures++;
                continue;
            }
            if (c.Name is "softmin" or "softmax" or "log_softmax") continue;   // row-coupled: the sum above mixes rows
            const double h = 1e-6;
            var numeric = (Grad(x0 + h, false) - Grad(x0 - h, false)) / (2 * h);
            var a = Values(second); var b = Values(numeric); var xs = Values(x0);
            for (int i = 0; i < a.Length; i++) {
                if (Math.Abs(a[i] - b[i]) <= 1e-5 + 1e-5 * Math.Abs(b[i])) continue;
                Console.WriteLine($"SECOND DERIVATIVE {c.Name}: x = {xs[i]:R}: autograd {a[i]:R}, central differences {b[i]:R}");
                failures++;
                break;
            }
        }
        // ELU's fused forward computes expm1 through tanh: compare with torch's expm1 in float64 over 20 decades.
        using (torch.NewDisposeScope()) {
            var x = -torch.logspace(-20, 2.5, 200001, dtype: ScalarType.Float64);
            var ours = Functional.elu(x, 0.7);
            var reference = x.expm1() * 0.7;
            double worst = ((ours - reference).abs() / reference.abs()).max().item<double>();
            Console.WriteLine($"elu(alpha=0.7) float64 on −logspace(−20, 2.5): largest relative difference to 0.7·expm1(x): {worst:E2}");
            if (!(worst < 1e-14)) failures++;
        }
        Console.WriteLine(failures == 0 ? $"verify: {cases.Count} activations, fused and composed backward agree (bit for bit; the softmax family within 16 ulps of its largest gradient, its row sums being reordered); second derivatives match central differences."
                                        : $"verify: {failures} failure(s).");
        return failures == 0 ? 0 : 1;
    }

    static double[] Values(Tensor t) => t.detach().to_type(ScalarType.Float64).contiguous().data<double>().ToArray();
}
