// Soak test: a small classifier trained for thousands of steps, its hidden activation cycling through every
// element-wise activation of the package (Activations.ElementwiseNames) plus a per-channel PReLU, the loss
// through the package's log_softmax; the same loop with TorchSharp's built-ins is the baseline.
// Each variant runs in its own process; resident memory (VmRSS) is sampled after warm-up and to the end.
//
//   dotnet run -c Release --project tools/Soak -- [--steps 3000] [--warmup 300] [--warmup-gcs 2] [--max-warmup 40000] [--every 50]
//                                                 [--threads 1] [--only package|builtin] [--collect]
//
// --threads sets torch.set_num_threads (default 1): the layers are tiny, and on a loaded 2-core machine libtorch's
// default thread pool made a step 15–100× slower (60–160 ms instead of 1.5–5 ms) without changing what is measured.
//
// Warm-up lasts at least --warmup steps AND until the runtime has done at least --warmup-gcs gen-0 collections
// on its own (GC.CollectionCount(0)); nothing forces a collection. Until the first collections, the garbage of
// each step (TorchSharp tensor wrappers, autograd nodes with finalizers, and the native memory they keep) piles
// up, so RSS measured from step N rises by however much the gen-0 budget allows: that is the runtime filling its
// budget, not steady state. After warm-up, --steps further steps are measured.
// --max-warmup bounds the warm-up; if it ends without --warmup-gcs collections the run is INCONCLUSIVE (a failure).
//
// --collect (diagnostic) forces a full blocking garbage collection (and runs pending finalizers) before each RSS
// sample, so the samples show memory that is still referenced rather than garbage not reclaimed yet.
//
// Verdict per variant: PASS when RSS grows by at most 50 MB from the end of warm-up to the last step AND shows no
// upward trend: the least-squares slope of RSS over the second half of the measured steps is at most
// 5 MB per 1000 steps.
//
// The gen-0 budget can be set with the runtime's environment variable DOTNET_GCgen0size (hex bytes,
// e.g. DOTNET_GCgen0size=0x4000000 for 64 MB); child processes inherit it.
using System.Diagnostics;
using System.Globalization;
using TorchActivations;
using TorchSharp;
using static TorchSharp.torch;

var options = Options.Parse(args);
if (options.Variant is null) {
    Console.WriteLine($"Soak: warm-up >= {options.Warmup} steps and >= {options.WarmupGcs} gen-0 GCs (at most {options.MaxWarmup} steps), then {options.Steps} measured steps, " +
                      $"RSS sampled every {options.Every} steps{(options.Collect ? " after a forced full GC" : "")}; one process per variant, {options.Threads} torch thread(s).");
    Console.WriteLine($"TorchSharp {typeof(torch).Assembly.GetName().Version}, {Environment.ProcessorCount} cores, .NET {Environment.Version}, " +
                      $"DOTNET_GCgen0size={Environment.GetEnvironmentVariable("DOTNET_GCgen0size") ?? "(unset)"}.");
    var results = new List<Result>();
    foreach (var variant in options.Variants)
        results.Add(RunChild(variant, options));
    Console.WriteLine();
    Console.WriteLine($"{"variant",-8} {"warm-up steps",13} {"ms/step",8} {"RSS warm-up MB",15} {"RSS end MB",11} {"growth MB",10} {"slope MB/1k (2nd half)",23} {"max MB",7} " +
                      $"{"GCs warm-up",11} {"GCs end",9} {"alloc/gen0 GC MB",17} {"tensors",8} {"nodes",6} {"loss first→last",17}  verdict");
    foreach (var r in results)
        Console.WriteLine($"{r.Variant,-8} {r.WarmupSteps,13} {r.MsPerStep,8:F2} {r.RssWarmup,15:F1} {r.RssEnd,11:F1} {r.Growth,10:F1} {r.SlopeLastHalf,23:F2} {r.RssMax,7:F1} " +
                          $"{r.GcsWarmup,11} {r.GcsEnd,9} {r.AllocatedPerGen0MB,17:F1} {r.LiveTensors,8} {r.AliveNodes,6} {r.LossFirst,7:F3}→{r.LossLast,-8:F3}  {r.Verdict}");
    if (results.Count == 2) {
        var (b, p) = (results[0], results[1]);
        Console.WriteLine($"package minus built-in: growth {p.Growth - b.Growth:+0.0;-0.0} MB, second-half slope {p.SlopeLastHalf - b.SlopeLastHalf:+0.00;-0.00} MB per 1000 steps.");
    }
    Console.WriteLine("tensors: live tensors of the thread after the last step's scope is disposed; nodes: TorchSharp custom autograd nodes alive then; " +
                      "alloc/gen0 GC: managed bytes allocated per gen-0 collection, roughly the gen-0 budget.");
    Console.WriteLine();
    var pass = results.All(r => r.Verdict == "PASS");
    Console.WriteLine(pass
        ? $"VERDICT: PASS (growth <= {Result.MaxGrowthMB} MB and second-half slope <= {Result.MaxSlopeMBPer1k} MB per 1000 steps for {string.Join(" and ", options.Variants)})"
        : "VERDICT: FAIL");
    return pass ? 0 : 1;
}

var result = Soak.Run(options.Variant, options);
Console.WriteLine("RESULT " + result.Serialize());
return 0;

static Result RunChild(string variant, Options options)
{
    var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
        start.ArgumentList.Add(typeof(Soak).Assembly.Location);
    foreach (var a in new[] { "--variant", variant, "--steps", $"{options.Steps}", "--warmup", $"{options.Warmup}", "--warmup-gcs", $"{options.WarmupGcs}",
                              "--max-warmup", $"{options.MaxWarmup}", "--every", $"{options.Every}", "--threads", $"{options.Threads}" })
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

sealed record Options(int Steps, int Warmup, int WarmupGcs, int MaxWarmup, int Every, int Threads, string? Variant, string[] Variants, bool Collect)
{
    public static Options Parse(string[] args)
    {
        int steps = 3000, warmup = 300, warmupGcs = 2, maxWarmup = 40000, every = 50, threads = 1;
        string? variant = null;
        string[] variants = ["builtin", "package"];
        bool collect = false;
        for (int i = 0; i < args.Length; i++) {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
            int Int() => int.Parse(Next(), CultureInfo.InvariantCulture);
            switch (args[i]) {
                case "--steps": steps = Int(); break;
                case "--warmup": warmup = Int(); break;
                case "--warmup-gcs": warmupGcs = Int(); break;
                case "--max-warmup": maxWarmup = Int(); break;
                case "--every": every = Int(); break;
                case "--threads": threads = Int(); break;
                case "--variant": variant = Next(); break;
                case "--only": variants = [Next()]; break;
                case "--collect": collect = true; break;
                default: throw new ArgumentException($"unknown option {args[i]}; use --steps N --warmup N --warmup-gcs N --max-warmup N --every N --threads N [--collect] [--only package|builtin]");
            }
        }
        if (steps < 1 || warmup < 1 || every < 1 || threads < 1 || warmupGcs < 0) throw new ArgumentException("--steps, --warmup and --every must be positive, --warmup-gcs not negative");
        if (maxWarmup < warmup) throw new ArgumentException("--max-warmup must be at least --warmup");
        if (variant is not (null or "package" or "builtin")) throw new ArgumentException("--variant must be package or builtin");
        if (variants.Any(v => v is not ("package" or "builtin"))) throw new ArgumentException("--only must be package or builtin");
        return new(steps, warmup, warmupGcs, maxWarmup, every, threads, variant, variants, collect);
    }
}

sealed record Result(string Variant, int WarmupSteps, bool WarmupComplete, double MsPerStep, double RssWarmup, double RssEnd, double RssMax, double SlopeLastHalf,
                     int GcsWarmup, int GcsEnd, double AllocatedPerGen0MB, long LiveTensors, int AliveNodes, double LossFirst, double LossLast)
{
    public const double MaxGrowthMB = 50, MaxSlopeMBPer1k = 5;
    public double Growth => RssEnd - RssWarmup;
    public string Verdict => !WarmupComplete ? "INCONCLUSIVE (warm-up hit --max-warmup before enough GCs)"
        : Growth <= MaxGrowthMB && SlopeLastHalf <= MaxSlopeMBPer1k ? "PASS" : "FAIL";

    public string Serialize() => string.Join(";", Variant,
        string.Join(";", new double[] { WarmupSteps, WarmupComplete ? 1 : 0, MsPerStep, RssWarmup, RssEnd, RssMax, SlopeLastHalf, GcsWarmup, GcsEnd,
                                        AllocatedPerGen0MB, LiveTensors, AliveNodes, LossFirst, LossLast }
            .Select(v => v.ToString("R", CultureInfo.InvariantCulture))));

    public static Result Deserialize(string s)
    {
        var p = s.Split(';');
        double D(int i) => double.Parse(p[i], CultureInfo.InvariantCulture);
        return new(p[0], (int)D(1), D(2) != 0, D(3), D(4), D(5), D(6), D(7), (int)D(8), (int)D(9), D(10), (long)D(11), (int)D(12), D(13), D(14));
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

    /// <summary>The hidden activations, in the order of Activations.ElementwiseNames, or TorchSharp's counterparts of them.</summary>
    static (string Name, nn.Module<Tensor, Tensor> Module)[] HiddenActivations(string variant) =>
        Activations.ElementwiseNames
            .Select(name => (name, variant == "package" ? Activations.Create(Spec(name)) : Activations.CreateBuiltin(Spec(name))))
            .ToArray();

    static string Spec(string name) => name switch {
        "threshold" => "threshold(threshold=0.1, value=0)",
        "prelu" => $"prelu(num_parameters={Hidden})",
        _ => name,
    };

    public static Result Run(string variant, Options options)
    {
        torch.set_num_threads(options.Threads);
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
        int warmupEnd = 0, gcsWarmup = 0;
        bool warmupComplete = false;
        var clock = new Stopwatch();
        for (int step = 1; warmupEnd == 0 || step <= warmupEnd + options.Steps; step++) {
            float lossValue;
            using (var scope = torch.NewDisposeScope()) {
                var x = torch.randn([Batch, Features], generator: generator);
                var labels = x.matmul(teacher).argmax(1);
                var h = activations[step % activations.Length].Module.call(fc1.call(x));
                var logits = fc3.call(prelu.call(fc2.call(h)));
                var loss = nn.functional.nll_loss(logSoftmax(logits, 1), labels);
                optimizer.zero_grad();
                loss.backward();
                optimizer.step();
                lossValue = loss.item<float>();
            }
            if (step == 1) lossFirst = lossValue;
            lossLast = lossValue;
            if (warmupEnd == 0) {
                bool enoughGcs = GC.CollectionCount(0) >= options.WarmupGcs || options.Collect;
                if (step >= options.Warmup && (enoughGcs || step >= options.MaxWarmup)) {
                    warmupEnd = step;
                    warmupComplete = enoughGcs;
                    if (options.Collect) FullCollect();
                    gcsWarmup = GC.CollectionCount(0);
                    rssWarmup = RssMB();
                    samples.Add((step, rssWarmup));
                    Console.WriteLine($"{variant}: warm-up ends at step {step}{(warmupComplete ? "" : " WITHOUT the required GCs (--max-warmup reached)")}: RSS {rssWarmup:F1} MB, {Progress()}");
                    clock.Start();
                }
            } else if ((step - warmupEnd) % options.Every == 0 || step == warmupEnd + options.Steps) {
                if (options.Collect) FullCollect();
                samples.Add((step, RssMB()));
            }
            if (step % 500 == 0)
                Console.WriteLine($"{variant}: step {step,6}{(warmupEnd == 0 ? " (warm-up)" : $" (+{step - warmupEnd,5})")}  loss {lossValue,7:F4}  RSS {RssMB(),7:F1} MB  {Progress()}");
        }
        clock.Stop();
        int last = warmupEnd + options.Steps;
        Console.WriteLine($"{variant}: end at step {last}: RSS {samples[^1].Rss:F1} MB, {Progress()}");

        int half = warmupEnd + options.Steps / 2;
        var secondHalf = samples.Where(s => s.Step >= half).ToArray();
        double slope = Slope(secondHalf) * 1000;
        int gcsEnd = GC.CollectionCount(0);
        return new(variant, warmupEnd, warmupComplete, clock.Elapsed.TotalMilliseconds / options.Steps, rssWarmup, samples[^1].Rss,
                   samples.Max(s => s.Rss), slope, gcsWarmup, gcsEnd,
                   gcsEnd == 0 ? double.NaN : GC.GetTotalAllocatedBytes() / 1048576.0 / gcsEnd,
                   DisposeScopeManager.Statistics.ThreadTotalLiveCount, AliveAutogradNodes(), lossFirst, lossLast);
    }

    static string Progress() =>
        $"managed {GC.GetTotalMemory(false) / 1048576.0,6:F1} MB  GCs {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)}  " +
        $"live tensors {DisposeScopeManager.Statistics.ThreadTotalLiveCount}  custom autograd nodes alive {AliveAutogradNodes()}";

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
