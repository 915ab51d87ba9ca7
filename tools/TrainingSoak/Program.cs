// Training soak: the demo's CNN trained on MNIST batches with each element-wise activation, the package's module
// against TorchSharp's built-in, each variant in its own process, in the environment a user's program gets.
// Measures peak and trend of resident memory, step time and page faults; writes a markdown table.
//
//   dotnet run -c Release --project tools/TrainingSoak -- --data DIR [--steps 300] [--warmup 50] [--activations relu,mish]
//       [--threads 1] [--no-scope] [--allocator-tuning on|off] [--batch-size 64] [--max-rss-mb 8192] [--out FILE.md]
//
// --data is a directory with the MNIST IDX files (raw or .gz; default $MNIST_DIR, else ./data/mnist), or "synthetic".
// --allocator-tuning on calls NativeAllocator.TuneForTensors() in each child first (default off: the allocator a user gets).
// --no-scope runs the step without a dispose scope, as many users write it: its tensors are then freed by finalizers.
// --max-rss-mb stops a variant whose resident memory passes the limit (reported as GROWING), so a run cannot exhaust the machine.
// The exit code is 1 when any variant grows or any package peak exceeds 1.10× the built-in's.
using TrainingSoak;

SoakOptions options;
try {
    options = SoakOptions.Parse(args);
} catch (ArgumentException e) {
    Console.Error.WriteLine(e.Message);
    return 2;
}

if (options.Side is not null) {
    Orchestrator.RunVariant(options, Console.Out);
    return 0;
}

var command = "dotnet run -c Release --project tools/TrainingSoak -- " + string.Join(" ", args);
var table = Orchestrator.Run(options, ChildLauncher.ForThisProcess(), command, Console.Out);
Console.WriteLine();
Console.WriteLine(table);
return table.Contains("GROWING", StringComparison.Ordinal) || table.Contains("(above", StringComparison.Ordinal) ? 1 : 0;
