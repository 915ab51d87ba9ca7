using System.Text.Json;
using TorchActivations;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDemo.Tests;

public class TrainingTests
{
    [Fact]
    public void Train_writes_its_files_and_resume_continues()
    {
        var data = IdxWriter.WriteSet(train: 128, test: 40);
        var runs = IdxWriter.TempDir();
        var output = new StringWriter();
        void Ok(string[] args) { int code = Cli.Run(args, output, output); Assert.True(code == 0, $"exit {code}: {output}"); }
        string[] common = ["train", "--data", data, "--no-download", "--out", runs, "--batch-size", "32", "--threads", "1", "--plain"];
        // step, not the default cosine: extending a run with a larger --epochs keeps a step schedule's curve (cosine's would change).
        common = [.. common, "--schedule", "step"];
        Ok([.. common, "--name", "r", "--epochs", "1"]);
        var dir = Path.Combine(runs, "r");
        foreach (var f in new[] { "steps.csv", "epochs.csv", "summary.json", "loss.png", "model.bin", "optimizer.bin", "checkpoint.json" })
            Assert.True(File.Exists(Path.Combine(dir, f)), f);
        Assert.Equal(1 + 4, File.ReadAllLines(Path.Combine(dir, "steps.csv")).Length);
        using (var summary = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "summary.json")))) {
            var config = summary.RootElement.GetProperty("config");
            Assert.Equal("relu", config.GetProperty("Activation").GetString());
            Assert.Equal(32, config.GetProperty("BatchSize").GetInt32());
            Assert.False(Path.IsPathRooted(config.GetProperty("Data").GetString()), "summary.json holds a relative data path");
        }
        Assert.Empty(Directory.GetFiles(dir, "*.tmp"));

        Ok([.. common, "--name", "r", "--epochs", "2", "--resume"]);
        var steps = File.ReadAllLines(Path.Combine(dir, "steps.csv"));
        Assert.Equal(1 + 8, steps.Length);
        Assert.StartsWith("8,2,", steps[^1]);
        Assert.Equal(1 + 2, File.ReadAllLines(Path.Combine(dir, "epochs.csv")).Length);

        // A resumed run equals an uninterrupted one: same shuffling, dropout and optimizer state.
        Ok([.. common, "--name", "straight", "--epochs", "2"]);
        Assert.Equal(steps, File.ReadAllLines(Path.Combine(runs, "straight", "steps.csv")));
    }

    [Fact]
    public void Resume_without_checkpoint_fails()
    {
        var data = IdxWriter.WriteSet(train: 32, test: 10);
        var err = new StringWriter();
        Assert.NotEqual(0, Cli.Run(["train", "--data", data, "--no-download", "--out", IdxWriter.TempDir(), "--resume"], new StringWriter(), err));
        Assert.Contains("no checkpoint", err.ToString());
    }

    [Fact]
    public void Builtin_counterparts_compute_the_same_function()
    {
        torch.manual_seed(0);
        var x = torch.randn(4, 50) * 3;
        foreach (var spec in ActivationFactory.DefaultElementwiseSpecs().Append("elu(alpha=0.5)").Append("leaky_relu(0.2)").Append("gelu(approximate=tanh)")) {
            using var mine = ActivationFactory.Package(spec);
            using var theirs = ActivationFactory.Builtin(spec);
            mine.eval(); theirs.eval(); // rrelu is random in training mode
            using var a = mine.call(x);
            using var b = theirs.call(x);
            Assert.True(a.allclose(b, rtol: 1e-5, atol: 1e-6), spec);
        }
    }

    [Fact]
    public void Sigmoid_first_layer_gradient_is_far_below_relu_at_depth_20()
    {
        torch.manual_seed(0);
        using var x = torch.randn(64, 1, 28, 28);
        using var y = torch.randint(0, 10, [64], dtype: ScalarType.Int64);
        var relu = GradientFlow.Measure("relu", 20, 128, x, y, seed: 1, builtin: false);
        var sigmoid = GradientFlow.Measure("sigmoid", 20, 128, x, y, seed: 1, builtin: false);
        Assert.Equal(20, relu.Length);
        Assert.True(relu[0] > 100 * sigmoid[0], $"relu {relu[0]:e3}, sigmoid {sigmoid[0]:e3}");
    }

    [Fact]
    public void Compare_writes_table_csv_and_plots_with_builtin_reference()
    {
        var data = IdxWriter.WriteSet(train: 64, test: 20);
        var runs = IdxWriter.TempDir();
        var output = new StringWriter();
        int code = Cli.Run(["compare", "--data", data, "--no-download", "--out", runs, "--activations", "relu", "heaviside",
            "--seeds", "2", "--batch-size", "32", "--reference", "builtin", "--threads", "1", "--plain"], output, output);
        Assert.Equal(0, code);
        var dir = Path.Combine(runs, "compare");
        var md = File.ReadAllText(Path.Combine(dir, "compare.md"));
        Assert.Contains("| relu | 2 |", md);
        Assert.Contains("| heaviside | 2 |", md);
        Assert.Contains("max loss-curve diff", md);
        Assert.Equal(1 + 2 * 2 * 2, File.ReadAllLines(Path.Combine(dir, "compare.csv")).Length);
        Assert.True(File.Exists(Path.Combine(dir, "loss.png")));
        Assert.True(File.Exists(Path.Combine(dir, "accuracy.png")));
    }

    [Fact]
    public void Replot_merges_comparisons_run_as_separate_processes_into_one_table()
    {
        var data = IdxWriter.WriteSet(train: 64, test: 20);
        var runs = IdxWriter.TempDir();
        var output = new StringWriter();
        foreach (var (shard, act) in new[] { ("a", "tanh"), ("b", "relu") })
            Assert.Equal(0, Cli.Run(["compare", "--data", data, "--no-download", "--out", runs, "--name", shard, "--activations", act,
                "--seeds", "2", "--batch-size", "32", "--threads", "1", "--plain"], output, output));
        var merged = Path.Combine(runs, "merged");
        Directory.CreateDirectory(merged);
        foreach (var file in new[] { "compare.csv", "steps.csv" }) {
            var a = File.ReadAllLines(Path.Combine(runs, "a", file));
            var b = File.ReadAllLines(Path.Combine(runs, "b", file));
            File.WriteAllLines(Path.Combine(merged, file), a.Concat(b.Skip(1)));
        }
        Assert.Equal(0, Cli.Run(["compare", "--out", runs, "--name", "merged", "--replot"], output, output));
        var md = File.ReadAllLines(Path.Combine(merged, "compare.md"));
        // Name, seeds, final train loss, accuracy (the seconds columns are re-rounded from the CSV's milliseconds).
        static string Head(string row) => string.Join("|", row.Split('|').Take(5));
        string Row(string dir, string act) => Head(File.ReadAllLines(Path.Combine(runs, dir, "compare.md")).Single(l => l.StartsWith($"| {act} |")));
        // The library's order (relu before tanh), and each row as its shard computed it.
        var rows = md.Where(l => l.StartsWith("| relu |") || l.StartsWith("| tanh |")).Select(Head).ToArray();
        Assert.Equal([Row("b", "relu"), Row("a", "tanh")], rows);
        Assert.True(File.Exists(Path.Combine(merged, "loss.png")));
        Assert.True(File.Exists(Path.Combine(merged, "accuracy.png")));
    }

    [Fact]
    public void MeanStd_and_MaxDifference()
    {
        Assert.Equal((2.0, 1.0), Compare.MeanStd([1.0, 2.0, 3.0]));
        var a = new RunHistory(); a.Steps.Add(new StepLoss(1, 1, 0.5)); a.Steps.Add(new StepLoss(2, 1, 0.4)); a.Epochs.Add(new EpochMetrics(1, 0, 0, 0.90, 1, 0));
        var b = new RunHistory(); b.Steps.Add(new StepLoss(1, 1, 0.5)); b.Steps.Add(new StepLoss(2, 1, 0.1)); b.Epochs.Add(new EpochMetrics(1, 0, 0, 0.95, 1, 0));
        var (loss, acc) = Compare.MaxDifference([new("relu", false, 1, a)], [new("relu", true, 1, b)]);
        Assert.Equal(0.3, loss, 9);
        Assert.Equal(0.05, acc, 9);
    }
}
