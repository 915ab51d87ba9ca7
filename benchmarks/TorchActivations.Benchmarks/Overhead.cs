using System.Diagnostics;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace TorchActivations.Benchmarks;

/// <summary>
/// Where the fixed cost of a small call goes: the package's relu and silu against the built-ins, split into
/// forward with and without recording, the floor set by an empty TorchSharp custom autograd function, and
/// the managed bytes each allocates per call (GC.GetAllocatedBytesForCurrentThread on the calling thread;
/// autograd's backward runs on that thread for CPU tensors).
/// Run with <c>--overhead</c>.
/// </summary>
static class Overhead
{
    sealed class Empty : SingleTensorFunction<Empty>
    {
        public override string Name => "Empty";
        public override Tensor forward(AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).alias();
        public override List<Tensor> backward(AutogradContext ctx, Tensor grad) => [grad];
    }

    sealed class SaveOne : SingleTensorFunction<SaveOne>
    {
        public override string Name => "SaveOne";
        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            var x = (Tensor)vars[0];
            var mask = x.lt(0);
            ctx.save_for_backward([mask]);
            ctx.save_data("k", vars[1]);
            ctx.set_materialize_grads(false);
            return x.clamp_min(0);
        }
        public override List<Tensor> backward(AutogradContext ctx, Tensor grad)
        {
            var m = ctx.get_saved_variables()[0];
            return [grad.masked_fill(m, 0), null!];
        }
    }

    /// <summary>The floor of a one-input activation that keeps its input: saves x, copies forward and backward.</summary>
    sealed class SaveInputClone : SingleTensorFunction<SaveInputClone>
    {
        public override string Name => "SaveInputClone";
        public override Tensor forward(AutogradContext ctx, params object[] vars)
        {
            var x = (Tensor)vars[0];
            ctx.save_for_backward([x]);
            ctx.set_materialize_grads(false);
            return x.clone();
        }
        public override List<Tensor> backward(AutogradContext ctx, Tensor grad)
        {
            var x = ctx.get_saved_variables()[0];
            return [grad.clone()];
        }
    }

    sealed class CloneFn : SingleTensorFunction<CloneFn>
    {
        public override string Name => "CloneFn";
        public override Tensor forward(AutogradContext ctx, params object[] vars) => ((Tensor)vars[0]).clone();
        public override List<Tensor> backward(AutogradContext ctx, Tensor grad) => [grad.clone()];
    }

    static long Rss() => long.Parse(File.ReadAllText("/proc/self/statm").Split(' ')[1]) * Environment.SystemPageSize;

    public static void Run(long numel)
    {
        var x = torch.randn(numel / 100, 100).requires_grad_(true);
        var g = torch.randn(numel / 100, 100);
        var xd = x.detach();
        var probes = new (string, Action)[] {
            ("built-in relu fwd", () => { using var s = torch.NewDisposeScope(); nn.functional.relu(x); }),
            ("built-in relu fwd+bwd", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([nn.functional.relu(x)], [x], [g]); }),
            ("ours relu fwd, no grad", () => { using var s = torch.NewDisposeScope(); Functional.relu(xd); }),
            ("ours relu fwd, recording", () => { using var s = torch.NewDisposeScope(); Functional.relu(x); }),
            ("ours relu fwd+bwd", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([Functional.relu(x)], [x], [g]); }),
            ("built-in silu fwd+bwd", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([nn.functional.silu(x)], [x], [g]); }),
            ("ours silu fwd, no grad", () => { using var s = torch.NewDisposeScope(); Functional.silu(xd); }),
            ("ours silu fwd, recording", () => { using var s = torch.NewDisposeScope(); Functional.silu(x); }),
            ("ours silu fwd+bwd", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([Functional.silu(x)], [x], [g]); }),
            ("ours silu fwd+bwd, no outer scope", () => { using var y = Functional.silu(x); foreach (var t in torch.autograd.grad([y], [x], [g])) t.Dispose(); }),
            ("empty custom function fwd", () => { using var s = torch.NewDisposeScope(); Empty.apply(x); }),
            ("empty custom function fwd+bwd", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([Empty.apply(x)], [x], [g]); }),
            ("relu-like custom fn, no scope fwd", () => { using var s = torch.NewDisposeScope(); SaveOne.apply(x, "k"); }),
            ("relu-like custom fn, no scope fwd+bwd", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([SaveOne.apply(x, "k")], [x], [g]); }),
            ("custom fn saving x, clone fwd+bwd", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([SaveInputClone.apply(x)], [x], [g]); }),
            ("custom clone fwd+bwd", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([CloneFn.apply(x)], [x], [g]); }),
            ("builtin clone fwd+bwd (x*1 fwd, g*1 bwd)", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([x * 1], [x], [g]); }),
            ("x.alias() fwd+bwd", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([x.alias()], [x], [g]); }),
        };
        var m = x.detach().lt(0);
        var mf = m.to_type(ScalarType.Float32);
        var zero = torch.zeros(Array.Empty<long>());
        probes = [.. probes,
            ("api: x.dtype", () => { var d = xd.dtype; }),
            ("api: x.numel()", () => { var d = xd.numel(); }),
            ("api: x.is_contiguous()", () => { var d = xd.is_contiguous(); }),
            ("api: x.device_type", () => { var d = xd.device_type; }),
            ("api: x.shape", () => { var d = xd.shape; }),
            ("api: x.bytes", () => { var d = xd.bytes.Length; }),
            ("api: is_grad_enabled", () => { var d = torch.is_grad_enabled(); }),
            ("api: empty_like + dispose", () => { torch.empty_like(xd).Dispose(); }),
            ("api: empty_like in scope", () => { using var s = torch.NewDisposeScope(); torch.empty_like(xd); }),
            ("api: NewDisposeScope + dispose", () => { using var s = torch.NewDisposeScope(); }),
            ("api: empty_like, MoveToOuterDisposeScope", () => { using var o = torch.NewDisposeScope(); using (torch.NewDisposeScope()) torch.empty_like(xd).MoveToOuterDisposeScope(); }),
            ("api: x.requires_grad", () => { var d = x.requires_grad; }),
            ("op: x.lt(0)", () => { using var s = torch.NewDisposeScope(); xd.lt(0); }),
            ("op: x.clamp_min(0)", () => { using var s = torch.NewDisposeScope(); xd.clamp_min(0); }),
            ("op: g.clone()", () => { using var s = torch.NewDisposeScope(); g.clone(); }),
            ("op: g.masked_fill(m, 0)", () => { using var s = torch.NewDisposeScope(); g.masked_fill(m, 0); }),
            ("op: m.to_type(f32)", () => { using var s = torch.NewDisposeScope(); m.to_type(ScalarType.Float32); }),
            ("op: m.view(u8).to_type(f32)", () => { using var s = torch.NewDisposeScope(); m.to_type(ScalarType.Byte).to_type(ScalarType.Float32); }),
            ("op: g * mf", () => { using var s = torch.NewDisposeScope(); g.mul(mf); }),
            ("op: g.mul(m)", () => { using var s = torch.NewDisposeScope(); g.mul(m); }),
            ("op: heaviside(x, 0)", () => { using var s = torch.NewDisposeScope(); torch.heaviside(xd, zero); }),
            ("op: x.sign()", () => { using var s = torch.NewDisposeScope(); xd.sign(); }),
            ("op: x.gt(0) f32 via to_type", () => { using var s = torch.NewDisposeScope(); xd.gt(0).to_type(ScalarType.Float32); }),
            ("op: relu(x)", () => { using var s = torch.NewDisposeScope(); xd.relu(); }),
            ("op: threshold(x, 0, 0)", () => { using var s = torch.NewDisposeScope(); nn.functional.threshold(xd, 0, 0); }),
            ("op: x.where(m, 0)", () => { using var s = torch.NewDisposeScope(); xd.where(m, 0.0); }),
            ("op: x.where(m, x*0.2)", () => { using var s = torch.NewDisposeScope(); xd.where(m, xd * 0.2); }),
            ("op: builtin leaky bwd", () => { using var s = torch.NewDisposeScope(); torch.autograd.grad([nn.functional.leaky_relu(x, 0.2)], [x], [g]); }),
            ("op: m.logical_or(m)", () => { using var s = torch.NewDisposeScope(); m.logical_or(m); }),
            ("op: g.exp()", () => { using var s = torch.NewDisposeScope(); g.exp(); }),
            ("op: g.erfc()", () => { using var s = torch.NewDisposeScope(); g.erfc(); }),
            ("op: special.ndtr(g)", () => { using var s = torch.NewDisposeScope(); torch.special.ndtr(g); }),
            ("op: g.erf()", () => { using var s = torch.NewDisposeScope(); g.erf(); }),
            ("op: gelu(g)", () => { using var s = torch.NewDisposeScope(); nn.functional.gelu(g); }),
            ("op: g.expm1()", () => { using var s = torch.NewDisposeScope(); g.expm1(); }),
            ("op: g.tanh()", () => { using var s = torch.NewDisposeScope(); g.tanh(); }),
            ("op: g.addcmul(g, g)", () => { using var s = torch.NewDisposeScope(); g.addcmul(g, g, 1); }),
        ];
        for (int rep = 0; rep < 3; rep++) {
            foreach (var (name, f) in probes) {
                for (int i = 0; i < 200; i++) f();
                var times = new List<double>();
                int gc0 = GC.CollectionCount(0);
                long bytes0 = GC.GetAllocatedBytesForCurrentThread();
                for (int r = 0; r < 40; r++) {
                    var sw = Stopwatch.StartNew();
                    for (int i = 0; i < 25; i++) f();
                    times.Add(sw.Elapsed.TotalMicroseconds / 25);
                }
                double managed = (GC.GetAllocatedBytesForCurrentThread() - bytes0) / 1000.0;
                var st = Stats.Of(times);
                if (rep == 2) Console.WriteLine($"{name,-40} min {st.Min,7:F1}  median {st.Median,7:F1} µs  [{st.P25:F1}–{st.P75:F1}]  managed {managed,6:F0} B/call  gen0 GCs {GC.CollectionCount(0) - gc0}  RSS {Rss() / 1e6:F0} MB");
            }
        }
    }
}
