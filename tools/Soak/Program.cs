// Soak test: a small classifier trained for thousands of steps, its hidden activation cycling through every
// element-wise activation of the package (Activations.ElementwiseNames) plus a per-channel PReLU, the loss
// through the package's log_softmax; the same loop with TorchSharp's built-ins is the baseline.
// Each variant runs in its own process; resident memory (VmRSS) is sampled after warm-up and to the end.
//
//   dotnet run -c Release --project tools/Soak -- [--steps 3000] [--warmup 300] [--every 50] [--collect]
//
// --collect forces a full blocking garbage collection (and runs pending finalizers) before each RSS sample,
// so the samples show memory that is still referenced rather than garbage the GC has not reclaimed yet.
//
// Verdict per variant: PASS when RSS grows by at most 50 MB from the end of warm-up to the last step and the
// least-squares slope of RSS over the last half of the run is at most 2 MB per 1000 steps.
using System.Diagnostics;
using System.Globalization;
using TorchActivations;
using TorchSharp;
using static TorchSharp.torch;

var options = Options.Parse(args);
if (options.Variant is null) {
    Console.WriteLine($"Soak: {options.Steps} steps, warm-up {options.Warmup}, RSS sampled every {options.Every} steps{(options.Collect ? " after a forced full GC" : "")}; one process per variant.");
    Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, {Environment.ProcessorCount} cores, .NET {Environment.Version}.");
    var results = new List<Result>();
    foreach (var variant in new[] { "builtin", "package" })
        results.Add(RunChild(variant, options));
    Console.WriteLine();
    Console.WriteLine($"{"variant",-8} {"ms/step",8} {"RSS warm-up MB",15} {"RSS end MB",11} {"growth MB",10} {"slope MB/1k (last half)",24} {"max MB",7} {"live tensors",13} {"loss first→last",17}  verdict");
    foreach (var r in results)
        Console.WriteLine($"{r.Variant,-8} {r.MsPerStep,8:F2} {r.RssWarmup,15:F1} {r.RssEnd,11:F1} {r.Growth,10:F1} {r.SlopeLastHalf,24:F2} {r.RssMax,7:F1} {r.LiveTensors,13} {r.LossFirst,7:F3}→{r.LossLast,-8:F3}  {(r.Pass ? "PASS" : "FAIL")}");
    var verdict = results.All(r => r.Pass);
    var (b, p) = (results[0], results[1]);
    Console.WriteLine($"package minus built-in: growth {p.Growth - b.Growth:+0.0;-0.0} MB, last-half slope {p.SlopeLastHalf - b.SlopeLastHalf:+0.00;-0.00} MB per 1000 steps.");
    Console.WriteLine();
    Console.WriteLine(verdict
        ? "VERDICT: PASS (growth <= 50 MB and last-half slope <= 2 MB per 1000 steps for both variants)"
        : "VERDICT: FAIL");
    return verdict ? 0 : 1;
}

var result = Soak.Run(options.Variant, options);
Console.WriteLine("RESULT " + result.Serialize());
return 0;

static Result RunChild(string variant, Options options)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        start.ArgumentList.Add(typeof(Soak).Assembly.Location);
    foreach (var a in new[] { "--variant", variant, "--steps", $"{options.Steps}", "--warmup", $"{options.Warmup}", "--every", $"{options.Every}" })
        start.ArgumentList.Add(a);
    if (options.Collect) start.ArgumentList.Add("--collect");
    using var child = Process.Start(start)!;
    Result? result = null;
    string? line;
    while ((line = child.StandardOutput.ReadLine()) is not null) {
        if (line.StartsWith("RESULT ")) result = Result.Deserialize(line["RESULT ".Length..]);
        else Console.WriteLine($"[{variant}] {line}");
    }
    child.WaitForExit();
    if (child.ExitCode != 0 || result is null)
        throw new InvalidOperationException($"the {variant} run failed (exit code {child.ExitCode}).");
    return result;
}

sealed record Options(int Steps, int Warmup, int Every, string? Variant, bool Collect)
{
    public static Options Parse(string[] args)
    {
        int steps = 3000, warmup = 300, every = 50;
        string? variant = null;
        bool collect = false;
        for (int i = 0; i < args.Length; i++) {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i]) {
                case "--steps": steps = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--warmup": warmup = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--every": every = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--variant": variant = Next(); break;
                case "--collect": collect = true; break;
                default: throw new ArgumentException($"unknown option {args[i]}; use --steps N --warmup N --every N [--collect] [--variant package|builtin]");
            }
        }
        if (warmup >= steps) throw new ArgumentException("--warmup must be less than --steps");
        if (variant is not (null or "package" or "builtin")) throw new ArgumentException("--variant must be package or builtin");
        return new(steps, warmup, every, variant, collect);
    }
}

sealed record Result(string Variant, double MsPerStep, double RssWarmup, double RssEnd, double RssMax, double SlopeLastHalf,
                     long LiveTensors, double LossFirst, double LossLast)
{
    public double Growth => RssEnd - RssWarmup;
    public bool Pass => Growth <= 50 && SlopeLastHalf <= 2;

    public string Serialize() => string.Join(";", Variant,
        string.Join(";", new[] { MsPerStep, RssWarmup, RssEnd, RssMax, SlopeLastHalf, LiveTensors, LossFirst, LossLast }
            .Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

    public static Result Deserialize(string s)
    {
        var p = s.Split(';');
        double D(int i) => double.Parse(p[i], CultureInfo.InvariantCulture);
        return new(p[0], D(1), D(2), D(3), D(4), D(5), (long)D(6), D(7), D(8));
    }
}

static class Soak
{
    const long Features = 64, Hidden = 128, Classes = 10, Batch = 64;

    /// <summary>Resident set size of this process in MB, from /proc/self/status.</summary>
    static double RssMB()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
            if (line.StartsWith("VmRSS:"))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        throw new InvalidOperationException("no VmRSS in /proc/self/status");
    }

    /// <summary>The hidden activations, in the order of Activations.ElementwiseNames, with TorchSharp's counterparts.</summary>
    static (string Name, nn.Module<Tensor, Tensor> Module)[] HiddenActivations(string variant) =>
        Activations.ElementwiseNames.Select(name => (name, variant == "package" ? Package(name) : Builtin(name))).ToArray();

    static nn.Module<Tensor, Tensor> Package(string name) => Activations.Create(name switch {
        "threshold" => "threshold(threshold=0.1, value=0)",
        "prelu" => $"prelu(num_parameters={Hidden})",
        _ => name,
    });

    static nn.Module<Tensor, Tensor> Builtin(string name) => name switch {
        "relu" => nn.ReLU(),
        "leaky_relu" => nn.LeakyReLU(),
        "prelu" => nn.PReLU(Hidden),
        "rrelu" => nn.RReLU(),
        "elu" => nn.ELU(),
        "celu" => nn.CELU(),
        "selu" => nn.SELU(),
        "softplus" => nn.Softplus(),
        "gelu" => nn.GELU(),
        "tanhshrink" => nn.Tanhshrink(),
        "softshrink" => nn.Softshrink(),
        "hardshrink" => nn.Hardshrink(),
        "relu6" => nn.ReLU6(),
        "sigmoid" => nn.Sigmoid(),
        "tanh" => nn.Tanh(),
        "softsign" => nn.Softsign(),
        // TorchSharp 0.107.0's Hardtanh is the identity; clamp does what it should.
        "hardtanh" => new Lambda("hardtanh", x => x.clamp(-1, 1)),
        "threshold" => nn.Threshold(0.1, 0),
        // torch.heaviside has no derivative; a step that autograd does not record, like the package's zero gradient.
        "heaviside" => new Lambda("heaviside", x => x.ge(0).to_type(x.dtype)),
        "logsigmoid" => nn.LogSigmoid(),
        _ => throw new ArgumentException($"no built-in for {name}"),
    };

    sealed class Lambda(string name, Func<Tensor, Tensor> f) : nn.Module<Tensor, Tensor>(name)
    {
        public override Tensor forward(Tensor input) => f(input);
    }

    public static Result Run(string variant, Options options)
    {
        torch.manual_seed(1);
        var fc1 = nn.Linear(Features, Hidden);
        var fc2 = nn.Linear(Hidden, Hidden);
        var fc3 = nn.Linear(Hidden, Classes);
        var activations = HiddenActivations(variant);
        var prelu = variant == "package" ? (nn.Module<Tensor, Tensor>)Activations.PReLU(Hidden) : nn.PReLU(Hidden);
        Func<Tensor, long, Tensor> logSoftmax = variant == "package"
            ? (x, dim) => Functional.log_softmax(x, dim)
            : (x, dim) => nn.functional.log_softmax(x, dim);
        var modules = new nn.Module[] { fc1, fc2, fc3, prelu }.Concat(activations.Select(a => (nn.Module)a.Module)).ToArray();
        var parameters = modules.SelectMany(m => m.parameters()).ToArray();
        var optimizer = torch.optim.Adam(parameters, lr: 1e-3);
        var generator = new Generator(2);
        var teacher = torch.randn([Features, Classes], generator: generator);

        Console.WriteLine($"{variant}: {activations.Length} hidden activations cycled ({string.Join(", ", activations.Select(a => a.Name))}), PReLU({Hidden}), {(variant == "package" ? "Functional" : "torch.nn.functional")}.log_softmax; {parameters.Length} parameter tensors.");

        var samples = new List<(int Step, double Rss)>();
        double rssWarmup = 0, lossFirst = 0, lossLast = 0;
        var clock = new Stopwatch();
        for (int step = 1; step <= options.Steps; step++) {
            if (step == options.Warmup + 1) clock.Start();
            using var scope = torch.NewDisposeScope();
            var x = torch.randn([Batch, Features], generator: generator);
            var labels = x.matmul(teacher).argmax(1);
            var h = activations[step % activations.Length].Module.call(fc1.call(x));
            var logits = fc3.call(prelu.call(fc2.call(h)));
            var loss = nn.functional.nll_loss(logSoftmax(logits, 1), labels);
            optimizer.zero_grad();
            loss.backward();
            optimizer.step();
            if (step == 1) lossFirst = loss.item<float>();
            if (step == options.Steps) lossLast = loss.item<float>();
            bool sample = step == options.Warmup || (step > options.Warmup && (step % options.Every == 0 || step == options.Steps));
            if (sample && options.Collect) FullCollect();
            if (step == options.Warmup) {
                rssWarmup = RssMB();
                samples.Add((step, rssWarmup));
            } else if (sample) {
                samples.Add((step, RssMB()));
            }
            if (step % 500 == 0 || step == options.Steps)
                Console.WriteLine($"{variant}: step {step,6}  loss {loss.item<float>(),7:F4}  RSS {RssMB(),7:F1} MB  managed {GC.GetTotalMemory(false) / 1048576.0,6:F1} MB  " +
                                  $"GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}  live tensors (this thread) {DisposeScopeManager.Statistics.ThreadTotalLiveCount}  " +
                                  $"custom autograd nodes alive {AliveAutogradNodes()}");
        }
        clock.Stop();

        int half = options.Warmup + (options.Steps - options.Warmup) / 2;
        var lastHalf = samples.Where(s => s.Step >= half).ToArray();
        double slope = Slope(lastHalf) * 1000;
        return new(variant, clock.Elapsed.TotalMilliseconds / (options.Steps - options.Warmup), rssWarmup, samples[^1].Rss,
                   samples.Max(s => s.Rss), slope, DisposeScopeManager.Statistics.ThreadTotalLiveCount, lossFirst, lossLast);
    }

    static void FullCollect()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
    }

    /// <summary>How many custom-autograd nodes TorchSharp keeps alive (its private Node.AliveNodes list): one per recorded call of the package's function until libtorch frees it.</summary>
    static int AliveAutogradNodes()
    {
        var node = typeof(torch.autograd).GetNestedType("Node", System.Reflection.BindingFlags.NonPublic);
        var field = node?.GetField("AliveNodes", System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Static);
        if (field?.GetValue(null) is not System.Collections.ICollection list) return -1;
        lock (list) return list.Count;
    }

    /// <summary>Least-squares slope of RSS (MB) per step.</summary>
    static double Slope((int Step, double Rss)[] points)
    {
        double mx = points.Average(p => p.Step), my = points.Average(p => p.Rss);
        double sxy = points.Sum(p => (p.Step - mx) * (p.Rss - my)), sxx = points.Sum(p => (p.Step - mx) * (p.Step - mx));
        return sxx == 0 ? 0 : sxy / sxx;
    }
}
