using System.CommandLine;
using System.Globalization;
using System.CommandLine.Parsing;
using MnistDemo;
using TorchActivations;
using TorchSharp;

return Cli.Run(args);

namespace MnistDemo
{
    /// <summary>The command line: train (default), gradient-flow, compare, list.</summary>
    public static class Cli
    {
        public static int Run(string[] args, TextWriter? output = null, TextWriter? error = null)
        {
            var root = Build();
            var config = new InvocationConfiguration();
            if (output is not null) config.Output = output;
            if (error is not null) config.Error = error;
            var parsed = root.Parse(args);
            if (parsed.Action is System.CommandLine.Invocation.ParseErrorAction onError) onError.ShowHelp = false;
            return parsed.Invoke(config);
        }

        sealed class Common
        {
            public readonly Option<string?> Data = new("--data") {
                Description = "Directory with the four IDX files (raw or .gz); default $MNIST_DIR (mnist) or $FASHION_MNIST_DIR (fashion-mnist), else ./data/<dataset>.",
            };
            public readonly Option<string> DatasetName = new Option<string>("--dataset") {
                Description = "mnist or fashion-mnist: its normalization (mean/std) and where missing files are downloaded from.", DefaultValueFactory = _ => "mnist" }
                .AcceptOnlyFromAmong(Dataset.All.Select(d => d.Name).ToArray());

            public Dataset DatasetOf(ParseResult r) => Dataset.Find(r.GetValue(DatasetName)!);
            public string DataDir(ParseResult r) => r.GetValue(Data) ?? DatasetOf(r).DefaultDirectory();
            public readonly Option<bool> NoDownload = new("--no-download") { Description = "Do not try to download missing files; fail instead." };
            public readonly Option<int> Threads = Positive(new Option<int>("--threads") {
                Description = "torch.set_num_threads value (default: the number of cores).", DefaultValueFactory = _ => Environment.ProcessorCount });
            public readonly Option<bool> Plain = new("--plain") { Description = "Plain progress lines instead of progress bars (automatic when output is not a terminal or CI=true)." };
            public readonly Option<string> Out = new("--out") { Description = "Output directory.", DefaultValueFactory = _ => "runs" };
            public readonly Option<string> Allocator = new Option<string>("--allocator") {
                Description = "tuned: TorchActivations.NativeAllocator.TuneForTensors() (glibc's mmap/trim thresholds, Linux only; see docs/performance.md); default: leave glibc's allocator as it is.",
                DefaultValueFactory = _ => "tuned" }.AcceptOnlyFromAmong("tuned", "default");

            public void AddTo(Command c, bool output = true) { c.Add(Data); c.Add(DatasetName); c.Add(NoDownload); c.Add(Threads); c.Add(Plain); c.Add(Allocator); if (output) c.Add(Out); }

            public void Apply(ParseResult r)
            {
                Ui.Plain = r.GetValue(Plain);
                torch.set_num_threads(r.GetValue(Threads));
                var allocator = r.GetValue(Allocator) == "tuned" ? NativeAllocator.TuneForTensors().Reason : "glibc's defaults (--allocator default)";
                Console.WriteLine($"Allocator: {allocator}");
            }
        }

        static Option<int> Positive(Option<int> o, int min = 1)
        {
            o.Validators.Add(r => {
                if (TryGet<int>(r) is { } v && v < min) r.AddError($"{o.Name} must be at least {min}, not {v}.");
            });
            return o;
        }

        /// <summary>The option's value, or null when it does not convert (that error is already reported by the parser).</summary>
        static T? TryGet<T>(OptionResult r) where T : struct
        {
            try { return r.GetValueOrDefault<T>(); } catch (InvalidOperationException) { return null; }
        }

        static Option<double> PositiveDouble(Option<double> o)
        {
            o.Validators.Add(r => {
                if (TryGet<double>(r) is { } v && (!(v > 0) || double.IsInfinity(v))) r.AddError($"{o.Name} must be a positive number, not {v}.");
            });
            return o;
        }

        /// <summary>A named training recipe: the values it gives the options a command line leaves unset.</summary>
        public sealed record Preset(string Name, string Optimizer, double Lr, string Schedule, double Gamma, int Epochs, string Description);

        public static readonly Preset[] Presets = [
            new("default", "adam", 1e-3, "cosine", 0.7, 3, "Adam lr 1e-3, cosine decay to 0 over the run, 3 epochs (the train command's defaults)"),
            new("pytorch-example", "adadelta", 1.0, "step", 0.7, 14, "the PyTorch MNIST example's recipe: Adadelta lr 1.0, StepLR gamma 0.7 per epoch, 14 epochs"),
        ];

        sealed class TrainOptions
        {
            public readonly Option<string> Activation = new("--activation", "-a") {
                Description = "Hidden activation spec for conv1, conv2 and fc1, e.g. relu, \"elu(alpha=0.5)\" (see the list command).", DefaultValueFactory = _ => "relu" };
            public readonly Option<int> Epochs;
            public readonly Option<int> BatchSize = Positive(new Option<int>("--batch-size", "-b") { Description = "Batch size.", DefaultValueFactory = _ => 64 });
            public readonly Option<double> Lr = PositiveDouble(new Option<double>("--lr") { Description = "Learning rate (the schedule's starting value).", DefaultValueFactory = _ => 1e-3 });
            public readonly Option<string> Optimizer = new Option<string>("--optimizer") { Description = "adam, adamw, sgd (momentum 0.9), or adadelta (the PyTorch MNIST example's, used there with --lr 1.0).", DefaultValueFactory = _ => "adam" }
                .AcceptOnlyFromAmong(Trainer.Optimizers);
            public readonly Option<string> Schedule;
            public readonly Option<double> Gamma = PositiveDouble(new Option<double>("--gamma") { Description = "Learning-rate factor per epoch of --schedule step.", DefaultValueFactory = _ => 0.7 });
            public readonly Option<string?> PresetOption = new Option<string?>("--preset") {
                Description = "Named recipe; options given explicitly override its values. " + string.Join("; ", Presets.Select(p => $"{p.Name}: {p.Description}")) + "." }
                .AcceptOnlyFromAmong(Presets.Select(p => p.Name).ToArray());
            public readonly Option<int> Seed = new("--seed") { Description = "Random seed (weights, shuffling, dropout).", DefaultValueFactory = _ => 1 };
            public readonly Option<string> Device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" }.AcceptOnlyFromAmong("cpu", "cuda");
            public readonly Option<int?> Limit = new("--limit") { Description = "Train on the first N training images only." };
            public readonly Option<int?> TestLimit = new("--test-limit") { Description = "Test on the first N test images only (quick runs; default: all 10,000)." };
            public readonly Option<bool> Builtin = new("--builtin") { Description = "Use TorchSharp's built-in activation module of the same name and parameters instead of the package's." };

            public TrainOptions(int epochs, string schedule)
            {
                Epochs = Positive(new Option<int>("--epochs", "-e") { Description = "Epochs to train.", DefaultValueFactory = _ => epochs });
                Schedule = new Option<string>("--schedule") {
                    Description = "Learning-rate schedule: none (constant), cosine (per step from --lr down to 0 at the end of the last epoch), step (--lr x gamma^(epoch-1)).",
                    DefaultValueFactory = _ => schedule }.AcceptOnlyFromAmong(Trainer.Schedules);
                foreach (var o in new[] { Limit, TestLimit })
                    o.Validators.Add(r => { if (TryGet<int>(r) is < 1 and var v) r.AddError($"{o.Name} must be at least 1, not {v}."); });
            }

            public void AddTo(Command c, bool activation = true)
            {
                if (activation) { c.Add(Activation); }
                foreach (var o in new Option[] { Epochs, BatchSize, Lr, Optimizer, Schedule, Gamma, PresetOption, Seed, Device, Limit, TestLimit }) c.Add(o);
                if (activation) c.Add(Builtin);
            }

            public TrainConfig Read(ParseResult r, Common common)
            {
                var preset = r.GetValue(PresetOption) is { } p ? Presets.First(x => x.Name == p) : null;
                T Pick<T>(Option<T> o, Func<Preset, T> fromPreset) => preset is not null && !Given(r, o) ? fromPreset(preset) : r.GetValue(o)!;
                return new() {
                    Activation = r.GetValue(Activation)!, Epochs = Pick(Epochs, x => x.Epochs), BatchSize = r.GetValue(BatchSize), Lr = Pick(Lr, x => x.Lr),
                    Optimizer = Pick(Optimizer, x => x.Optimizer), Schedule = Pick(Schedule, x => x.Schedule), Gamma = Pick(Gamma, x => x.Gamma),
                    Seed = r.GetValue(Seed), Device = r.GetValue(Device)!, Limit = r.GetValue(Limit), TestLimit = r.GetValue(TestLimit),
                    Builtin = r.GetValue(Builtin), Threads = r.GetValue(common.Threads), Data = common.DataDir(r), Dataset = r.GetValue(common.DatasetName)!,
                };
            }
        }

        /// <summary>True when the option is on the command line (not just its default).</summary>
        static bool Given(ParseResult r, Option o) => r.GetResult(o) is { Implicit: false };

        /// <summary>A hidden option that only exists to turn a likely mistake into an error that says what to use instead.</summary>
        static Option<T> Misplaced<T>(string name, string alias, string message)
        {
            var o = alias.Length > 0 ? new Option<T>(name, alias) : new Option<T>(name);
            o.Hidden = true;
            o.Validators.Add(r => { if (!r.Implicit) r.AddError(message); });
            return o;
        }

        /// <summary>Runs a command body, turning expected failures into a message on stderr and a non-zero exit code.</summary>
        static int Guarded(ParseResult r, Func<int> body)
        {
            try {
                return body();
            } catch (Exception e) when (e is ArgumentException or MnistDataException or InvalidOperationException or IOException) {
                r.InvocationConfiguration.Error.WriteLine($"error: {e.Message}");
                return e is MnistDataException ? 3 : 2;
            }
        }

        static Command TrainCommandFor(Command command)
        {
            var common = new Common();
            var t = new TrainOptions(epochs: 3, schedule: "cosine");
            var name = new Option<string?>("--name") { Description = "Run name: files go to <out>/<name>/ (default: <activation>[-builtin]-s<seed>)." };
            var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in <out>/<name>/ up to --epochs." };
            common.AddTo(command); t.AddTo(command); command.Add(name); command.Add(resume);
            command.SetAction(r => Guarded(r, () => {
                common.Apply(r);
                var config = t.Read(r, common);
                Activations.Create(config.Activation).Dispose(); // validate the spec before loading data
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"train: {config.Activation}{(config.Builtin ? " (TorchSharp built-in)" : "")}, {config.Epochs} epoch(s), batch {config.BatchSize}, " +
                    $"{config.Optimizer} lr {config.Lr} schedule {Trainer.DescribeSchedule(config)}, seed {config.Seed}, {config.Device}, torch threads {torch.get_num_threads()}"));
                return TrainCommand.Run(config, r.GetValue(common.Out)!, r.GetValue(name), r.GetValue(resume), !r.GetValue(common.NoDownload));
            }));
            return command;
        }

        public static RootCommand Build()
        {
            var root = new RootCommand(
                "MNIST demo of TorchActivations: trains the PyTorch-example CNN with any of the package's activations, " +
                "measures gradient flow through deep MLPs, and compares activations (and the package against TorchSharp's built-ins). " +
                "Without a command it runs 'train'.");
            TrainCommandFor(root);
            root.Add(TrainCommandFor(new Command("train",
                "Train the CNN with one hidden activation (default recipe: Adam lr 1e-3, cosine decay, 3 epochs). " +
                "Writes <out>/<name>/: steps.csv, epochs.csv, summary.json, loss.png, model.bin, and the checkpoint optimizer.bin, checkpoint.json.")));
            root.Add(GradientFlowCommand());
            root.Add(CompareCommand());
            root.Add(SpeedCommand());
            var list = new Command("list", "List the activation names with their parameters and defaults.");
            list.SetAction(r => {
                foreach (var n in Activations.Names)
                    r.InvocationConfiguration.Output.WriteLine($"{Activations.Describe(n)}{ListNote(n)}");
                return 0;
            });
            root.Add(list);
            return root;
        }

        /// <summary>Why a non-element-wise activation is not offered for hidden layers, in terms of what its signature takes.</summary>
        public static string ListNote(string name) =>
            Activations.ElementwiseNames.Contains(name) ? ""
            : Activations.Describe(name).Contains("dim", StringComparison.Ordinal) ? "   (along a dim; not for hidden layers)"
            : "   (not element-wise; not for hidden layers)";

        static Command GradientFlowCommand()
        {
            var command = new Command("gradient-flow",
                "Per-layer weight-gradient norms of a deep MLP at initialization on one training batch, per activation. " +
                "Writes <out>/gradient-flow/: gradient-flow.md, gradient-flow.csv, gradient-flow.png.");
            var common = new Common();
            var depth = Positive(new Option<int>("--depth") { Description = "Number of linear layers.", DefaultValueFactory = _ => 20 }, 2);
            var width = Positive(new Option<int>("--width") { Description = "Hidden width.", DefaultValueFactory = _ => 128 });
            var batch = Positive(new Option<int>("--batch-size", "-b") { Description = "Batch size of the one batch.", DefaultValueFactory = _ => 64 });
            var seed = new Option<int>("--seed") { Description = "Random seed for the initial weights.", DefaultValueFactory = _ => 1 };
            var acts = new Option<string[]>("--activations") {
                Description = "Activation specs (default: every element-wise activation; threshold as threshold(threshold=0.1, value=0)).", AllowMultipleArgumentsPerToken = true };
            var builtin = new Option<bool>("--builtin") { Description = "Use TorchSharp's built-in modules." };
            common.AddTo(command); command.Add(depth); command.Add(width); command.Add(batch); command.Add(seed); command.Add(acts); command.Add(builtin);
            command.SetAction(r => Guarded(r, () => {
                common.Apply(r);
                var names = r.GetValue(acts) is { Length: > 0 } a ? a : ActivationFactory.DefaultElementwiseSpecs();
                foreach (var n in names) Activations.Create(n).Dispose();
                return GradientFlow.Run(names, r.GetValue(depth), r.GetValue(width), r.GetValue(batch), r.GetValue(seed), r.GetValue(builtin),
                    common.DataDir(r), !r.GetValue(common.NoDownload), r.GetValue(common.Out)!, common.DatasetOf(r));
            }));
            return command;
        }

        static Command SpeedCommand()
        {
            var command = new Command("speed",
                "Time the training step with the package's activation against TorchSharp's built-in: both in one process, in alternating blocks of steps on the same batches; " +
                "prints medians, the per-block ratio and page faults per step (writes no files).");
            var common = new Common();
            var t = new TrainOptions(epochs: 1, schedule: "none");
            var blocks = Positive(new Option<int>("--blocks") { Description = "Measured blocks per side.", DefaultValueFactory = _ => 40 });
            var steps = Positive(new Option<int>("--steps") { Description = "Training steps per block.", DefaultValueFactory = _ => 10 });
            var warmup = Positive(new Option<int>("--warmup") { Description = "Warm-up blocks per side, not measured.", DefaultValueFactory = _ => 4 }, 0);
            common.AddTo(command, output: false);
            foreach (var o in new Option[] { t.Activation, t.BatchSize, t.Lr, t.Optimizer, t.Seed, t.Device, t.Limit }) command.Add(o);
            command.Add(blocks); command.Add(steps); command.Add(warmup);
            command.SetAction(r => Guarded(r, () => {
                common.Apply(r);
                var config = new TrainConfig {
                    Activation = r.GetValue(t.Activation)!, BatchSize = r.GetValue(t.BatchSize), Lr = r.GetValue(t.Lr), Optimizer = r.GetValue(t.Optimizer)!,
                    Seed = r.GetValue(t.Seed), Device = r.GetValue(t.Device)!, Limit = r.GetValue(t.Limit), Threads = r.GetValue(common.Threads), Data = common.DataDir(r), Dataset = r.GetValue(common.DatasetName)!,
                };
                Activations.Create(config.Activation).Dispose();
                ActivationFactory.Builtin(config.Activation).Dispose();
                return Speed.Run(config, r.GetValue(blocks), r.GetValue(steps), r.GetValue(warmup), !r.GetValue(common.NoDownload), r.InvocationConfiguration.Output);
            }));
            return command;
        }

        static Command CompareCommand()
        {
            var command = new Command("compare",
                "Train the CNN once per activation and seed; --reference builtin also trains TorchSharp's built-ins and reports the differences. " +
                "Writes <out>/<name>/: compare.md, compare.csv, steps.csv, loss.png, accuracy.png.");
            var common = new Common();
            var t = new TrainOptions(epochs: 1, schedule: "none");
            var acts = new Option<string[]>("--activations") { Description = "Activation specs (default: every element-wise activation; threshold as threshold(threshold=0.1, value=0)).", AllowMultipleArgumentsPerToken = true };
            var seeds = Positive(new Option<int>("--seeds") { Description = "Seeds per activation (seed, seed+1, ...).", DefaultValueFactory = _ => 3 });
            var reference = new Option<string?>("--reference") { Description = "builtin: also train with TorchSharp's built-in modules under the same seeds." };
            reference.AcceptOnlyFromAmong("builtin");
            var name = new Option<string>("--name") { Description = "Output subdirectory.", DefaultValueFactory = _ => "compare" };
            var replot = new Option<bool>("--replot") {
                Description = "Train nothing: rewrite compare.md and the PNGs of <out>/<name>/ from its compare.csv and steps.csv (pass the run's --dataset, --limit, --test-limit, --batch-size, --optimizer, --lr, --schedule and --gamma for the header and titles; the rest comes from the CSV)." };
            common.AddTo(command); t.AddTo(command, activation: false);
            command.Add(acts); command.Add(seeds); command.Add(reference); command.Add(name); command.Add(replot);
            command.Add(Misplaced<string>("--activation", "-a", "compare takes --activations SPEC [SPEC...], not --activation/-a."));
            command.Add(Misplaced<bool>("--builtin", "", "compare trains the package's modules; --reference builtin adds TorchSharp's built-ins beside them."));
            command.Validators.Add(r => {
                if (r.GetValue(replot) is not true) return;
                var ignored = new Option[] { acts, seeds, reference, t.Seed, t.Device, t.Epochs, common.Data, common.NoDownload }
                    .Where(o => r.GetResult(o) is { Implicit: false }).Select(o => o.Name).ToArray();
                if (ignored.Length > 0) r.AddError($"--replot trains nothing and reads everything from compare.csv; remove {string.Join(", ", ignored)}.");
            });
            command.SetAction(r => Guarded(r, () => {
                common.Apply(r);
                var config = t.Read(r, common);
                if (r.GetValue(replot)) return Compare.Replot(config, Path.Combine(r.GetValue(common.Out)!, r.GetValue(name)!));
                var names = r.GetValue(acts) is { Length: > 0 } a ? a : ActivationFactory.DefaultElementwiseSpecs();
                foreach (var n in names) Activations.Create(n).Dispose();
                return Compare.Run(config, names, r.GetValue(seeds), r.GetValue(reference) == "builtin", Path.Combine(r.GetValue(common.Out)!, r.GetValue(name)!),
                    !r.GetValue(common.NoDownload));
            }));
            return command;
        }
    }
}
