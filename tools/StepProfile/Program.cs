using System.Diagnostics;
using MnistDemo;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

// Diagnostic behind docs/performance.md's "page faults, not kernels" and the MnistDemo README's time figures;
// `MnistDemo speed` is the user-facing form of its default mode. One torch thread, real MNIST batches,
// the demo's CNN with dropout and Adam.
//   StepProfile [variant] [blocks] [stepsPerBlock] [mode] [only]
//   variant: which of the four calls come from the package: all | act1 | act2 | act3 | lsm | acts | none (A/A control)
//   mode:    train (step with Adam) | fwdbwd (no optimizer step) | fwd (no_grad forward)
//   only:    a | b: run only the package's (a) or the built-in's (b) model, then print glibc's heap figures;
//            run it under `perf stat -e page-faults` or `/usr/bin/time` to count faults per side
//   PROBE=1: time conv2's activation forward, its backward, and conv2's backward with identity probes
// Data: $MNIST_DIR, else ./data/mnist (the MNIST demo's default).
string variant = args.Length > 0 ? args[0] : "all";
int blocks = args.Length > 1 ? int.Parse(args[1]) : 30;
int per = args.Length > 2 ? int.Parse(args[2]) : 10;
string mode = args.Length > 3 ? args[3] : "train";
torch.set_num_threads(1); Net.Probe = Environment.GetEnvironmentVariable("PROBE") == "1";
using var data = MnistLoader.Load(Environment.GetEnvironmentVariable("MNIST_DIR") ?? "data/mnist", null);
bool[] pkg = variant switch {
    "all" => [true, true, true, true], "act1" => [true, false, false, false], "act2" => [false, true, false, false],
    "act3" => [false, false, true, false], "lsm" => [false, false, false, true], "acts" => [true, true, true, false], _ => [false, false, false, false] };
torch.manual_seed(1);
var a = new Net(pkg, "pkg-"); var b = new Net([false, false, false, false], "builtin-");
b.load_state_dict(a.state_dict());
var oa = optim.Adam(a.parameters(), 1e-3); var ob = optim.Adam(b.parameters(), 1e-3);
long n = data.Train.Count; long step = 0;
double Block(Net net, optim.Optimizer opt, long firstBatch)
{
    var w = Stopwatch.StartNew();
    for (int i = 0; i < per; i++) {
        using var scope = torch.NewDisposeScope();
        long start = ((firstBatch + i) * 64) % (n - 64);
        var x = data.Train.Images.narrow(0, start, 64); var y = data.Train.Labels.narrow(0, start, 64);
        if (mode == "fwd") { using var ng = torch.no_grad(); net.call(x); continue; }
        opt.zero_grad();
        var loss = nn.functional.nll_loss(net.call(x), y);
        loss.backward();
        if (mode == "train") opt.step();
    }
    return w.Elapsed.TotalMilliseconds / per;
}
if (args.Length > 4) { var (net, opt) = args[4] == "a" ? (a, oa) : (b, ob); for (int k = 0; k < blocks; k++) { Block(net, opt, step); step += per; } Console.WriteLine("only done"); var mi = Native.mallinfo2(); Console.WriteLine($"rss {Environment.WorkingSet/1e6:F0} MB arena {mi.arena/1e6:F0} MB mmapped {mi.hblkhd/1e6:F0} MB in use {mi.uordblks/1e6:F0} MB free {mi.fordblks/1e6:F0} MB topfree {mi.keepcost/1e6:F0}"); return; }
for (int i = 0; i < 5; i++) { Block(a, oa, step); Block(b, ob, step); step += per; }
var ra = new List<double>(); var rb = new List<double>(); var ratio = new List<double>();
for (int k = 0; k < blocks; k++) {
    double ta, tb;
    if (k % 2 == 0) { ta = Block(a, oa, step); tb = Block(b, ob, step); } else { tb = Block(b, ob, step); ta = Block(a, oa, step); }
    step += per; ra.Add(ta); rb.Add(tb); ratio.Add(ta / tb);
}
if (Net.Probe) foreach (var (k, v) in Net.T) Console.WriteLine($"{k}: median {Med(v):F3} ms over {v.Count}");
static double Med(List<double> v) { var s = v.OrderBy(x => x).ToList(); return s[s.Count / 2]; }
Console.WriteLine($"{variant} {mode}: package {Med(ra):F2} ms/step, builtin {Med(rb):F2} ms/step, median ratio {Med(ratio):F4}  (p25 {ratio.OrderBy(x=>x).ElementAt(ratio.Count/4):F3} p75 {ratio.OrderBy(x=>x).ElementAt(3*ratio.Count/4):F3})");

sealed class Net : nn.Module<Tensor, Tensor>
{
    readonly Conv2d conv1 = nn.Conv2d(1, 32, 3), conv2 = nn.Conv2d(32, 64, 3);
    readonly Linear fc1 = nn.Linear(9216, 128), fc2 = nn.Linear(128, 10);
    readonly MaxPool2d pool = nn.MaxPool2d(2);
    readonly Dropout d1 = nn.Dropout(0.25), d2 = nn.Dropout(0.5);
    readonly nn.Module<Tensor, Tensor> act1, act2, act3, lsm;
    public readonly string Name;
    public Net(bool[] p, string name) : base("Net")
    {
        Name = name;
        act1 = p[0] ? TorchActivations.Activations.ReLU() : nn.ReLU();
        act2 = p[1] ? TorchActivations.Activations.ReLU() : nn.ReLU();
        act3 = p[2] ? TorchActivations.Activations.ReLU() : nn.ReLU();
        lsm = p[3] ? TorchActivations.Activations.LogSoftmax(dim: 1) : nn.LogSoftmax(1);
        RegisterComponents();
    }
    public static bool Probe;
    public static readonly Dictionary<string, List<double>> T = new();
    static readonly Stopwatch clock = Stopwatch.StartNew();
    static double now => clock.Elapsed.TotalMilliseconds;
    double tOut, tIn;
    static void Add(string k, double v) { if (!T.TryGetValue(k, out var l)) T[k] = l = new(); l.Add(v); }
    public override Tensor forward(Tensor x)
    {
        var h = act1.call(conv1.call(x));
        if (Probe && torch.is_grad_enabled()) {
            h = ProbeFn.apply(h, (Action)(() => { Add(Name + "conv2bwd", now - tIn); }));
            var c = conv2.call(h);
            c = ProbeFn.apply(c, (Action)(() => { tIn = now; Add(Name + "bwd", tIn - tOut); }));
            double t0 = now;
            var r = act2.call(c);
            Add(Name + "fwd", now - t0);
            r = ProbeFn.apply(r, (Action)(() => { tOut = now; }));
            //.apply(c, (Action)(() => { tIn = now; Add(Name + "bwd", tIn - tOut); }));
            h = d1.call(pool.call(r));
            h = act3.call(fc1.call(h.flatten(1)));
            return lsm.call(fc2.call(d2.call(h)));
        }
        h = d1.call(pool.call(act2.call(conv2.call(h))));
        h = act3.call(fc1.call(h.flatten(1)));
        return lsm.call(fc2.call(d2.call(h)));
    }
}

sealed class ProbeFn : TorchSharp.torch.autograd.SingleTensorFunction<ProbeFn>
{
    public override string Name => "Probe";
    public override Tensor forward(TorchSharp.torch.autograd.AutogradContext ctx, params object[] vars)
    { ctx.save_data("a", vars[1]); return ((Tensor)vars[0]).view_as((Tensor)vars[0]); }
    public override List<Tensor> backward(TorchSharp.torch.autograd.AutogradContext ctx, Tensor g)
    { ((Action)ctx.get_data("a"))(); return [g, null!]; }
}

static class Native
{
    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    public struct MallInfo2 { public nuint arena, ordblks, smblks, hblks, hblkhd, usmblks, fsmblks, uordblks, fordblks, keepcost; }
    [System.Runtime.InteropServices.DllImport("libc")] public static extern MallInfo2 mallinfo2();
}
