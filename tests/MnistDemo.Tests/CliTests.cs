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

    [Theory]
    [InlineData("-a", "relu", "--activations")]
    [InlineData("--activation", "relu", "--activations")]
    [InlineData("--builtin", null, "--reference builtin")]
    public void Compare_rejects_the_train_only_options_instead_of_ignoring_them(string option, string? value, string hint)
    {
        var dir = IdxWriter.WriteSet(train: 32, test: 10);
        var outDir = IdxWriter.TempDir();
        string[] args = ["compare", option, .. value is null ? Array.Empty<string>() : [value], "--data", dir, "--no-download", "--out", outDir, "--threads", "1"];
        var (code, _, err) = Run(args);
        Assert.Equal(1, code);
        Assert.Contains(hint, err);
        Assert.Empty(Directory.GetFileSystemEntries(outDir)); // nothing was trained
    }

    [Theory]
    [InlineData("--activations", "relu")]
    [InlineData("--seeds", "2")]
    [InlineData("--epochs", "2")]
    [InlineData("--reference", "builtin")]
    [InlineData("--seed", "4")]
    [InlineData("--data", "somewhere")]
    public void Compare_replot_rejects_the_options_it_would_ignore(string option, string value)
    {
        var (code, _, err) = Run("compare", "--replot", option, value, "--out", IdxWriter.TempDir());
        Assert.Equal(1, code);
        Assert.Contains("--replot trains nothing", err);
        Assert.Contains(option, err);
    }

    [Fact]
    public void Speed_offers_no_output_directory_it_would_not_write()
    {
        var (code, help, _) = Run("speed", "--help");
        Assert.Equal(0, code);
        Assert.DoesNotContain("--out", help);
        Assert.Contains("writes no files", help);
        var (badCode, _, err) = Run("speed", "--out", "x", "--data", "/nonexistent", "--no-download");
        Assert.Equal(1, badCode);
        Assert.Contains("--out", err);
    }

    [Theory]
    [InlineData("train", "steps.csv, epochs.csv, summary.json, loss.png, model.bin")]
    [InlineData("compare", "compare.md, compare.csv, steps.csv, loss.png, accuracy.png")]
    [InlineData("gradient-flow", "gradient-flow.md, gradient-flow.csv, gradient-flow.png")]
    public void Each_command_help_lists_its_output_files(string command, string files)
    {
        var (code, help, _) = Run(command, "--help");
        Assert.Equal(0, code);
        Assert.Contains(files, help.ReplaceLineEndings(" ").Replace("  ", " "));
    }

    [Fact]
    public void List_says_along_a_dim_only_for_activations_that_take_a_dim()
    {
        var (code, output, _) = Run("list");
        Assert.Equal(0, code);
        var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var softmax2d = Assert.Single(lines, l => l.StartsWith("softmax2d"));
        Assert.DoesNotContain("dim", softmax2d);
        Assert.Contains("not element-wise", softmax2d);
        Assert.Contains("along a dim", Assert.Single(lines, l => l.StartsWith("softmax(")));
        Assert.DoesNotContain("not for hidden layers", Assert.Single(lines, l => l.StartsWith("relu(")));
    }

    [Fact]
    public void Plain_progress_prints_every_tenth_and_test_limit_tests_on_part_of_the_test_set()
    {
        var dir = IdxWriter.WriteSet(train: 200, test: 50);
        var runs = IdxWriter.TempDir();
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output); // the training loop prints its progress to the console
        int code;
        try {
            code = Cli.Run(["train", "--data", dir, "--no-download", "--out", runs, "--name", "r", "--epochs", "1", "--batch-size", "10",
                "--test-limit", "7", "--threads", "1", "--plain"], output, output);
        } finally {
            Console.SetOut(saved);
        }
        Assert.True(code == 0, output.ToString());
        var text = output.ToString();
        for (int pct = 0; pct <= 100; pct += 10) Assert.Contains($"({pct}%)", text);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(text, @"\(100%\)"));
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(runs, "r", "summary.json")));
        Assert.Equal(7, summary.RootElement.GetProperty("test_samples").GetInt32());
        // The accuracy is a count over 7 images: a multiple of 1/7.
        double accuracy = summary.RootElement.GetProperty("final_test_accuracy").GetDouble();
        Assert.Equal(0, accuracy * 7 - Math.Round(accuracy * 7), 9);
    }

    [Fact]
    public void Gradient_flow_progress_names_the_activation_on_every_line()
    {
        var dir = IdxWriter.WriteSet(train: 64, test: 10);
        var output = new StringWriter();
        var saved = Console.Out;
        Console.SetOut(output);
        int code;
        try {
            code = Cli.Run(["gradient-flow", "--data", dir, "--no-download", "--out", IdxWriter.TempDir(), "--depth", "3", "--width", "8",
                "--activations", "relu", "tanh", "--threads", "1", "--plain"], output, output);
        } finally {
            Console.SetOut(saved);
        }
        Assert.True(code == 0, output.ToString());
        var progress = output.ToString().Split('\n').Where(l => l.StartsWith("gradient-flow: ") && l.Contains('%')).ToList();
        Assert.Equal(["relu", "tanh"], progress.Select(l => System.Text.RegularExpressions.Regex.Match(l, @"%\) (\S+) \[").Groups[1].Value));
        Assert.EndsWith("(100%) tanh", progress[^1][..progress[^1].LastIndexOf(" [", StringComparison.Ordinal)]);
    }

    [Fact]
    public void Preset_fills_the_options_left_unset_and_explicit_options_win()
    {
        var dir = IdxWriter.WriteSet(train: 40, test: 10);
        var runs = IdxWriter.TempDir();
        var output = new StringWriter();
        int code = Cli.Run(["train", "--preset", "pytorch-example", "--epochs", "1", "--data", dir, "--no-download", "--out", runs, "--name", "p",
            "--batch-size", "20", "--threads", "1", "--plain"], output, output);
        Assert.True(code == 0, output.ToString());
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(Path.Combine(runs, "p", "summary.json")));
        var config = summary.RootElement.GetProperty("config");
        Assert.Equal("adadelta", config.GetProperty("Optimizer").GetString());
        Assert.Equal(1.0, config.GetProperty("Lr").GetDouble());
        Assert.Equal("step", config.GetProperty("Schedule").GetString());
        Assert.Equal(0.7, config.GetProperty("Gamma").GetDouble());
        Assert.Equal(1, config.GetProperty("Epochs").GetInt32()); // given explicitly: not the preset's 14
    }

    [Fact]
    public void Learning_rate_schedules_follow_their_formulas()
    {
        var cosine = new TrainConfig { Lr = 0.002, Schedule = "cosine", Epochs = 2 };
        Assert.Equal(0.002, Trainer.LearningRate(cosine, 1, 0, 100), 15);
        Assert.Equal(0.001, Trainer.LearningRate(cosine, 1, 50, 100), 15);
        Assert.Equal(0.002 * (1 + Math.Cos(Math.PI * 0.25)) / 2, Trainer.LearningRate(cosine, 1, 25, 100), 15);
        Assert.Equal(0, Trainer.LearningRate(cosine, 2, 100, 100), 15);
        var step = new TrainConfig { Lr = 1.0, Schedule = "step", Gamma = 0.7 };
        Assert.Equal(1.0, Trainer.LearningRate(step, 1, 5, 100));
        Assert.Equal(0.49, Trainer.LearningRate(step, 3, 5, 100), 15);
        Assert.Equal(0.01, Trainer.LearningRate(new TrainConfig { Lr = 0.01 }, 7, 5, 100));
        Assert.Throws<ArgumentException>("config", () => Trainer.LearningRate(new TrainConfig { Schedule = "warp" }, 1, 0, 10));
    }

    [Fact]
    public void Resuming_a_cosine_run_with_other_epochs_is_refused()
    {
        var data = IdxWriter.WriteSet(train: 40, test: 10);
        var runs = IdxWriter.TempDir();
        var output = new StringWriter();
        string[] common = ["train", "--data", data, "--no-download", "--out", runs, "--name", "c", "--batch-size", "20", "--threads", "1", "--plain"];
        Assert.Equal(0, Cli.Run([.. common, "--epochs", "1"], output, output));
        var err = new StringWriter();
        Assert.Equal(2, Cli.Run([.. common, "--epochs", "2", "--resume"], output, err));
        Assert.Contains("cosine schedule over 1 epoch(s)", err.ToString());
    }
}
