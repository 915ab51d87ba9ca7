using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDemo;

public sealed record TrainConfig
{
    public string Activation { get; init; } = "relu";
    public int Epochs { get; init; } = 1;
    public int BatchSize { get; init; } = 64;
    public double Lr { get; init; } = 1e-3;
    public string Optimizer { get; init; } = "adam";
    /// <summary>Learning-rate schedule: none, cosine (per step, from Lr down to 0 at the last step of Epochs) or step (Lr · Gamma^(epoch-1), PyTorch's StepLR with step_size 1).</summary>
    public string Schedule { get; init; } = "none";
    public double Gamma { get; init; } = 0.7;
    public int Seed { get; init; } = 1;
    public string Device { get; init; } = "cpu";
    public int? Limit { get; init; }
    public int? TestLimit { get; init; }
    public bool Builtin { get; init; }
    public int Threads { get; init; }
    public string Data { get; init; } = "";
    public string Dataset { get; init; } = "mnist";
    [System.Text.Json.Serialization.JsonIgnore] public Dataset DataSet => MnistDemo.Dataset.Find(Dataset);
}

/// <summary>One epoch: Seconds is the wall time of the training loop; CpuSeconds the process CPU time it used (steadier on a shared machine).</summary>
public sealed record EpochMetrics(int Epoch, double TrainLoss, double TestLoss, double Accuracy, double Seconds, double EvalSeconds, double CpuSeconds = double.NaN);

public sealed record StepLoss(long Step, int Epoch, double Loss);

public sealed class RunHistory
{
    public List<StepLoss> Steps { get; } = [];
    public List<EpochMetrics> Epochs { get; } = [];
}

public static class Trainer
{
    public static readonly string[] Optimizers = ["adam", "sgd", "adamw", "adadelta"];
    public static readonly string[] Schedules = ["none", "cosine", "step"];

    /// <summary>
    /// The learning rate for a step (0-based over the whole run) in an epoch (1-based): computed from the position
    /// alone, so a resumed run continues the same schedule without scheduler state.
    /// </summary>
    public static double LearningRate(TrainConfig config, int epoch, long step, long totalSteps) => config.Schedule switch {
        "none" => config.Lr,
        "cosine" => config.Lr * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(step, totalSteps) / Math.Max(1, totalSteps))),
        "step" => config.Lr * Math.Pow(config.Gamma, epoch - 1),
        _ => throw new ArgumentException($"Unknown schedule '{config.Schedule}'; use one of {string.Join(", ", Schedules)}.", nameof(config)),
    };

    public static string DescribeSchedule(TrainConfig config) => config.Schedule switch {
        "step" => string.Create(CultureInfo.InvariantCulture, $"step (gamma {config.Gamma})"),
        var other => other,
    };

    static void SetLearningRate(TorchSharp.Modules.OptimizerHelper optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }

    public static Device ResolveDevice(string name) => name.ToLowerInvariant() switch {
        "cpu" => torch.CPU,
        "cuda" => torch.cuda.is_available() ? torch.CUDA
            : throw new InvalidOperationException("--device cuda: torch.cuda.is_available() is false (no CUDA device, or this build uses the TorchSharp-cpu backend; build with -p:TorchBackend=cuda on a machine with a GPU)."),
        _ => throw new ArgumentException($"Unknown device '{name}'; use cpu or cuda."),
    };

    public static TorchSharp.Modules.OptimizerHelper MakeOptimizer(string name, nn.Module model, double lr) => name.ToLowerInvariant() switch {
        "adam" => optim.Adam(model.parameters(), lr),
        "adamw" => optim.AdamW(model.parameters(), lr),
        "sgd" => optim.SGD(model.parameters(), lr, momentum: 0.9),
        // The optimizer of the PyTorch MNIST example (there with lr 1.0).
        "adadelta" => optim.Adadelta(model.parameters(), lr),
        _ => throw new ArgumentException($"Unknown optimizer '{name}'; use one of {string.Join(", ", Optimizers)}."),
    };

    /// <summary>Reseeds torch's global generator deterministically per (seed, epoch), so a resumed run sees the same dropout masks and order.</summary>
    static long EpochSeed(int seed, int epoch) => seed * 1_000_003L + epoch;

    /// <summary>
    /// Trains <paramref name="model"/> from epoch <paramref name="firstEpoch"/> to config.Epochs (1-based, inclusive),
    /// appending to <paramref name="history"/>; <paramref name="afterEpoch"/> runs after each epoch (checkpointing).
    /// </summary>
    public static void Train(TrainConfig config, nn.Module<Tensor, Tensor> model, TorchSharp.Modules.OptimizerHelper optimizer, MnistData data, Device device,
        RunHistory history, int firstEpoch = 1, Action<EpochMetrics>? afterEpoch = null, string label = "train", bool quiet = false)
    {
        var train = data.Train.Take(config.Limit);
        long n = train.Count;
        long batches = (n + config.BatchSize - 1) / config.BatchSize;
        long step = history.Steps.Count == 0 ? 0 : history.Steps[^1].Step;

        long totalSteps = batches * config.Epochs;
        for (int epoch = firstEpoch; epoch <= config.Epochs; epoch++) {
            torch.manual_seed(EpochSeed(config.Seed, epoch));
            using var order = torch.randperm(n, dtype: ScalarType.Int64);
            model.train();
            var watch = Stopwatch.StartNew();
            var cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            double lossSum = 0;
            Ui.Run($"{label} epoch {epoch}/{config.Epochs}", batches, report => {
                for (long b = 0; b < batches; b++) {
                    using var scope = torch.NewDisposeScope();
                    long start = b * config.BatchSize, len = Math.Min(config.BatchSize, n - start);
                    var index = order.narrow(0, start, len);
                    var x = train.Images.index_select(0, index).to(device);
                    var y = train.Labels.index_select(0, index).to(device);
                    SetLearningRate(optimizer, LearningRate(config, epoch, (epoch - 1) * batches + b, totalSteps));
                    double value = Step(model, optimizer, x, y).item<float>();
                    lossSum += value;
                    history.Steps.Add(new StepLoss(++step, epoch, value));
                    report(b + 1, $"loss {value:F4}");
                }
            });
            double seconds = watch.Elapsed.TotalSeconds;
            double cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds;
            var eval = Stopwatch.StartNew();
            var (testLoss, accuracy) = Evaluate(model, data.Test.Take(config.TestLimit), device);
            var metrics = new EpochMetrics(epoch, lossSum / batches, testLoss, accuracy, seconds, eval.Elapsed.TotalSeconds, cpuSeconds);
            history.Epochs.Add(metrics);
            if (!quiet)
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{label} epoch {epoch}: train loss {metrics.TrainLoss:F4}, test loss {testLoss:F4}, test accuracy {accuracy * 100:F2}%, {seconds:F1} s training ({cpuSeconds:F1} s CPU; +{metrics.EvalSeconds:F1} s test)"));
            afterEpoch?.Invoke(metrics);
        }
    }

    /// <summary>One optimizer step on a batch; returns the batch's NLL loss (in the caller's dispose scope).</summary>
    public static Tensor Step(nn.Module<Tensor, Tensor> model, TorchSharp.Modules.OptimizerHelper optimizer, Tensor x, Tensor y)
    {
        optimizer.zero_grad();
        var loss = nn.functional.nll_loss(model.call(x), y);
        loss.backward();
        optimizer.step();
        return loss;
    }

    /// <summary>Mean NLL and accuracy on a split, in batches of 1000, without dropout or autograd.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, MnistSplit split, Device device, int batch = 1000)
    {
        model.eval();
        using var noGrad = torch.no_grad();
        double lossSum = 0; long correct = 0;
        for (long start = 0; start < split.Count; start += batch) {
            using var scope = torch.NewDisposeScope();
            long len = Math.Min(batch, split.Count - start);
            var (xs, ys) = split.Slice(start, len);
            var x = xs.to(device); var y = ys.to(device);
            var output = model.call(x);
            lossSum += nn.functional.nll_loss(output, y, reduction: nn.Reduction.Sum).item<float>();
            correct += output.argmax(1).eq(y).sum().item<long>();
        }
        model.train();
        return (lossSum / split.Count, (double)correct / split.Count);
    }
}

/// <summary>The <c>train</c> command: one run with its files in runs/&lt;name&gt;/ and checkpoint/resume.</summary>
public static class TrainCommand
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    sealed record Checkpoint(int Epoch, TrainConfig Config);

    public static int Run(TrainConfig config, string outDir, string? name, bool resume, bool download)
    {
        var device = Trainer.ResolveDevice(config.Device);
        name ??= $"{Sanitize(config.Activation)}{(config.Builtin ? "-builtin" : "")}-s{config.Seed}";
        var dir = Path.Combine(outDir, name);
        Directory.CreateDirectory(dir);
        var modelPath = Path.Combine(dir, "model.bin");
        var optimPath = Path.Combine(dir, "optimizer.bin");
        var checkpointPath = Path.Combine(dir, "checkpoint.json");

        using var data = MnistLoader.Load(config.Data, download ? config.DataSet.CreateDownloader() : null, config.DataSet);
        Console.WriteLine($"Data: {config.Dataset}, {data.Train.Count} training / {data.Test.Count} test images from {Path.GetFullPath(config.Data)}" +
                          (config.Limit is { } l && l < data.Train.Count ? $"; training on the first {l}" : ""));

        torch.manual_seed(config.Seed);
        using var model = new MnistCnn(config.Activation, config.Builtin);
        model.to(device);
        var optimizer = Trainer.MakeOptimizer(config.Optimizer, model, config.Lr);
        var history = new RunHistory();
        int firstEpoch = 1;

        if (resume) {
            if (!File.Exists(checkpointPath))
                throw new InvalidOperationException($"--resume: no checkpoint in {dir} (expected {checkpointPath}).");
            var checkpoint = JsonSerializer.Deserialize<Checkpoint>(File.ReadAllText(checkpointPath), Json)
                ?? throw new InvalidOperationException($"{checkpointPath}: empty checkpoint.");
            foreach (var (what, saved, now) in new[] {
                ("activation", checkpoint.Config.Activation, config.Activation), ("optimizer", checkpoint.Config.Optimizer, config.Optimizer),
                ("builtin", checkpoint.Config.Builtin.ToString(), config.Builtin.ToString()), ("schedule", checkpoint.Config.Schedule, config.Schedule),
                ("lr", checkpoint.Config.Lr.ToString("R", CultureInfo.InvariantCulture), config.Lr.ToString("R", CultureInfo.InvariantCulture)),
                ("gamma", checkpoint.Config.Gamma.ToString("R", CultureInfo.InvariantCulture), config.Gamma.ToString("R", CultureInfo.InvariantCulture)),
                ("batch size", checkpoint.Config.BatchSize.ToString(CultureInfo.InvariantCulture), config.BatchSize.ToString(CultureInfo.InvariantCulture)) })
                if (!string.Equals(saved, now, StringComparison.OrdinalIgnoreCase))
                    throw new InvalidOperationException($"--resume: the checkpoint in {dir} was trained with {what} {saved}, not {now}.");
            // The cosine schedule reaches 0 at the last step of the planned epochs; a different --epochs would jump to another curve.
            if (config.Schedule == "cosine" && checkpoint.Config.Epochs != config.Epochs)
                throw new InvalidOperationException($"--resume: the checkpoint in {dir} follows a cosine schedule over {checkpoint.Config.Epochs} epoch(s); " +
                    $"resume with --epochs {checkpoint.Config.Epochs}, or train with --schedule none or step to extend a run.");
            model.load(modelPath);
            optimizer.load_state_dict(optimPath);
            ReadHistory(dir, checkpoint.Epoch, history);
            firstEpoch = checkpoint.Epoch + 1;
            Console.WriteLine($"Resuming {dir} after epoch {checkpoint.Epoch}.");
            if (firstEpoch > config.Epochs) Console.WriteLine($"Already trained for {checkpoint.Epoch} epoch(s); raise --epochs to continue.");
        }

        Trainer.Train(config, model, optimizer, data, device, history, firstEpoch, afterEpoch: metrics => {
            WriteHistory(dir, history);
            AtomicWrite(modelPath, tmp => model.save(tmp));
            AtomicWrite(optimPath, tmp => optimizer.save_state_dict(tmp));
            AtomicWrite(checkpointPath, tmp => File.WriteAllText(tmp, JsonSerializer.Serialize(new Checkpoint(metrics.Epoch, config), Json)));
        });

        var summary = new {
            // The data directory relative to where the run started, so the file holds nothing of this machine's layout.
            name, config = config with { Data = Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(config.Data)) }, torch_threads = torch.get_num_threads(), train_samples = data.Train.Take(config.Limit).Count, test_samples = data.Test.Take(config.TestLimit).Count,
            epochs = history.Epochs, final_test_accuracy = history.Epochs.LastOrDefault()?.Accuracy,
            seconds_per_epoch = history.Epochs.Count == 0 ? (double?)null : history.Epochs.Average(e => e.Seconds),
            cpu_seconds_per_epoch = history.Epochs.Count == 0 ? (double?)null : history.Epochs.Average(e => e.CpuSeconds),
            load_average = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : null,
        };
        AtomicWrite(Path.Combine(dir, "summary.json"), tmp => File.WriteAllText(tmp, JsonSerializer.Serialize(summary, Json)));
        Plots.LossCurve(Path.Combine(dir, "loss.png"), $"{config.Activation}{(config.Builtin ? " (built-in)" : "")}", history.Steps);
        Console.WriteLine($"Wrote {dir}/: steps.csv, epochs.csv, summary.json, loss.png, model.bin (checkpoint: optimizer.bin, checkpoint.json)");
        return 0;
    }

    public static string Sanitize(string s) => new(s.Select(c => char.IsLetterOrDigit(c) || c is '.' or '-' or '_' ? c : '_').ToArray());

    public static void AtomicWrite(string path, Action<string> write)
    {
        var temp = path + $".{Environment.ProcessId}.tmp";
        try {
            write(temp);
            File.Move(temp, path, overwrite: true);
        } finally {
            if (File.Exists(temp)) File.Delete(temp);
        }
    }

    static void WriteHistory(string dir, RunHistory history)
    {
        var inv = CultureInfo.InvariantCulture;
        AtomicWrite(Path.Combine(dir, "steps.csv"), tmp => File.WriteAllLines(tmp,
            history.Steps.Select(s => string.Create(inv, $"{s.Step},{s.Epoch},{s.Loss:R}")).Prepend("step,epoch,loss")));
        AtomicWrite(Path.Combine(dir, "epochs.csv"), tmp => File.WriteAllLines(tmp,
            history.Epochs.Select(e => string.Create(inv, $"{e.Epoch},{e.TrainLoss:R},{e.TestLoss:R},{e.Accuracy:R},{e.Seconds:F3},{e.EvalSeconds:F3},{e.CpuSeconds:F3}"))
                .Prepend("epoch,train_loss,test_loss,accuracy,seconds,eval_seconds,cpu_seconds")));
    }

    static void ReadHistory(string dir, int upToEpoch, RunHistory history)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (var line in File.ReadLines(Path.Combine(dir, "steps.csv")).Skip(1)) {
            var f = line.Split(',');
            var s = new StepLoss(long.Parse(f[0], inv), int.Parse(f[1], inv), double.Parse(f[2], inv));
            if (s.Epoch <= upToEpoch) history.Steps.Add(s);
        }
        foreach (var line in File.ReadLines(Path.Combine(dir, "epochs.csv")).Skip(1)) {
            var f = line.Split(',');
            var e = new EpochMetrics(int.Parse(f[0], inv), double.Parse(f[1], inv), double.Parse(f[2], inv), double.Parse(f[3], inv), double.Parse(f[4], inv), double.Parse(f[5], inv),
                f.Length > 6 ? double.Parse(f[6], inv) : double.NaN);
            if (e.Epoch <= upToEpoch) history.Epochs.Add(e);
        }
    }
}
