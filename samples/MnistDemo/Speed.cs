using System.Diagnostics;
using System.Globalization;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDemo;

/// <summary>
/// The <c>speed</c> command: the training step of <c>train</c> with the package's activation and with TorchSharp's
/// built-in, in one process, in alternating blocks of steps on the same batches, from the same initial weights.
/// Two separate runs on a shared machine differ by more than the effect being measured (load, heap state);
/// alternating blocks see the same conditions, so the median of the per-block ratios is the steadier figure.
/// </summary>
public static class Speed
{
    public sealed record Result(double PackageMs, double BuiltinMs, double MedianRatio, double RatioP25, double RatioP75,
        double PackageFaultsPerStep, double BuiltinFaultsPerStep, int Blocks);

    public static Result Measure(TrainConfig config, MnistData data, Device device, int blocks, int stepsPerBlock, int warmupBlocks)
    {
        torch.manual_seed(config.Seed);
        using var package = new MnistCnn(config.Activation, builtin: false);
        using var builtin = new MnistCnn(config.Activation, builtin: true);
        // Same initial weights: the built-in counterparts have the same parameters (PReLU, Swish) in the same places.
        builtin.load_state_dict(package.state_dict());
        package.to(device); builtin.to(device);
        using var packageOptimizer = Trainer.MakeOptimizer(config.Optimizer, package, config.Lr);
        using var builtinOptimizer = Trainer.MakeOptimizer(config.Optimizer, builtin, config.Lr);
        var train = data.Train.Take(config.Limit);
        long batches = train.Count / config.BatchSize;
        if (batches < 1) throw new ArgumentException($"--batch-size {config.BatchSize} is larger than the {train.Count} training images.");

        long next = 0;
        (double Ms, long Faults) Block(MnistCnn model, TorchSharp.Modules.OptimizerHelper optimizer, long first)
        {
            long faults = MinorFaults();
            var watch = Stopwatch.StartNew();
            for (int i = 0; i < stepsPerBlock; i++) {
                using var scope = torch.NewDisposeScope();
                long start = (first + i) % batches * config.BatchSize;
                var (xs, ys) = train.Slice(start, config.BatchSize);
                Trainer.Step(model, optimizer, xs.to(device), ys.to(device));
            }
            return (watch.Elapsed.TotalMilliseconds / stepsPerBlock, (MinorFaults() - faults) / stepsPerBlock);
        }

        var packageMs = new List<double>(); var builtinMs = new List<double>(); var ratios = new List<double>();
        var packageFaults = new List<double>(); var builtinFaults = new List<double>();
        Ui.Run($"speed: {config.Activation}, package vs built-in", warmupBlocks + blocks, report => {
            for (int k = 0; k < warmupBlocks + blocks; k++) {
                // Alternate which side goes first, so neither always runs on the other's heap state.
                (double Ms, long Faults) p, b;
                if (k % 2 == 0) { p = Block(package, packageOptimizer, next); b = Block(builtin, builtinOptimizer, next); }
                else { b = Block(builtin, builtinOptimizer, next); p = Block(package, packageOptimizer, next); }
                next += stepsPerBlock;
                if (k >= warmupBlocks) {
                    packageMs.Add(p.Ms); builtinMs.Add(b.Ms); ratios.Add(p.Ms / b.Ms);
                    packageFaults.Add(p.Faults); builtinFaults.Add(b.Faults);
                }
                report(k + 1, k >= warmupBlocks ? string.Create(CultureInfo.InvariantCulture, $"ratio {p.Ms / b.Ms:F3}") : "warm-up");
            }
            return 0;
        });
        return new Result(Quantile(packageMs, 0.5), Quantile(builtinMs, 0.5), Quantile(ratios, 0.5), Quantile(ratios, 0.25), Quantile(ratios, 0.75),
            Quantile(packageFaults, 0.5), Quantile(builtinFaults, 0.5), blocks);
    }

    public static double Quantile(IReadOnlyList<double> xs, double q)
    {
        if (xs.Count == 0) return double.NaN;
        var sorted = xs.OrderBy(x => x).ToArray();
        double pos = q * (sorted.Length - 1);
        int lo = (int)Math.Floor(pos), hi = (int)Math.Ceiling(pos);
        return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
    }

    /// <summary>The process's minor page faults so far (field 10 of /proc/self/stat), or 0 where there is no /proc.</summary>
    static long MinorFaults()
    {
        const string stat = "/proc/self/stat";
        if (!File.Exists(stat)) return 0;
        var text = File.ReadAllText(stat);
        // Fields after the command name, which is in parentheses and may contain spaces.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }

    public static int Run(TrainConfig config, int blocks, int stepsPerBlock, int warmupBlocks, bool download, TextWriter output)
    {
        var device = Trainer.ResolveDevice(config.Device);
        using var data = MnistLoader.Load(config.Data, download ? config.DataSet.CreateDownloader() : null, config.DataSet);
        var r = Measure(config, data, device, blocks, stepsPerBlock, warmupBlocks);
        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv,
            $"{config.Activation}, batch {config.BatchSize}, {config.Optimizer}, torch threads {torch.get_num_threads()}, {r.Blocks} blocks of {stepsPerBlock} steps after {warmupBlocks} warm-up blocks:"));
        output.WriteLine(string.Create(inv, $"  package  {r.PackageMs,8:F2} ms/step (median), {r.PackageFaultsPerStep,8:F0} page faults/step"));
        output.WriteLine(string.Create(inv, $"  built-in {r.BuiltinMs,8:F2} ms/step (median), {r.BuiltinFaultsPerStep,8:F0} page faults/step"));
        output.WriteLine(string.Create(inv, $"  package / built-in per block: median {r.MedianRatio:F3} (quartiles {r.RatioP25:F3} to {r.RatioP75:F3})"));
        return 0;
    }
}
