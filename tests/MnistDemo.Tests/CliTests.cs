using System.Diagnostics;
using TorchActivations;

namespace MnistDemo.Tests;

public class CliTests
{
    static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        Ui.Plain = true;
        int code = Cli.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData("train")]
    [InlineData("")]
    [InlineData("compare")]
    [InlineData("gradient-flow")]
    [InlineData("speed")]
    public void Unknown_activation_lists_the_valid_names_and_fails(string command)
    {
        var dir = IdxWriter.WriteSet();
        string[] args = command switch {
            "" => ["--activation", "swishy", "--data", dir, "--no-download"],
            "train" or "speed" => [command, "--activation", "swishy", "--data", dir, "--no-download"],
            _ => [command, "--activations", "relu", "swishy", "--data", dir, "--no-download"],
        };
        var (code, _, err) = Run(args);
        Assert.NotEqual(0, code);
        Assert.Contains("Unknown activation 'swishy'", err);
        foreach (var name in Activations.Names) Assert.Contains(name, err);
    }

    [Theory]
    [InlineData("train", "--epochs", "0")]
    [InlineData("train", "--epochs", "many")]
    [InlineData("train", "--batch-size", "-3")]
    [InlineData("train", "--lr", "0")]
    [InlineData("train", "--lr", "abc")]
    [InlineData("train", "--optimizer", "rmsprop")]
    [InlineData("train", "--device", "tpu")]
    [InlineData("train", "--limit", "0")]
    [InlineData("train", "--threads", "0")]
    [InlineData("train", "--bogus", "1")]
    [InlineData("gradient-flow", "--depth", "1")]
    [InlineData("gradient-flow", "--width", "0")]
    [InlineData("compare", "--seeds", "0")]
    [InlineData("compare", "--reference", "numpy")]
    [InlineData("speed", "--blocks", "0")]
    [InlineData("speed", "--steps", "0")]
    [InlineData("speed", "--warmup", "-1")]
    [InlineData("speed", "--epochs", "2")]
    [InlineData("nonsense-command", "--epochs", "1")]
    public void Bad_argument_values_fail(string command, string option, string value)
    {
        var (code, _, err) = Run(command, option, value, "--data", "/nonexistent", "--no-download");
        Assert.NotEqual(0, code);
        Assert.NotEmpty(err);
    }

    [Fact]
    public void Speed_times_package_and_builtin_steps_side_by_side()
    {
        var dir = IdxWriter.WriteSet(train: 64, test: 20);
        var (code, output, err) = Run("speed", "--data", dir, "--no-download", "--activation", "leaky_relu(negative_slope=0.2)",
            "--batch-size", "16", "--blocks", "3", "--steps", "2", "--warmup", "1", "--threads", "1", "--plain");
        Assert.True(code == 0, err);
        Assert.Contains("3 blocks of 2 steps after 1 warm-up blocks", output);
        Assert.Matches(@"package +[0-9.]+ ms/step", output);
        Assert.Matches(@"built-in +[0-9.]+ ms/step", output);
        Assert.Matches(@"per block: median [0-9.]+ \(quartiles [0-9.]+ to [0-9.]+\)", output);
    }

    [Fact]
    public void Speed_rejects_a_batch_larger_than_the_training_set()
    {
        var dir = IdxWriter.WriteSet(train: 64, test: 20);
        var (code, _, err) = Run("speed", "--data", dir, "--no-download", "--batch-size", "100", "--blocks", "1", "--threads", "1");
        Assert.Equal(2, code);
        Assert.Contains("--batch-size 100 is larger than the 64 training images", err);
    }

    [Fact]
    public void Quantile_interpolates_between_order_statistics()
    {
        Assert.Equal(2.5, Speed.Quantile([4, 1, 3, 2], 0.5));
        Assert.Equal(1.75, Speed.Quantile([4, 1, 3, 2], 0.25));
        Assert.Equal(7, Speed.Quantile([7], 0.75));
        Assert.True(double.IsNaN(Speed.Quantile([], 0.5)));
    }

    [Fact]
    public void Cuda_without_cuda_is_a_clear_error()
    {
        if (TorchSharp.torch.cuda.is_available()) return; // nothing to check on a GPU machine
        var dir = IdxWriter.WriteSet();
        var (code, _, err) = Run("train", "--device", "cuda", "--data", dir, "--no-download", "--out", IdxWriter.TempDir());
        Assert.NotEqual(0, code);
        Assert.Contains("torch.cuda.is_available() is false", err);
    }

    [Fact]
    public void Bad_data_is_reported_with_the_file_and_a_nonzero_exit()
    {
        var dir = IdxWriter.WriteSet();
        IdxWriter.Write(dir, MnistLoader.TrainLabels, IdxWriter.Labels(IdxWriter.LabelsSequence(7)), gzip: false);
        var (code, _, err) = Run("train", "--data", dir, "--no-download", "--out", IdxWriter.TempDir());
        Assert.NotEqual(0, code);
        Assert.Contains("200 images", err);
        Assert.Contains(MnistLoader.TrainLabels, err);
    }

    [Fact]
    public void Help_lists_the_commands()
    {
        var (code, output, _) = Run("--help");
        Assert.Equal(0, code);
        foreach (var c in new[] { "train", "gradient-flow", "compare", "list", "--activation", "--builtin", "--resume" }) Assert.Contains(c, output);
    }

    [Fact]
    public void The_process_exits_nonzero_and_prints_the_names()
    {
        // The real executable, as `dotnet run` would start it.
        var dll = Path.Combine(AppContext.BaseDirectory, "MnistDemo.dll");
        var start = new ProcessStartInfo("dotnet", [dll, "train", "--activation", "swishy", "--no-download", "--data", "/nonexistent"]) {
            RedirectStandardError = true, RedirectStandardOutput = true,
        };
        using var process = Process.Start(start)!;
        var err = process.StandardError.ReadToEnd();
        process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.NotEqual(0, process.ExitCode);
        Assert.Contains("Valid names: relu, leaky_relu", err);
    }
}
