using TorchActivations.Modules;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Tests;

public class LookupTests
{
    [Fact]
    public void Every_name_creates_a_module_that_runs()
    {
        var x = torch.randn(2, 4, 3, 2);
        foreach (var name in Activations.Names) {
            var spec = name switch {
                "threshold" => "threshold(0.1, 20)",
                "softmax2d" => name,
                _ when !Activations.ElementwiseNames.Contains(name) => $"{name}(dim=1)",
                _ => name,
            };
            var module = Activations.Create(spec);
            // The gated units halve their dim.
            var expected = name is "glu" or "swiglu" or "geglu" or "reglu" ? new long[] { 2, 2, 3, 2 } : x.shape;
            Assert.Equal(expected, module.call(x).shape);
        }
    }

    [Fact]
    public void The_names_and_the_table_cover_each_other()
    {
        Assert.Equal(Activations.Names.Count, Activations.Names.Distinct().Count());
        var tabled = ActivationTable.All.Select(c => c.Spec.Split('(', ' ')[0]).ToHashSet();
        foreach (var name in tabled) Assert.Contains(name, Activations.Names);
        // Every element-wise activation the lookup offers is specified by at least one row of the table.
        foreach (var name in Activations.ElementwiseNames) Assert.True(tabled.Contains(name), $"{name} has no row in ActivationTable.");
    }

    [Fact]
    public void Parameters_are_passed_by_name_or_position_and_defaults_fill_the_rest()
    {
        Assert.Equal(0.2, Assert.IsType<LeakyReLU>(Activations.Create("leaky_relu(negative_slope=0.2)")).negative_slope);
        Assert.Equal(0.5, Assert.IsType<ELU>(Activations.Create("elu(0.5)")).alpha);
        Assert.Equal(1.0, Assert.IsType<ELU>(Activations.Create("ELU")).alpha);
        Assert.Equal(TorchSharp.Modules.GELU.Approximate.tanh, Assert.IsType<GELU>(Activations.Create("gelu(approximate='tanh')")).approximate);
        var hardtanh = Assert.IsType<Hardtanh>(Activations.Create(" Hardtanh( max_val = 2 , min_val=-0.5 ) "));
        Assert.Equal((-0.5, 2.0), (hardtanh.min_val, hardtanh.max_val));
        Assert.Equal(-1, Assert.IsType<Softmax>(Activations.Create("softmax(dim=-1)")).dim);
        Assert.Equal(4, Assert.IsType<PReLU>(Activations.Create("prelu(num_parameters=4)")).num_parameters);
    }

    [Fact]
    public void An_unknown_name_lists_the_valid_names()
    {
        var e = Assert.Throws<ArgumentException>(() => Activations.Create("swishy"));
        Assert.Contains("swishy", e.Message);
        foreach (var name in Activations.Names) Assert.Contains(name, e.Message);
    }

    [Fact]
    public void An_unknown_parameter_lists_the_valid_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => Activations.Create("leaky_relu(slope=0.2)"));
        Assert.Contains("slope", e.Message);
        Assert.Contains("negative_slope=0.01", e.Message);
    }

    [Theory]
    [InlineData("softmax", "dim")]
    [InlineData("threshold(threshold=1)", "value")]
    public void A_missing_required_parameter_is_named(string spec, string missing) =>
        Assert.Contains(missing, Assert.Throws<ArgumentException>(() => Activations.Create(spec)).Message);

    [Theory]
    [InlineData("elu(alpha=abc)")]
    [InlineData("elu(alpha=1, alpha=2)")]
    [InlineData("elu(1, 2, 3)")]
    [InlineData("elu(alpha=1")]
    [InlineData("gelu(approximate=fast)")]
    [InlineData("")]
    [InlineData("(alpha=1)")]
    public void Malformed_specs_are_rejected_clearly(string spec)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => Activations.Create(spec));
        Assert.False(string.IsNullOrWhiteSpace(e.Message));
    }

    [Fact]
    public void Out_of_range_values_surface_as_the_factory_reports_them()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Activations.Create("celu(alpha=0)"));
        Assert.Equal("alpha", e.ParamName);
    }

    [Fact]
    public void Describe_shows_parameters_with_defaults() =>
        Assert.Equal("leaky_relu(negative_slope=0.01, inplace=false)", Activations.Describe("leaky_relu"));
}
