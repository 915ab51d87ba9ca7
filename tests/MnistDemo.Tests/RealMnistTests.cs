using TorchSharp;
using static TorchSharp.torch;

namespace MnistDemo.Tests;

public class RealMnistTests
{
    /// <summary>$MNIST_DIR, else ../shared/mnist beside the repository root (the folder holding TorchActivations.sln).</summary>
    public static string? FindMnist()
    {
        if (Environment.GetEnvironmentVariable("MNIST_DIR") is { Length: > 0 } env) return env;
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "TorchActivations.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "mnist"));
        return null;
    }

    static bool OnCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    [SkippableFact]
    public void Cnn_learns_real_mnist_above_90_percent()
    {
        var dir = FindMnist();
        bool present = dir is not null && MnistLoader.FileNames.All(n => MnistLoader.Find(dir, n) is not null);
        if (!present) {
            // On CI the data must be there: a missing data set fails the test instead of hiding it.
            Assert.False(OnCi, $"CI=true but MNIST was not found (looked in {dir ?? "(no repository root found)"}; set MNIST_DIR).");
            Skip.If(true, $"MNIST not found in {dir}; set MNIST_DIR to run this test.");
        }

        torch.set_num_threads(Math.Min(2, Environment.ProcessorCount));
        using var data = MnistLoader.Load(dir!);
        // 4,000 training images, 4 epochs of batch 64 = 252 Adam steps; tested on the first 2,000 test images.
        var config = new TrainConfig { Activation = "relu", Epochs = 4, BatchSize = 64, Lr = 1e-3, Seed = 1, Limit = 4000 };
        torch.manual_seed(config.Seed);
        // The example's CNN at a quarter of its width (8 and 16 channels, 64 hidden), to keep the test short on 2 cores.
        using var model = new MnistCnn(config.Activation, builtin: false, channels1: 8, channels2: 16, hidden: 64);
        using var optimizer = Trainer.MakeOptimizer(config.Optimizer, model, config.Lr);
        var history = new RunHistory();
        Ui.Plain = true;
        // A view of the first 2,000 test images; not disposed separately (data owns the storage).
        var subset = new MnistData(data.Train, data.Test.Take(2000));
        Trainer.Train(config, model, optimizer, subset, CPU, history, quiet: true);
        Assert.Equal(252, history.Steps.Count);
        var accuracy = history.Epochs[^1].Accuracy;
        Assert.True(accuracy > 0.90, $"test accuracy {accuracy:P2} after {history.Steps.Count} steps");
    }
}
