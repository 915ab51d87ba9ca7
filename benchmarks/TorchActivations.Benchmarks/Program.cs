// Forward+backward time and memory kept for backward: the package's activations vs. TorchSharp's built-ins.
//
//   dotnet run -c Release --project benchmarks/TorchActivations.Benchmarks -- [--quick] [--threads N]
//       [--only relu,gelu] [--sizes 1000,100000,1000000] [--rounds N] [--no-memory] [--no-cnn]
//       [--dtypes float32,float64] [--modes grad,backward] [--allocator tuned|default] [--update-docs docs/performance.md]
//
// --allocator tuned (the default) calls TorchActivations.NativeAllocator.TuneForTensors() first, as the MNIST demo
// does; both sides run under the same allocator either way.
//
// See docs/performance.md for the method and a recorded run.
using System.Diagnostics;
using System.Globalization;
using System.Text;
using TorchActivations.Benchmarks;
using TorchSharp;
using static TorchSharp.torch;

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;

var options = Options.Parse(args);
if (options is null) return 2;

var allocator = options.TuneAllocator && !options.MemoryChild
    ? TorchActivations.NativeAllocator.TuneForTensors().Reason
    : "glibc's defaults";
torch.set_num_threads(options.Threads);
try { torch.set_num_interop_threads(1); } catch (Exception) { /* already started: harmless */ }

if (options.Overhead) { Overhead.Run(options.Sizes[0]); return 0; }

var cases = Cases.All();
if (options.Only is { } only)
    cases = cases.Where(c => only.Contains(c.Name, StringComparer.OrdinalIgnoreCase)).ToList();
if (options.Verify) return Verify.Run(cases);
if (options.MemoryChild) {
    Memory.UseMmapForLargeAllocations();
    Console.Write(MemorySection(cases, options));
    return 0;
}
var commandLine = "dotnet run -c Release --project benchmarks/TorchActivations.Benchmarks --" +
                  (args.Length == 0 ? "" : " " + string.Join(' ', args));
var md = new StringBuilder();
md.AppendLine($"Command: `{commandLine}`").AppendLine();
md.AppendLine($"- Run: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical CPUs ({CpuModel()}), " +
              $"load average at start {LoadAverage()}; .NET {Environment.Version}; TorchSharp {typeof(torch).Assembly.GetName().Version}, " +
              $"torch.set_num_threads({options.Threads}), {string.Join(" and ", options.Dtypes.Select(Label))} on CPU; allocator: {allocator}.");
md.AppendLine($"- Timing: per activation and size, {options.WarmupMs} ms warm-up per side, then {options.Rounds} rounds; each round times a batch of " +
              $"≈{options.BatchMs} ms of calls of each side back to back (order alternating ABBA). A call is `y = f(x)` and " +
              "either `torch.autograd.grad([y], [x], [g])` (mode grad) or `y.backward([g])` into the leaf's accumulated `.grad` (mode backward, " +
              "which adds the gradient accumulation a training step meets at its parameters), inside a dispose scope. Shown: median µs per call, the median of the per-round " +
              "ratios ours/built-in and their interquartile range [p25–p75]. Load from other processes only ever adds time, so the " +
              "ratio of the two sides' 25th-percentile times (the less disturbed rounds) is shown as well. Before the first case, " +
              "every pair runs 300 times on 1,000 elements, so that shared managed code is past tiered compilation.");
md.AppendLine("- Other processes were using the machine's cores during the run: the per-round ratios, not the absolute times, are the comparison.");
md.AppendLine();

// Global warm-up: every pair 300 times on a small input, so the managed code all cases share (the autograd
// plumbing, the fused kernels) has left the JIT's tier 0 before the first case is timed; otherwise the first
// rows of the table pay for tiered compilation.
{
    var warmShape = new long[] { 10, 100 };
    foreach (var c in cases) {
        if (c.Builtin is null) continue;
        foreach (var dtype in options.Dtypes)
            for (int i = 0; i < 300; i++) { TimeOnce(c, warmShape, dtype, true); TimeOnce(c, warmShape, dtype, false); }
    }
    Thread.Sleep(200);   // let the background tier-1 compilations finish
    GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
}

foreach (var dtype in options.Dtypes)
foreach (var mode in options.Modes)
foreach (var n in options.Sizes) {
    var shape = new long[] { Math.Max(1, n / 100), 100 };
    var rows = new List<(BenchCase, PairResult)>();
    Console.Error.WriteLine($"== {Label(dtype)}, {mode}, {n} elements, shape [{shape[0]}, {shape[1]}]");
    foreach (var c in cases) {
        if (c.Builtin is null) { Console.Error.WriteLine($"   {c.Name}: no built-in to compare with, skipped"); continue; }
        // Each case starts from a collected heap, so neither side pays for the previous case's garbage.
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        var r = TimeCase(c, shape, dtype, mode == "backward", options);
        rows.Add((c, r));
        Console.Error.WriteLine($"   {c.Name,-12} ours {Us(r.A.Median),9} µs  built-in {Us(r.B.Median),9} µs  ratio {r.Ratio.Median:F2} [{r.Ratio.P25:F2}–{r.Ratio.P75:F2}]");
    }

    md.AppendLine($"### Forward + backward, {Label(dtype)}, {(mode == "backward" ? "backward() into .grad" : "autograd.grad")}, {n:N0} elements ([{shape[0]}, {shape[1]}])").AppendLine();
    md.AppendLine("| activation | built-in compared | ours µs | built-in µs | ratio ours/built-in | ratio p25–p75 | ratio of p25 times |");
    md.AppendLine("|---|---|---:|---:|---:|---:|---:|");
    foreach (var (c, r) in rows)
        md.AppendLine($"| {c.Name} | {c.BuiltinLabel} | {Us(r.A.Median)} | {Us(r.B.Median)} | **{r.Ratio.Median:F2}** | {r.Ratio.P25:F2}–{r.Ratio.P75:F2} | {r.A.P25 / r.B.P25:F2} |");
    var graded = rows.Where(x => x.Item1.BuiltinHasGradient && !x.Item1.ComposedCounterpart).ToList();
    if (graded.Count > 0) {
        var ratios = graded.Select(x => x.Item2.Ratio.Median).ToList();
        var quiet = graded.Select(x => x.Item2.A.P25 / x.Item2.B.P25).ToList();
        var geo = Math.Exp(ratios.Average(Math.Log));
        var med = Stats.Of(ratios).Median;
        var worst = graded.MaxBy(x => x.Item2.Ratio.Median);
        var worstQuiet = graded.MaxBy(x => x.Item2.A.P25 / x.Item2.B.P25);
        md.AppendLine().AppendLine($"Over the {ratios.Count} activations with a differentiable TorchSharp built-in (the rows marked composed are left out): geometric mean of the ratios **{geo:F2}**, " +
                                   $"median **{med:F2}**, largest **{worst.Item2.Ratio.Median:F2}** ({worst.Item1.Name}). " +
                                   $"From the p25 times (the less disturbed rounds): geometric mean {Math.Exp(quiet.Average(Math.Log)):F2}, " +
                                   $"median {Stats.Of(quiet).Median:F2}, largest {worstQuiet.Item2.A.P25 / worstQuiet.Item2.B.P25:F2} ({worstQuiet.Item1.Name}).");
    }
    md.AppendLine();
}

var notes = cases.Where(c => c.Note is not null).Select(c => $"- {c.Name}: {c.Note}.").ToList();
if (notes.Count > 0) { md.AppendLine("Notes on the pairs:").AppendLine(); foreach (var s in notes) md.AppendLine(s); md.AppendLine(); }

if (options.Cnn) {
    Console.Error.WriteLine("== MNIST CNN training step, batch 64");
    var r = Cnn.Compare("relu", options.CnnRounds, options.CnnBatchMs, options.CnnVariant);
    Console.Error.WriteLine($"   ours {r.A.Median:F1} ms  built-in {r.B.Median:F1} ms  ratio {r.Ratio.Median:F3} [{r.Ratio.P25:F3}–{r.Ratio.P75:F3}]");
    md.AppendLine("### MNIST CNN training step (batch 64, random data)").AppendLine();
    md.AppendLine("conv 1→32 3×3, ReLU, conv 32→64 3×3, ReLU, max-pool 2, linear 9216→128, ReLU, linear 128→10, log-softmax, NLL loss, SGD step; " +
                  $"the package's ReLU and log_softmax vs. the built-ins, same initial weights; {options.CnnRounds} interleaved rounds.").AppendLine();
    md.AppendLine("| | ours ms/step | built-in ms/step | ratio | ratio p25–p75 |");
    md.AppendLine("|---|---:|---:|---:|---:|");
    md.AppendLine($"| MNIST CNN step | {r.A.Median:F1} | {r.B.Median:F1} | **{r.Ratio.Median:F3}** | {r.Ratio.P25:F3}–{r.Ratio.P75:F3} |");
    md.AppendLine();
}

if (options.Memory) {
    // In a child process: the measurement changes malloc's settings, and needs a heap untouched by the timings.
    var psi = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true, UseShellExecute = false };
    psi.ArgumentList.Add("--memory-child");
    psi.ArgumentList.Add("--graphs"); psi.ArgumentList.Add(options.Graphs.ToString(CultureInfo.InvariantCulture));
    if (options.Only is { } o) { psi.ArgumentList.Add("--only"); psi.ArgumentList.Add(string.Join(',', o)); }
    using var child = Process.Start(psi)!;
    md.Append(child.StandardOutput.ReadToEnd());
    child.WaitForExit();
    if (child.ExitCode != 0) md.AppendLine($"(memory measurement failed: exit code {child.ExitCode})").AppendLine();
}

md.AppendLine($"Load average at the end: {LoadAverage()}.");

var text = md.ToString();
Console.WriteLine(text);
if (options.UpdateDocs is { } path) {
    const string Begin = "<!-- BEGIN BENCHMARK RESULTS -->", End = "<!-- END BENCHMARK RESULTS -->";
    var doc = File.Exists(path) ? File.ReadAllText(path) : $"# Performance\n\n{Begin}\n{End}\n";
    int b = doc.IndexOf(Begin, StringComparison.Ordinal), e = doc.IndexOf(End, StringComparison.Ordinal);
    if (b < 0 || e < b) doc += $"\n{Begin}\n{End}\n";
    b = doc.IndexOf(Begin, StringComparison.Ordinal); e = doc.IndexOf(End, StringComparison.Ordinal);
    doc = doc[..(b + Begin.Length)] + "\n" + text + doc[e..];
    File.WriteAllText(path, doc);
    Console.Error.WriteLine($"Results written into {path}.");
}
return 0;

static string Label(ScalarType t) => t == ScalarType.Float64 ? "float64" : "float32";

static void TimeOnce(BenchCase c, long[] shape, ScalarType dtype, bool ours)
{
    using var scope = torch.NewDisposeScope();
    var x = torch.randn(shape, dtype: dtype).requires_grad_(true);
    Tensor[] inputs = [x, .. c.MakeExtras(x)];
    var y = (ours ? c.Ours : c.Builtin!)(inputs);
    if (ours || c.BuiltinHasGradient) torch.autograd.grad([y], [x], [torch.ones_like(y)]);
}

static PairResult TimeCase(BenchCase c, long[] shape, ScalarType dtype, bool intoGrad, Options o)
{
    var x = torch.randn(shape, dtype: dtype).mul_(3).requires_grad_(true);
    var extras = c.MakeExtras(x);
    var g = torch.randn(shape, dtype: dtype);
    Tensor[] inputs = [x, .. extras];
    Tensor[] wrt = [x, .. extras.Where(t => t.requires_grad)];

    Action Run(Func<Tensor[], Tensor> f, bool backward) => () => {
        using var scope = torch.NewDisposeScope();
        var y = f(inputs);
        if (!backward) return;
        if (intoGrad) y.backward([g]);
        else torch.autograd.grad([y], wrt, [g]);
    };
    return Timing.Compare(Run(c.Ours, true), Run(c.Builtin!, c.BuiltinHasGradient), o.Rounds, o.BatchMs, o.WarmupMs);
}

static string MemorySection(List<BenchCase> cases, Options options)
{
    var mm = new StringBuilder();
    long n = options.MemoryElements;
    var shape = new long[] { n / 100, 100 };
    Console.Error.WriteLine($"== memory kept for backward, {n} elements, {options.Graphs} graphs held");
    mm.AppendLine($"### Memory kept alive for backward (bytes per element, float32, {n:N0} elements)").AppendLine();
    mm.AppendLine($"Measured: resident-set growth while {options.Graphs} graphs `x = leaf * 1; y = f(x); z = y * 1` are held " +
                  "(only `z` kept; `mul` by a scalar saves nothing), divided by elements, minus the 4 bytes of `z` itself. " +
                  "Large allocations are forced to mmap (mallopt) so freed memory leaves the RSS. " +
                  "Counted: the bytes of the tensors the package's Forward adds to `save` (read by reflection); " +
                  "a saved input or output counts in full, since saving it keeps it alive.").AppendLine();
    // Calibration of the method with built-ins whose saved tensors derivatives.yaml states.
    var calibration = new (string Name, Func<Tensor[], Tensor> F, double Expected)[] {
        ("x * 2 (saves nothing)", a => a[0] * 2, 0),
        ("x.sin() (saves the input)", a => a[0].sin(), 4),
        ("x.exp() (saves the result)", a => a[0].exp(), 4),
        ("x.lt(0) mask kept via where", a => a[0].where(a[0].gt(0), 0.0), 1),
    };
    var calib = new BenchCase("calibration", "", a => a[0], null, "");
    Memory.KeptBytesPerElement(calibration[0].F, calib, shape, options.Graphs);   // the first measurement of a process reads low: discard it
    var calibText = string.Join("; ", calibration.Select(k => $"{k.Name}: {Memory.KeptBytesPerElement(k.F, calib, shape, options.Graphs):F2} (expected {k.Expected})"));
    Console.Error.WriteLine("   calibration: " + calibText);
    mm.AppendLine($"Calibration of the measurement on plain torch ops: {calibText}.").AppendLine();
    mm.AppendLine("| activation | ours, counted | ours, measured | built-in, measured |");
    mm.AppendLine("|---|---:|---:|---:|");
    foreach (var c in cases) {
        var counted = Memory.CountedSavedBytesPerElement(c.Name, c.Spec, shape);
        double ours = Memory.KeptBytesPerElement(c.Ours, c, shape, options.Graphs);
        double? builtin = c.Builtin is null || !c.BuiltinHasGradient ? null : Memory.KeptBytesPerElement(c.Builtin, c, shape, options.Graphs);
        Console.Error.WriteLine($"   {c.Name,-12} ours counted {F1(counted)}  measured {ours:F2}  built-in {F1(builtin)}");
        mm.AppendLine($"| {c.Name} | {F1(counted)} | {ours:F1} | {(c.Builtin is null ? "–" : c.BuiltinHasGradient ? F1(builtin) : "no backward")} |");
    }
    mm.AppendLine();
    return mm.ToString();
}

static string Us(double ms) => (ms * 1000).ToString(ms * 1000 >= 100 ? "F0" : "F1");
static string F1(double? v) => v is { } d ? d.ToString("F1") : "n/a";

static string LoadAverage()
{
    try { return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)); } catch (IOException) { return "n/a"; }
}

static string CpuModel()
{
    try {
        var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
        return line?.Split(':', 2)[1].Trim() ?? "unknown CPU";
    } catch (IOException) { return "unknown CPU"; }
}

sealed class Options
{
    public bool Quick;
    public int Threads = 1;
    public long[] Sizes = [1_000, 100_000, 1_000_000];
    public int Rounds = 61;
    public double BatchMs = 2, WarmupMs = 40;
    public bool Memory = true, Cnn = true, Overhead, MemoryChild, Verify;
    public long MemoryElements = 1_000_000;
    public int Graphs = 8;
    public int CnnRounds = 25;
    public string CnnVariant = "both";   // or "activation" / "log_softmax": only that part from the package
    public double CnnBatchMs = 150;
    public HashSet<string>? Only;
    public ScalarType[] Dtypes = [ScalarType.Float32, ScalarType.Float64];
    public string[] Modes = ["grad", "backward"];
    public string? UpdateDocs;
    public bool TuneAllocator = true;

    public static Options? Parse(string[] args)
    {
        var o = new Options();
        for (int i = 0; i < args.Length; i++) {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            switch (args[i]) {
                case "--quick":
                    o.Quick = true; o.Rounds = 15; o.BatchMs = 2; o.WarmupMs = 15; o.Graphs = 4; o.CnnRounds = 5; o.CnnBatchMs = 60;
                    break;
                case "--threads": o.Threads = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--sizes": o.Sizes = Next().Split(',').Select(s => long.Parse(s, CultureInfo.InvariantCulture)).ToArray(); break;
                case "--rounds": o.Rounds = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--only": o.Only = Next().Split(',').ToHashSet(StringComparer.OrdinalIgnoreCase); break;
                case "--no-memory": o.Memory = false; break;
                case "--no-cnn": o.Cnn = false; break;
                case "--overhead": o.Overhead = true; break;
                case "--memory-child": o.MemoryChild = true; break;
                case "--verify": o.Verify = true; break;
                case "--cnn-variant": o.CnnVariant = Next(); break;
                case "--graphs": o.Graphs = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                case "--update-docs": o.UpdateDocs = Next(); break;
                case "--dtypes":
                    o.Dtypes = Next().Split(',').Select(d => d switch {
                        "float32" => ScalarType.Float32, "float64" => ScalarType.Float64,
                        _ => throw new ArgumentException($"--dtypes: {d} is not float32 or float64."),
                    }).ToArray();
                    break;
                case "--allocator":
                    var a = Next();
                    if (a is not ("tuned" or "default")) throw new ArgumentException("--allocator: tuned or default.");
                    o.TuneAllocator = a == "tuned";
                    break;
                case "--modes":
                    o.Modes = Next().Split(',');
                    if (o.Modes.Any(m => m is not ("grad" or "backward"))) throw new ArgumentException("--modes: grad and/or backward.");
                    break;
                case "-h" or "--help":
                    Console.WriteLine("dotnet run -c Release --project benchmarks/TorchActivations.Benchmarks -- [--quick] [--threads N] " +
                                      "[--only relu,gelu] [--sizes 1000,100000,1000000] [--rounds N] [--no-memory] [--no-cnn] " +
                                      "[--dtypes float32,float64] [--modes grad,backward] [--allocator tuned|default] [--update-docs FILE]");
                    return null;
                default:
                    Console.Error.WriteLine($"Unknown option '{args[i]}'. Use --help.");
                    return null;
            }
        }
        return o;
    }
}
