using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.autograd;

namespace TorchActivations.Core;

/// <summary>
/// The one custom autograd function behind every activation of the package. The definition
/// travels as the last element of <c>vars</c> and in the context's data, never in a field: TorchSharp
/// shares a single instance of this class between all calls and threads.
/// </summary>
internal sealed class ActivationFunction : SingleTensorFunction<ActivationFunction>
{
    const string DefinitionKey = "definition";
    const string InputCountKey = "input count";

    public override string Name => "TorchActivations";

    /// <summary>
    /// The gradients this thread's last backward returned. TorchSharp copies each returned gradient into autograd's
    /// own reference and never disposes the managed handle, so the package does: at the start of this thread's next
    /// forward or backward, when autograd has long taken its copy. This frees them without relying on a dispose
    /// scope of the caller (backward may run where there is none), and per thread, so no lock is shared with
    /// autograd's threads.
    /// </summary>
    [ThreadStatic] static List<Tensor>? returnedGradients;

    static void ReleaseReturnedGradients()
    {
        var pending = returnedGradients;
        if (pending is null || pending.Count == 0) return;
        foreach (var t in pending) t.Dispose();
        pending.Clear();
    }

    /// <summary>Runs <paramref name="definition"/> under autograd and returns the recorded output.</summary>
    public static Tensor Apply(ActivationDefinition definition, Tensor[] inputs)
    {
        ReleaseReturnedGradients();
        var vars = new object[inputs.Length + 1];
        inputs.CopyTo(vars, 0);
        vars[^1] = definition;

        // Everything forward creates (temporaries, the raw output, the managed handles of saved
        // tensors, TorchSharp's per-node output cache) is released when this scope ends; autograd
        // holds its own references to what backward needs, so nothing else stays alive.
        using var scope = torch.NewDisposeScope();
        return apply(vars).MoveToOuterDisposeScope();
    }

    public override Tensor forward(AutogradContext ctx, params object[] vars)
    {
        var definition = (ActivationDefinition)vars[^1];
        var inputs = new Tensor[vars.Length - 1];
        for (int i = 0; i < inputs.Length; i++) inputs[i] = (Tensor)vars[i];

        var save = new List<Tensor>(3);
        var output = definition.Forward(inputs, save);
        // Saved last, after what the definition saved; as an output of this node autograd keeps it without a
        // reference cycle, and in a network the next layer usually keeps it anyway.
        if (definition.PiecewiseConstantDerivative) save.Add(output);
        ctx.save_for_backward(save);
        ctx.save_data(DefinitionKey, definition);
        ctx.save_data(InputCountKey, inputs.Length);
        // A gradient that never arrives stays undefined instead of being materialized as zeros
        // from a cached tensor the size of the output, which TorchSharp would otherwise keep alive.
        ctx.set_materialize_grads(false);
        return output;
    }

    /// <summary>
    /// <paramref name="value"/>, recorded as depending on <paramref name="anchor"/> with derivative 0: a select whose
    /// condition is false everywhere, exact for every value (a product with 0 would turn an infinite anchor into NaN).
    /// </summary>
    static Tensor TiedTo(Tensor value, Tensor anchor)
    {
        using var never = torch.zeros_like(value, dtype: ScalarType.Bool);
        return anchor.where(never, value);
    }

    public override List<Tensor> backward(AutogradContext ctx, Tensor grad_output)
    {
        ReleaseReturnedGradients();
        var definition = (ActivationDefinition)ctx.get_data(DefinitionKey);
        int inputCount = (int)ctx.get_data(InputCountKey);
        // One entry per element of vars: each input's gradient, then null for the definition.
        var result = new List<Tensor>(inputCount + 1);
        bool returnsIncoming = false;
        if (grad_output is not null && !grad_output.IsInvalid) {
            using (torch.NewDisposeScope()) {
                var saved = ctx.get_saved_variables();
                Tensor? output = null;
                if (definition.PiecewiseConstantDerivative) {
                    output = saved[^1];
                    saved.RemoveAt(saved.Count - 1);
                }
                // Grad mode is on in backward only under create_graph, when autograd records it: then the differentiable
                // form, otherwise the definition's fastest.
                bool recorded = torch.is_grad_enabled();
                var gradients = (recorded ? null : definition.UnrecordedBackwardAll(grad_output, saved))
                                ?? definition.BackwardAll(grad_output, saved);
                // Recorded: tie the input gradient to the output, so that its derivative with respect to the input
                // exists and is 0.
                if (output is not null && recorded && gradients[0] is { } first)
                    gradients[0] = TiedTo(first, output);
                foreach (var g in gradients) {
                    result.Add(g?.DetachFromDisposeScope()!);
                    returnsIncoming |= ReferenceEquals(g, grad_output);
                }
            }
        }
        // An undefined output gradient means no gradient flows to any input.
        while (result.Count < inputCount + 1) result.Add(null!);

        var pending = returnedGradients ??= new List<Tensor>(4);
        foreach (var g in result)
            if (g is not null) pending.Add(g);
        // TorchSharp wraps the incoming gradient in a fresh handle for this call alone; left to the caller's
        // scope (or, without one, to a finalizer) it would keep the gradient's memory alive until then.
        if (grad_output is not null && !returnsIncoming) grad_output.Dispose();
        return result;
    }
}
