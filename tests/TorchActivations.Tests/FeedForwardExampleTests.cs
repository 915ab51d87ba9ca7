using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;

namespace TorchActivations.Tests;

/// <summary>
/// The LLaMA-style feed-forward block of docs/activations.md (Linear(d, 2h) → swiglu → Linear(h, d)) against the
/// same block written with separate projections and built-in ops, silu(x·W1ᵀ) ⊙ (x·W3ᵀ): same outputs and gradients
/// when the fused projection's first h rows are W3 (the value) and its last h rows W1 (the gated one).
/// </summary>
public class FeedForwardExampleTests
{
    const long D = 8, H = 12;

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void Fused_swiglu_block_equals_the_composed_llama_block(ScalarType dtype)
    {
        torch.manual_seed(7);
        // The block as a port writes it from a checkpoint with separate w1 (gate), w3 (value) and w2 (down).
        var w1 = nn.Linear(D, H, hasBias: false, dtype: dtype);
        var w3 = nn.Linear(D, H, hasBias: false, dtype: dtype);
        var w2 = nn.Linear(H, D, hasBias: false, dtype: dtype);
        Tensor Composed(Tensor x) => w2.call(nn.functional.silu(w1.call(x)) * w3.call(x));

        // The block with the package: one fused projection, value rows first.
        var up = nn.Linear(D, 2 * H, hasBias: false, dtype: dtype);
        var down = nn.Linear(H, D, hasBias: false, dtype: dtype);
        using (torch.no_grad()) {
            up.weight.copy_(torch.cat([w3.weight, w1.weight], 0));
            down.weight.copy_(w2.weight);
        }
        var block = nn.Sequential(("up", up), ("act", Activations.SwiGLU()), ("down", down));

        var x = torch.randn([5, 3, D], dtype: dtype, generator: new Generator(3));
        var g = torch.randn([5, 3, D], dtype: dtype, generator: new Generator(4));
        var xc = x.clone().requires_grad_(true);
        var xp = x.clone().requires_grad_(true);
        var yc = Composed(xc);
        var yp = block.call(xp);
        yc.backward([g]);
        yp.backward([g]);

        var (rtol, atol) = dtype == ScalarType.Float64 ? (1e-12, 1e-14) : (1e-5, 1e-6);
        TensorAssert.Close(yc, yp, rtol, atol, "block output");
        TensorAssert.Close(xc.grad!, xp.grad!, rtol, atol, "input gradient");
        TensorAssert.Close(w3.weight.grad!, up.weight.grad!.narrow(0, 0, H), rtol, atol, "W3 gradient = first half of the fused weight's");
        TensorAssert.Close(w1.weight.grad!, up.weight.grad!.narrow(0, H, H), rtol, atol, "W1 gradient = second half of the fused weight's");
        TensorAssert.Close(w2.weight.grad!, down.weight.grad!, rtol, atol, "W2 gradient");

        // The other chunk order computes something else: the order is not a matter of taste.
        using (torch.no_grad()) up.weight.copy_(torch.cat([w1.weight, w3.weight], 0));
        Assert.False(torch.allclose(Composed(x), block.call(x), rtol, atol), "swapped halves should change the output");
    }

    [Fact]
    public void Functional_form_of_the_block_matches_too()
    {
        var x = torch.randn([4, D], dtype: ScalarType.Float64, generator: new Generator(5));
        var wUp = torch.randn([2 * H, D], dtype: ScalarType.Float64, generator: new Generator(6));
        var wDown = torch.randn([D, H], dtype: ScalarType.Float64, generator: new Generator(7));
        var package = nn.functional.linear(F.swiglu(nn.functional.linear(x, wUp)), wDown);
        var w3 = wUp.narrow(0, 0, H);
        var w1 = wUp.narrow(0, H, H);
        var composed = nn.functional.linear(nn.functional.silu(nn.functional.linear(x, w1)) * nn.functional.linear(x, w3), wDown);
        TensorAssert.Close(composed, package, 1e-12, 1e-14, "functional block");
    }
}
