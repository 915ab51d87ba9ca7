using System.CommandLine;
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
            public readonly Option<string> Data = new("--data") {
                Description = "Directory with the four IDX files (raw or .gz); default $MNIST_DIR, else ./data/mnist. Fashion-MNIST works too.",
                DefaultValueFactory = _ => MnistLoader.DefaultDirectory(),
            };
            public readonly Option<bool> NoDownload = new("--no-download") { Description = "Do not try to download missing files; fail instead." };
            public readonly Option<int> Threads = Positive(new Option<int>("--threads") {
                Description = "torch.set_num_threads value (default: the number of cores).", DefaultValueFactory = _ => Environment.ProcessorCount });
            public readonly Option<bool> Plain = new("--plain") { Description = "Plain progress lines instead of progress bars (automatic when output is not a terminal or CI=true)." };
            public readonly Option<string> Out = new("--out") { Description = "Output directory.", DefaultValueFactory = _ => "runs" };

            public void AddTo(Command c) { c.Add(Data); c.Add(NoDownload); c.Add(Threads); c.Add(Plain); c.Add(Out); }

            public void Apply(ParseResult r)
            {
                Ui.Plain = r.GetValue(Plain);
                torch.set_num_threads(r.GetValue(Threads));
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

        sealed class TrainOptions
        {
            public readonly Option<string> Activation = new("--activation", "-a") {
                Description = "Hidden activation spec for conv1, conv2 and fc1, e.g. relu, \"elu(alpha=0.5)\" (see the list command).", DefaultValueFactory = _ => "relu" };
            public readonly Option<int> Epochs = Positive(new Option<int>("--epochs", "-e") { Description = "Epochs to train.", DefaultValueFactory = _ => 1 });
            public readonly Option<int> BatchSize = Positive(new Option<int>("--batch-size", "-b") { Description = "Batch size.", DefaultValueFactory = _ => 64 });
            public readonly Option<double> Lr = PositiveDouble(new Option<double>("--lr") { Description = "Learning rate.", DefaultValueFactory = _ => 1e-3 });
            public readonly Option<string> Optimizer = new Option<string>("--optimizer") { Description = "adam, adamw, sgd (momentum 0.9), or adadelta (the PyTorch MNIST example's, used there with --lr 1.0).", DefaultValueFactory = _ => "adam" }
                .AcceptOnlyFromAmong(Trainer.Optimizers);
            public readonly Option<int> Seed = new("--seed") { Description = "Random seed (weights, shuffling, dropout).", DefaultValueFactory = _ => 1 };
            public readonly Option<string> Device = new Option<string>("--device") { Description = "cpu or cuda.", DefaultValueFactory = _ => "cpu" }.AcceptOnlyFromAmong("cpu", "cuda");
            public readonly Option<int?> Limit = new("--limit") { Description = "Train on the first N training images only." };
            public readonly Option<bool> Builtin = new("--builtin") { Description = "Use TorchSharp's built-in activation module of the same name and parameters instead of the package's." };

            public TrainOptions()
            {
                Limit.Validators.Add(r => { if (TryGet<int>(r) is < 1 and var v) r.AddError($"--limit must be at least 1, not {v}."); });
            }

            public void AddTo(Command c) { c.Add(Activation); c.Add(Epochs); c.Add(BatchSize); c.Add(Lr); c.Add(Optimizer); c.Add(Seed); c.Add(Device); c.Add(Limit); c.Add(Builtin); }

            public TrainConfig Read(ParseResult r, Common common) => new() {
                Activation = r.GetValue(Activation)!, Epochs = r.GetValue(Epochs), BatchSize = r.GetValue(BatchSize), Lr = r.GetValue(Lr),
                Optimizer = r.GetValue(Optimizer)!, Seed = r.GetValue(Seed), Device = r.GetValue(Device)!, Limit = r.GetValue(Limit),
                Builtin = r.GetValue(Builtin), Threads = r.GetValue(common.Threads), Data = r.GetValue(common.Data)!,
            };
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
            var t = new TrainOptions();
            var name = new Option<string?>("--name") { Description = "Run name: files go to <out>/<name>/ (default: <activation>[-builtin]-s<seed>)." };
            var resume = new Option<bool>("--resume") { Description = "Continue from the checkpoint in <out>/<name>/ up to --epochs." };
            common.AddTo(command); t.AddTo(command); command.Add(name); command.Add(resume);
            command.SetAction(r => Guarded(r, () => {
                common.Apply(r);
                var config = t.Read(r, common);
                Activations.Create(config.Activation).Dispose(); // validate the spec before loading data
                Console.WriteLine($"train: {config.Activation}{(config.Builtin ? " (TorchSharp built-in)" : "")}, {config.Epochs} epoch(s), batch {config.BatchSize}, " +
                                  $"{config.Optimizer} lr {config.Lr}, seed {config.Seed}, {config.Device}, torch threads {torch.get_num_threads()}");
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
            root.Add(TrainCommandFor(new Command("train", "Train the CNN with one hidden activation; writes metrics CSVs, summary.json, loss.png and the model to <out>/<name>/.")));
            root.Add(GradientFlowCommand());
            root.Add(CompareCommand());
            root.Add(SpeedCommand());
            var list = new Command("list", "List the activation names with their parameters and defaults.");
            list.SetAction(r => {
                foreach (var n in Activations.Names)
                    r.InvocationConfiguration.Output.WriteLine($"{Activations.Describe(n)}{(Activations.ElementwiseNames.Contains(n) ? "" : "   (along a dim; not for hidden layers)")}");
                return 0;
            });
            root.Add(list);
            return root;
        }

        static Command GradientFlowCommand()
        {
            var command = new Command("gradient-flow", "Per-layer weight-gradient norms of a deep MLP at initialization on one MNIST batch, per activation; a table and a log-scale PNG.");
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
                    r.GetValue(common.Data)!, !r.GetValue(common.NoDownload), r.GetValue(common.Out)!);
            }));
            return command;
        }

        static Command SpeedCommand()
        {
            var command = new Command("speed",
                "Time the training step with the package's activation against TorchSharp's built-in: both in one process, in alternating blocks of steps on the same batches; prints medians, the per-block ratio and page faults per step.");
            var common = new Common();
            var t = new TrainOptions();
            var blocks = Positive(new Option<int>("--blocks") { Description = "Measured blocks per side.", DefaultValueFactory = _ => 40 });
            var steps = Positive(new Option<int>("--steps") { Description = "Training steps per block.", DefaultValueFactory = _ => 10 });
            var warmup = Positive(new Option<int>("--warmup") { Description = "Warm-up blocks per side, not measured.", DefaultValueFactory = _ => 4 }, 0);
            common.AddTo(command);
            foreach (var o in new Option[] { t.Activation, t.BatchSize, t.Lr, t.Optimizer, t.Seed, t.Device, t.Limit }) command.Add(o);
            command.Add(blocks); command.Add(steps); command.Add(warmup);
            command.SetAction(r => Guarded(r, () => {
                common.Apply(r);
                var config = new TrainConfig {
                    Activation = r.GetValue(t.Activation)!, BatchSize = r.GetValue(t.BatchSize), Lr = r.GetValue(t.Lr), Optimizer = r.GetValue(t.Optimizer)!,
                    Seed = r.GetValue(t.Seed), Device = r.GetValue(t.Device)!, Limit = r.GetValue(t.Limit), Threads = r.GetValue(common.Threads), Data = r.GetValue(common.Data)!,
                };
                Activations.Create(config.Activation).Dispose();
                ActivationFactory.Builtin(config.Activation).Dispose();
                return Speed.Run(config, r.GetValue(blocks), r.GetValue(steps), r.GetValue(warmup), !r.GetValue(common.NoDownload), r.InvocationConfiguration.Output);
            }));
            return command;
        }

        static Command CompareCommand()
        {
            var command = new Command("compare", "Train the CNN once per activation and seed; writes a markdown table, a CSV and PNGs. --reference builtin also trains TorchSharp's built-ins and reports the differences.");
            var common = new Common();
            var t = new TrainOptions();
            var acts = new Option<string[]>("--activations") { Description = "Activation specs (default: every element-wise activation; threshold as threshold(threshold=0.1, value=0)).", AllowMultipleArgumentsPerToken = true };
            var seeds = Positive(new Option<int>("--seeds") { Description = "Seeds per activation (seed, seed+1, ...).", DefaultValueFactory = _ => 3 });
            var reference = new Option<string?>("--reference") { Description = "builtin: also train with TorchSharp's built-in modules under the same seeds." };
            reference.AcceptOnlyFromAmong("builtin");
            var name = new Option<string>("--name") { Description = "Output subdirectory.", DefaultValueFactory = _ => "compare" };
            var replot = new Option<bool>("--replot") { Description = "Only redraw the PNGs of <out>/<name>/ from its compare.csv and steps.csv (pass the same --limit for the titles)." };
            common.AddTo(command); t.AddTo(command); command.Add(acts); command.Add(seeds); command.Add(reference); command.Add(name); command.Add(replot);
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
