using TorchSharp;
using static TorchSharp.torch;

namespace MnistDemo.Tests;

/// <summary>
/// TorchSharp's Adadelta, as the demo builds it, against PyTorch's documented update rule written out in doubles
/// (torch.optim.Adadelta: v = ρv + (1-ρ)g², Δ = √(u+ε)/√(v+ε)·g, θ -= lr·Δ, u = ρu + (1-ρ)Δ²; ρ 0.9, ε 1e-6),
/// on a least-squares problem whose gradient is also computed by hand. The learning rate changes halfway, the way the
/// step schedule changes it between epochs.
/// </summary>
public class AdadeltaTests
{
    [Fact]
    public void Adadelta_follows_PyTorchs_update_rule_step_by_step_and_honours_a_changed_learning_rate()
    {
        const int n = 4, m = 6, steps = 40;
        var rng = new Random(7);
        var a = new double[m, n];
        var b = new double[m];
        for (int i = 0; i < m; i++) { b[i] = rng.NextDouble() * 2 - 1; for (int j = 0; j < n; j++) a[i, j] = rng.NextDouble() * 2 - 1; }
        var w0 = Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 2 - 1).ToArray();

        using var w = nn.Parameter(torch.tensor(w0, dtype: ScalarType.Float64));
        using var model = new Holder(w);
        var optimizer = Trainer.MakeOptimizer("adadelta", model, 1.0);
        using var at = torch.tensor(Enumerable.Range(0, m * n).Select(k => a[k / n, k % n]).ToArray(), [m, n], ScalarType.Float64);
        using var bt = torch.tensor(b, dtype: ScalarType.Float64);

        var theta = (double[])w0.Clone();
        var v = new double[n]; var u = new double[n];
        const double rho = 0.9, eps = 1e-6;
        for (int step = 0; step < steps; step++) {
            double lr = step < steps / 2 ? 1.0 : 0.7;
            foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
            using (var scope = torch.NewDisposeScope()) {
                optimizer.zero_grad();
                var r = at.matmul(w) - bt;
                (r * r).sum().backward();
                optimizer.step();
            }
            // The same step in doubles: g = 2 Aᵀ(Aθ - b).
            var res = new double[m];
            for (int i = 0; i < m; i++) { res[i] = -b[i]; for (int j = 0; j < n; j++) res[i] += a[i, j] * theta[j]; }
            for (int j = 0; j < n; j++) {
                double g = 0;
                for (int i = 0; i < m; i++) g += 2 * a[i, j] * res[i];
                v[j] = rho * v[j] + (1 - rho) * g * g;
                double delta = Math.Sqrt(u[j] + eps) / Math.Sqrt(v[j] + eps) * g;
                theta[j] -= lr * delta;
                u[j] = rho * u[j] + (1 - rho) * delta * delta;
            }
            var got = w.data<double>().ToArray();
            for (int j = 0; j < n; j++)
                Assert.True(Math.Abs(got[j] - theta[j]) <= 1e-12 * Math.Max(1, Math.Abs(theta[j])), $"step {step + 1}, θ[{j}]: TorchSharp {got[j]:R}, rule {theta[j]:R}");
        }
        // The parameters moved by far more than the tolerance: the comparison is not between two unchanged vectors.
        Assert.True(Enumerable.Range(0, n).Max(j => Math.Abs(theta[j] - w0[j])) > 1e-3);
        optimizer.Dispose();
    }

    sealed class Holder : nn.Module
    {
        public Holder(TorchSharp.Modules.Parameter w) : base(nameof(Holder)) { register_parameter("w", w); }
    }
}
