using System.Diagnostics;
using System.Globalization;
using System.Text;
using TorchSharp;

namespace MnistDemo;

/// <summary>
/// The <c>compare</c> command: the same CNN, the same seeds, once per activation (and, with --reference builtin,
/// once more with TorchSharp's built-in module). Results are rewritten after every run, so an interrupted
/// comparison still leaves its finished rows.
/// </summary>
public static class Compare
{
    public sealed record RunResult(string Activation, bool Builtin, int Seed, RunHistory History);

    public static int Run(TrainConfig baseConfig, string[] names, int seeds, bool reference, string dir, bool download)
    {
        var device = Trainer.ResolveDevice(baseConfig.Device);
        using var data = MnistLoader.Load(baseConfig.Data, download ? baseConfig.DataSet.CreateDownloader() : null, baseConfig.DataSet);
        Directory.CreateDirectory(dir);
        long trainCount = data.Train.Take(baseConfig.Limit).Count;
        Console.WriteLine($"compare: {names.Length} activation(s) x {seeds} seed(s) x {baseConfig.Epochs} epoch(s){(reference ? " x {package, built-in}" : "")}, " +
                          $"{trainCount} training images, batch {baseConfig.BatchSize}, {baseConfig.Optimizer} lr {baseConfig.Lr}, torch threads {torch.get_num_threads()}");
        var runs = new List<RunResult>();
        var wall = Stopwatch.StartNew();
        int total = names.Length * seeds * (reference ? 2 : 1), done = 0;
        foreach (var name in names) {
            for (int s = 0; s < seeds; s++) {
                foreach (var builtin in reference ? new[] { false, true } : [false]) {
                    var config = baseConfig with { Activation = name, Seed = baseConfig.Seed + s, Builtin = builtin };
                    var label = $"[{++done}/{total}] {name}{(builtin ? " (built-in)" : "")} seed {config.Seed}";
                    torch.manual_seed(config.Seed);
                    using var model = new MnistCnn(name, builtin);
                    model.to(device);
                    var history = new RunHistory();
                    using (var optimizer = Trainer.MakeOptimizer(config.Optimizer, model, config.Lr))
                        Trainer.Train(config, model, optimizer, data, device, history, label: label);
                    runs.Add(new RunResult(name, builtin, config.Seed, history));
                    Write(dir, baseConfig, names, seeds, reference, runs, trainCount, data.Test.Take(baseConfig.TestLimit).Count, wall.Elapsed);
                }
            }
        }
        Plot(dir, names, runs, baseConfig, trainCount);
        Console.WriteLine();
        Console.WriteLine(File.ReadAllText(Path.Combine(dir, "compare.md")));
        Console.WriteLine($"Wrote {dir}/: compare.md, compare.csv, steps.csv, loss.png, accuracy.png. Wall time {wall.Elapsed.TotalSeconds:F0} s.");
        return 0;
    }

    /// <summary>Redraws compare.md and the PNGs of an earlier comparison from its compare.csv and steps.csv (no training).</summary>
    public static int Replot(TrainConfig baseConfig, string dir)
    {
        var csvPath = Path.Combine(dir, "compare.csv");
        var stepsPath = Path.Combine(dir, "steps.csv");
        if (!File.Exists(csvPath) || !File.Exists(stepsPath))
            throw new InvalidOperationException($"--replot: {dir} has no compare.csv and steps.csv to redraw from.");
        var inv = CultureInfo.InvariantCulture;
        var runs = new List<RunResult>();
        RunResult Get(string act, string impl, int seed)
        {
            var r = runs.FirstOrDefault(x => x.Activation == act && x.Builtin == (impl == "builtin") && x.Seed == seed);
            if (r is null) runs.Add(r = new RunResult(act, impl == "builtin", seed, new RunHistory()));
            return r;
        }
        foreach (var line in File.ReadLines(csvPath).Skip(1)) {
            var f = Csv.Split(line);
            Get(f[0], f[1], int.Parse(f[2], inv)).History.Epochs.Add(new EpochMetrics(int.Parse(f[3], inv), double.Parse(f[4], inv), double.Parse(f[5], inv),
                double.Parse(f[6], inv), double.Parse(f[7], inv), double.NaN, f.Length > 8 ? double.Parse(f[8], inv) : double.NaN));
        }
        foreach (var line in File.ReadLines(stepsPath).Skip(1)) {
            var f = Csv.Split(line);
            Get(f[0], f[1], int.Parse(f[2], inv)).History.Steps.Add(new StepLoss(long.Parse(f[3], inv), 1, double.Parse(f[4], inv)));
        }
        // The library's order when the names are its default specs (so merged shards read like one run), else first appearance.
        var order = ActivationFactory.DefaultElementwiseSpecs().ToList();
        var names = runs.Select(r => r.Activation).Distinct()
            .OrderBy(n => order.IndexOf(n) is var i && i >= 0 ? i : order.Count).ToArray();
        int seeds = runs.Select(r => r.Seed).Distinct().Count();
        bool reference = runs.Any(r => r.Builtin);
        var config = baseConfig with { Epochs = runs.Max(r => r.History.Epochs.Count), Seed = runs.Min(r => r.Seed) };
        long trainCount = baseConfig.Limit ?? 60000;
        Write(dir, config, names, seeds, reference, runs, trainCount, baseConfig.TestLimit ?? 10000, wall: null);
        Plot(dir, names, runs, config, trainCount);
        Console.WriteLine($"Redrew {dir}/compare.md, compare.csv, steps.csv, loss.png and accuracy.png from {runs.Count} runs ({string.Join(", ", names)}; {seeds} seed(s){(reference ? ", with built-in reference" : "")}).");
        return 0;
    }

    public static (double Mean, double Std) MeanStd(IReadOnlyList<double> xs)
    {
        if (xs.Count == 0) return (double.NaN, double.NaN);
        double mean = xs.Average();
        double std = xs.Count < 2 ? 0 : Math.Sqrt(xs.Sum(x => (x - mean) * (x - mean)) / (xs.Count - 1));
        return (mean, std);
    }

    /// <summary>The largest |difference| between two loss curves (step by step) and between the final accuracies, over the seeds both have.</summary>
    public static (double Loss, double Accuracy) MaxDifference(IEnumerable<RunResult> package, IEnumerable<RunResult> builtin)
    {
        double loss = 0, acc = 0;
        foreach (var p in package) {
            var b = builtin.FirstOrDefault(r => r.Seed == p.Seed);
            if (b is null) continue;
            for (int i = 0; i < Math.Min(p.History.Steps.Count, b.History.Steps.Count); i++)
                loss = Math.Max(loss, Math.Abs(p.History.Steps[i].Loss - b.History.Steps[i].Loss));
            for (int i = 0; i < Math.Min(p.History.Epochs.Count, b.History.Epochs.Count); i++)
                acc = Math.Max(acc, Math.Abs(p.History.Epochs[i].Accuracy - b.History.Epochs[i].Accuracy));
        }
        return (loss, acc);
    }

    static void Write(string dir, TrainConfig config, string[] names, int seeds, bool reference, List<RunResult> runs, long trainCount, long testCount, TimeSpan? wall)
    {
        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("activation,implementation,seed,epoch,train_loss,test_loss,accuracy,seconds,cpu_seconds\n");
        foreach (var r in runs)
            foreach (var e in r.History.Epochs)
                csv.Append(inv, $"{Csv.Quote(r.Activation)},{(r.Builtin ? "builtin" : "package")},{r.Seed},{e.Epoch},{e.TrainLoss:R},{e.TestLoss:R},{e.Accuracy:R},{e.Seconds:F3},{e.CpuSeconds:F3}\n");
        TrainCommand.AtomicWrite(Path.Combine(dir, "compare.csv"), tmp => File.WriteAllText(tmp, csv.ToString()));

        var md = new StringBuilder();
        md.Append(inv, $"CNN of the PyTorch MNIST example, {config.Epochs} epoch(s) on {trainCount} {config.Dataset} training images, tested on {testCount} test images; ");
        md.Append(inv, $"batch {config.BatchSize}, {config.Optimizer} lr {config.Lr}{(config.Schedule == "none" ? "" : $" ({Trainer.DescribeSchedule(config)} schedule)")}, seeds {config.Seed}..{config.Seed + seeds - 1}, torch threads {torch.get_num_threads()}. ");
        md.Append(inv, $"Final train loss: mean NLL over the last epoch's steps, averaged over seeds. Accuracy: mean ± sample std over seeds. {(wall is { } w ? $"Wall time so far {w.TotalSeconds:F0} s{(File.Exists("/proc/loadavg") ? $" (load average {File.ReadAllText("/proc/loadavg").Trim()})" : "")}." : "Merged from earlier runs (see their logs for wall time).")}\n\n");
        md.Append("| activation | seeds | final train loss | test accuracy (%) | s / epoch | CPU s / epoch |");
        if (reference) md.Append(" built-in accuracy (%) | built-in s / epoch | built-in CPU s / epoch | max loss-curve diff | max accuracy diff (points) |");
        md.Append('\n');
        md.Append("| --- | ---: | ---: | ---: | ---: | ---: |");
        if (reference) md.Append(" ---: | ---: | ---: | ---: | ---: |");
        md.Append('\n');
        foreach (var name in names) {
            var mine = runs.Where(r => r.Activation == name && !r.Builtin && r.History.Epochs.Count > 0).ToList();
            if (mine.Count == 0) continue;
            var (acc, accStd) = MeanStd(mine.Select(r => r.History.Epochs[^1].Accuracy * 100).ToList());
            md.Append(inv, $"| {name} | {mine.Count} | {mine.Average(r => r.History.Epochs[^1].TrainLoss):F4} | {acc:F2} ± {accStd:F2} | {mine.Average(r => r.History.Epochs.Average(e => e.Seconds)):F1} | {mine.Average(r => r.History.Epochs.Average(e => e.CpuSeconds)):F1} |");
            if (reference) {
                var theirs = runs.Where(r => r.Activation == name && r.Builtin && r.History.Epochs.Count > 0).ToList();
                if (theirs.Count == 0) md.Append(" | | | | |");
                else {
                    var (bacc, baccStd) = MeanStd(theirs.Select(r => r.History.Epochs[^1].Accuracy * 100).ToList());
                    var (dl, da) = MaxDifference(mine, theirs);
                    md.Append(inv, $" {bacc:F2} ± {baccStd:F2} | {theirs.Average(r => r.History.Epochs.Average(e => e.Seconds)):F1} | {theirs.Average(r => r.History.Epochs.Average(e => e.CpuSeconds)):F1} | {dl:0.###e+00} | {da * 100:F2} |");
                }
            }
            md.Append('\n');
        }
        if (reference && names.Any(n => n.StartsWith("heaviside", StringComparison.OrdinalIgnoreCase)))
            md.Append("\nHeaviside has no torch.nn module: its built-in reference is a small module computing (x >= threshold) as a float, which has no gradient (torch.heaviside has no derivative).\n");
        TrainCommand.AtomicWrite(Path.Combine(dir, "compare.md"), tmp => File.WriteAllText(tmp, md.ToString()));

        var steps = new StringBuilder("activation,implementation,seed,step,loss\n");
        foreach (var r in runs)
            foreach (var s in r.History.Steps)
                steps.Append(inv, $"{Csv.Quote(r.Activation)},{(r.Builtin ? "builtin" : "package")},{r.Seed},{s.Step},{s.Loss:R}\n");
        TrainCommand.AtomicWrite(Path.Combine(dir, "steps.csv"), tmp => File.WriteAllText(tmp, steps.ToString()));
    }

    static void Plot(string dir, string[] names, List<RunResult> runs, TrainConfig config, long trainCount)
    {
        var series = new List<(string, double[], double[])>();
        var dots = new List<(string, double, double, double?, double?)>();
        foreach (var name in names) {
            var mine = runs.Where(r => r.Activation == name && !r.Builtin && r.History.Epochs.Count > 0).ToList();
            if (mine.Count == 0) continue;
            // Loss vs step: the mean over seeds at each step.
            int n = mine.Min(r => r.History.Steps.Count);
            var steps = Enumerable.Range(1, n).Select(i => (double)i).ToArray();
            var loss = Enumerable.Range(0, n).Select(i => mine.Average(r => r.History.Steps[i].Loss)).ToArray();
            series.Add((name, steps, loss));
            var (mean, std) = MeanStd(mine.Select(r => r.History.Epochs[^1].Accuracy * 100).ToList());
            var theirs = runs.Where(r => r.Activation == name && r.Builtin && r.History.Epochs.Count > 0).Select(r => r.History.Epochs[^1].Accuracy * 100).ToList();
            var (refMean, refStd) = MeanStd(theirs);
            dots.Add((name, mean, std, theirs.Count > 0 ? refMean : null, theirs.Count > 0 ? refStd : null));
        }
        int seeds = runs.Select(r => r.Seed).Distinct().Count();
        Plots.LossCurves(Path.Combine(dir, "loss.png"),
            $"{config.Dataset}: training loss per step, mean over {seeds} seed(s), {config.Epochs} epoch(s) on {trainCount} images, {config.Optimizer} lr {config.Lr.ToString(CultureInfo.InvariantCulture)}", series);
        Plots.AccuracyDots(Path.Combine(dir, "accuracy.png"),
            $"{config.Dataset}: test accuracy after {config.Epochs} epoch(s) on {trainCount} training images ({seeds} seed(s))", dots);
    }
}
