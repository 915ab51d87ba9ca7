using System.Reflection;
using System.Runtime.InteropServices;
using TorchSharp;
using static TorchSharp.torch;

namespace TorchActivations.Benchmarks;

/// <summary>
/// Bytes per element that a recorded call keeps alive for backward, measured the same way for both sides:
/// the resident set size (RSS) of the process while N graphs are held, each built as
/// <c>x = leaf * 1; y = f(x); z = y * 1</c>, keeping only <c>z</c>. Multiplying by a scalar saves nothing
/// (derivatives.yaml: mul.Scalar keeps only the scalar), so once the handles of <c>x</c> and <c>y</c> are
/// released, what stays besides <c>z</c> is exactly what <c>f</c>'s node saved: the input, the output,
/// masks or buffers. RSS resolves this because glibc is told to serve every allocation ≥ 64 KiB by mmap,
/// returned to the system on free, and tensors that are allocated but never written (TorchSharp's
/// output cache) do not count as resident.
/// </summary>
static class Memory
{
    [DllImport("libc", EntryPoint = "mallopt")]
    static extern int mallopt(int param, int value);

    const int M_TRIM_THRESHOLD = -1, M_MMAP_THRESHOLD = -3;

    public static void UseMmapForLargeAllocations()
    {
        try {
            mallopt(M_MMAP_THRESHOLD, 64 * 1024);
            mallopt(M_TRIM_THRESHOLD, 128 * 1024);
        } catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException) {
            Console.Error.WriteLine("mallopt is unavailable: memory figures may include allocator slack.");
        }
    }

    static long ResidentBytes()
    {
        // /proc/self/statm: size resident shared text lib data dt (pages)
        var fields = File.ReadAllText("/proc/self/statm").Split(' ');
        return long.Parse(fields[1]) * Environment.SystemPageSize;
    }

    /// <summary>Extra resident bytes per element while <paramref name="graphs"/> graphs of <paramref name="f"/> are held.</summary>
    public static double KeptBytesPerElement(Func<Tensor[], Tensor> f, BenchCase c, long[] shape, int graphs)
    {
        using var outer = torch.NewDisposeScope();
        var leaf = torch.randn(shape).requires_grad_(true);
        var extras = c.MakeExtras(leaf);
        long numel = leaf.numel();
        double outputBytes = leaf.element_size();

        // One graph first, so lazily allocated state (thread pools, JIT) is not charged to the function.
        using (torch.NewDisposeScope()) { var z = f([leaf * 1, .. extras]) * 1; }
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();

        long before = ResidentBytes();
        var kept = new List<Tensor>();
        for (int i = 0; i < graphs; i++) {
            using var scope = torch.NewDisposeScope();
            var x = leaf * 1;
            var y = f([x, .. extras]);
            kept.Add((y * 1).MoveToOuterDisposeScope());
        }
        GC.Collect(); GC.WaitForPendingFinalizers(); GC.Collect();
        long after = ResidentBytes();
        foreach (var z in kept) z.Dispose();
        return (after - before) / (double)(graphs * numel) - outputBytes;
    }

    /// <summary>
    /// What the package's definition adds to <c>save</c> in Forward, in bytes per element of the input,
    /// read through reflection on the internal definition behind a module; null when it cannot be read.
    /// </summary>
    public static double? CountedSavedBytesPerElement(string name, string spec, long[] shape)
    {
        try {
            var module = name == "rrelu" ? Activations.Create("leaky_relu(negative_slope=0.2291666)")   // evaluation rrelu is leaky_relu
                : Activations.Create(spec);
            var prop = FindProperty(module.GetType(), "Definition");
            if (prop is null) return null;
            var definition = prop.GetValue(module)!;
            using var scope = torch.NewDisposeScope();
            using var _ = torch.no_grad();
            var x = torch.randn(shape);
            var inputs = new List<Tensor> { x };
            if (name == "prelu") inputs.Add(torch.full(1, 0.25));
            // Forward(ReadOnlySpan<Tensor>, List<Tensor>?) is the one every definition implements.
            var method = definition.GetType().GetMethod("Forward", [typeof(ReadOnlySpan<Tensor>), typeof(List<Tensor>)]);
            if (method is null) return null;
            var forward = (ForwardSpan)Delegate.CreateDelegate(typeof(ForwardSpan), definition, method);
            var save = new List<Tensor>();
            forward(inputs.ToArray(), save);
            return save.Sum(t => (double)t.numel() * t.element_size()) / x.numel();
        } catch (Exception e) when (e is TargetInvocationException or ArgumentException or InvalidOperationException) {
            return null;
        }
    }

    delegate Tensor ForwardSpan(ReadOnlySpan<Tensor> inputs, List<Tensor>? save);

    static PropertyInfo? FindProperty(Type? t, string name)
    {
        for (; t is not null; t = t.BaseType) {
            var p = t.GetProperty(name, BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance | BindingFlags.DeclaredOnly);
            if (p is not null) return p;
        }
        return null;
    }
}
