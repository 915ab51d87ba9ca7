using System.Globalization;
using TrainingSoak;

namespace TrainingSoak.Tests;

public class SoakRunTests
{
    [Fact]
    public void A_short_synthetic_soak_of_two_activations_writes_a_table_of_positive_figures()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "TrainingSoak.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var options = SoakOptions.Parse(["--data", "synthetic", "--steps", "8", "--warmup", "2", "--batch-size", "8", "--activations", "relu,hardswish"]);
        var file = Path.Combine(Path.GetTempPath(), $"training-soak-{Environment.ProcessId}.md");
        try {
            var table = Orchestrator.Run(options with { Out = file }, new ChildLauncher(dotnet, [dll]), "test", TextWriter.Null);

            Assert.Equal(table, File.ReadAllText(file));
            var rows = Table.Parse(table);
            Assert.Equal(["relu built-in", "relu package", "hardswish built-in", "hardswish package"], rows.Select(r => $"{r["activation"]} {r["side"]}"));
            foreach (var row in rows) {
                Assert.Equal("8", row["steps"]);
                foreach (var column in new[] { "peak RSS MB", "RSS after warm-up MB", "RSS end MB", "ms/step" })
                    Assert.True(double.Parse(row[column], CultureInfo.InvariantCulture) > 0, $"{column} = {row[column]}");
                Assert.True(double.Parse(row["faults/step"], CultureInfo.InvariantCulture) >= 0);
                // The peak is the high-water mark, never below a sampled RSS.
                Assert.True(double.Parse(row["peak RSS MB"], CultureInfo.InvariantCulture) >= double.Parse(row["RSS end MB"], CultureInfo.InvariantCulture));
                Assert.Matches(row["side"] == "package" ? @"^(flat|GROWING).*, peak \d+\.\d\d× built-in" : "^(flat|GROWING)", row["verdict"]);
            }
        } finally {
            File.Delete(file);
        }
    }

    [Fact]
    public void An_activation_outside_the_element_wise_catalog_is_rejected_by_name()
    {
        var options = SoakOptions.Parse(["--data", "synthetic", "--activations", "softmax"]);
        var e = Assert.Throws<ArgumentException>(() => Orchestrator.Variants(options).ToArray());
        Assert.Contains("'softmax' is not an element-wise activation", e.Message);
    }
}
