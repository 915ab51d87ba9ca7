// The same experiments in TorchSharp through the demo's MnistCnn and Trainer.MakeOptimizer.
//   Parity DATA WEIGHTS STEPS [builtin]   loads PyTorch's initial weights (adadelta_parity.py) and trains STEPS
//                                         Adadelta steps in order with dropout off (eval mode), printing each loss.
//   Parity dropout                        what nn.Dropout(0.25) and nn.Dropout(0.5) do in training and eval mode,
//                                         and whether MnistCnn's passes are random in training mode only.
//   Parity perm SEED N                    the first and last indices of the demo's epoch-1 permutation of N images.
//   Parity init SEED [WEIGHTS]            prints the statistics of the demo's initial weights under --seed SEED, in
//                                         the format of example_epoch.py's "init" lines, and with WEIGHTS (written by
//                                         adadelta_parity.py under the same seed) the largest difference to PyTorch's.
using System.Globalization;
using MnistDemo;
using TorchSharp;
using static TorchSharp.torch;
torch.set_num_threads(1);

if (args[0] == "dropout") {
    // What TorchSharp's nn.Dropout does to a vector of ones, in training and in eval mode.
    foreach (var p in new[] { 0.25, 0.5 }) {
        using var drop = nn.Dropout(p);
        using var ones = torch.ones(1_000_000);
        drop.train();
        using var y = drop.call(ones);
        using var kept = y.ne(0);
        drop.eval();
        using var z = drop.call(ones);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"dropout p={p}: training: {1 - kept.to_type(ScalarType.Float64).mean().item<double>():F4} zeroed, kept values {y.masked_select(kept).min().item<float>():R}..{y.masked_select(kept).max().item<float>():R}; eval: {z.eq(1).all().item<bool>()} (all ones)"));
    }
    // The demo's CNN switches its dropout with train() and eval(): two passes over one batch differ only in training.
    torch.manual_seed(1);
    using var net = new MnistCnn("relu", builtin: false);
    using var batch = torch.randn(8, 1, 28, 28);
    net.train();
    using var t1 = net.call(batch); using var t2 = net.call(batch);
    net.eval();
    using var e1 = net.call(batch); using var e2 = net.call(batch);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"MnistCnn: training passes differ by {(t1 - t2).abs().max().item<float>():G3}, eval passes by {(e1 - e2).abs().max().item<float>():G3}"));
    return;
}

if (args[0] == "perm") {
    // The permutation an epoch of the demo draws (Trainer reseeds with seed * 1000003 + epoch, then randperm).
    long n = long.Parse(args[2], CultureInfo.InvariantCulture);
    torch.manual_seed(long.Parse(args[1], CultureInfo.InvariantCulture) * 1_000_003L + 1);
    using var perm = torch.randperm(n, dtype: ScalarType.Int64);
    var v = perm.data<long>().ToArray();
    Console.WriteLine($"randperm({n}) epoch 1: first {string.Join(", ", v.Take(10))}; last {string.Join(", ", v.TakeLast(5))}; {v.Distinct().Count()} distinct");
    return;
}

if (args[0] == "init") {
    torch.manual_seed(int.Parse(args[1], CultureInfo.InvariantCulture));
    using var cnn = new MnistCnn("relu", builtin: false);
    foreach (var (name, p) in cnn.named_parameters()) {
        using var t = p.detach().to_type(ScalarType.Float64);
        var line = string.Create(CultureInfo.InvariantCulture,
            $"init {name} mean {t.mean().item<double>():+0.000000;-0.000000} std {t.std().item<double>():0.000000} min {t.min().item<double>():+0.000000;-0.000000} max {t.max().item<double>():+0.000000;-0.000000}");
        if (args.Length > 2) {
            using var theirs = ReadWeights(args[2], name, p);
            line += string.Create(CultureInfo.InvariantCulture, $" max|torchsharp-pytorch| {(p.detach() - theirs).abs().max().item<float>():G3}");
        }
        Console.WriteLine(line);
    }
    return;
}

string d = args[0], w = args[1]; int steps = int.Parse(args[2], CultureInfo.InvariantCulture);
using var data = MnistLoader.Load(d);
using var m = new MnistCnn("relu", builtin: args.Length > 3);
foreach (var (name, p) in m.named_parameters()) {
    using var theirs = ReadWeights(w, name, p);
    using (torch.no_grad()) p.copy_(theirs);
}
m.eval();
var opt = Trainer.MakeOptimizer("adadelta", m, 1.0);
for (int i = 0; i < steps; i++) {
    using var scope = torch.NewDisposeScope();
    var (x, y) = data.Train.Slice(i * 64, 64);
    Console.WriteLine($"{i + 1} {Trainer.Step(m, opt, x, y).item<float>():F7}");
}

static Tensor ReadWeights(string dir, string name, Tensor like)
{
    var raw = File.ReadAllBytes(Path.Combine(dir, name + ".bin"));
    var f = new float[raw.Length / 4]; Buffer.BlockCopy(raw, 0, f, 0, raw.Length);
    return torch.tensor(f).reshape(like.shape);
}
