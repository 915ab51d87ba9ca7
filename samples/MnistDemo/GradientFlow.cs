using System.Globalization;
using System.Text;
using TorchSharp;
using static TorchSharp.torch;

namespace MnistDemo;

/// <summary>
/// The <c>gradient-flow</c> command: a deep MLP at initialization (TorchSharp's default Linear init), one MNIST
/// training batch, NLL loss, one backward pass; the L2 norm of each layer's weight gradient, per activation.
/// </summary>
public static class GradientFlow
{
    /// <summary>Per-layer weight-gradient norms (layer 1 = the input layer) for one activation.</summary>
    public static double[] Measure(string activation, int depth, int width, Tensor x, Tensor y, int seed, bool builtin)
    {
        torch.manual_seed(seed);
        using var model = new DeepMlp(activation, depth, width, builtin);
        using var scope = torch.NewDisposeScope();
        model.train();
        var loss = nn.functional.nll_loss(model.call(x), y);
        loss.backward();
        return model.Layers.Select(l => l.weight!.grad is { } g ? g.norm().item<float>() : 0.0).Select(v => (double)v).ToArray();
    }

    public static int Run(string[] names, int depth, int width, int batch, int seed, bool builtin, string dataDir, bool download, string outDir, Dataset? dataset = null)
    {
        dataset ??= Dataset.Mnist;
        using var data = MnistLoader.Load(dataDir, download ? dataset.CreateDownloader() : null, dataset);
        var (x, y) = data.Train.Slice(0, Math.Min(batch, data.Train.Count));
        Console.WriteLine($"gradient-flow: MLP of {depth} linear layers (784 → {width} × {depth - 1} → 10), default init, seed {seed}, " +
                          $"one batch of the first {x.shape[0]} {dataset.Name} training images, NLL loss; L2 norm of each layer's weight gradient. {(builtin ? "TorchSharp built-in activations." : "Package activations.")}");
        var results = Ui.Run("gradient-flow", names.Length, report => {
            var list = new List<(string Name, double[] Norms)>();
            for (int i = 0; i < names.Length; i++) {
                list.Add((names[i], Measure(names[i], depth, width, x, y, seed, builtin)));
                report(i + 1, names[i]);
            }
            return list;
        });

        var dir = Path.Combine(outDir, "gradient-flow");
        Directory.CreateDirectory(dir);
        var inv = CultureInfo.InvariantCulture;
        var csv = new StringBuilder("activation,layer,grad_norm\n");
        foreach (var (name, norms) in results)
            for (int l = 0; l < norms.Length; l++) csv.Append(inv, $"{Csv.Quote(name)},{l + 1},{norms[l]:R}\n");
        File.WriteAllText(Path.Combine(dir, "gradient-flow.csv"), csv.ToString());

        var table = Table(results, depth, width);
        Console.WriteLine();
        Console.WriteLine(table);
        File.WriteAllText(Path.Combine(dir, "gradient-flow.md"), table);
        Plots.LogLines(Path.Combine(dir, "gradient-flow.png"),
            $"Weight-gradient norm per layer at initialization (MLP depth {depth}, width {width}, one batch of {x.shape[0]})",
            "layer (1 = input layer); zero norms (no gradient at all) are not drawn", "||dL/dW|| (log10)", results);
        Console.WriteLine($"Wrote {dir}/: gradient-flow.md, gradient-flow.csv, gradient-flow.png");
        return 0;
    }

    public static string Table(IReadOnlyList<(string Name, double[] Norms)> results, int depth, int width)
    {
        var inv = CultureInfo.InvariantCulture;
        var relu = results.FirstOrDefault(r => r.Name.Equals("relu", StringComparison.OrdinalIgnoreCase)).Norms;
        int mid = depth / 2;
        var sb = new StringBuilder();
        sb.Append(inv, $"| activation | layer 1 | layer {mid} | layer {depth} | layer 1 / layer {depth} |{(relu is null ? "" : " layer 1 vs relu |")}\n");
        sb.Append($"| --- | ---: | ---: | ---: | ---: |{(relu is null ? "" : " ---: |")}\n");
        foreach (var (name, n) in results) {
            sb.Append(inv, $"| {name} | {n[0]:0.###e+00} | {n[mid - 1]:0.###e+00} | {n[^1]:0.###e+00} | {Ratio(n[0], n[^1])} |");
            if (relu is not null) sb.Append(inv, $" {Ratio(n[0], relu[0])} |");
            sb.Append('\n');
        }
        var sigmoid = results.FirstOrDefault(r => r.Name.Equals("sigmoid", StringComparison.OrdinalIgnoreCase)).Norms;
        if (relu is not null && sigmoid is not null)
            sb.Append(inv, $"\nFirst-layer gradient norm at depth {depth}, width {width}: relu {relu[0]:0.###e+00}, sigmoid {sigmoid[0]:0.###e+00}: relu / sigmoid = {relu[0] / sigmoid[0]:0.###e+00}.\n");
        return sb.ToString();
    }

    static string Ratio(double a, double b) => b == 0 ? (a == 0 ? "0/0" : "inf") : (a / b).ToString("0.###e+00", CultureInfo.InvariantCulture);
}
