using TorchActivations.Core.Kernels;
using TorchActivations.Tests.Reliability;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchActivations.Functional;

namespace TorchActivations.Tests;

/// <summary>
/// The kernels split large tensors across torch's threads (torch.set_num_threads). Each element, softmax row and
/// summing chunk is computed alike whatever thread takes it, so one thread and several give the same bits: for
/// every activation of the table, on a tensor of 199,800 elements (rows of 333, so every split leaves tails), and
/// for the per-channel parameters' gradients. Runs alone: the thread count is the process's.
/// </summary>
[Collection(nameof(SerialReliability))]
public class ParallelKernelTests
{
    static readonly long[] Shape = [600, 333];

    static T WithThreads<T>(int threads, Func<T> run)
    {
        int before = torch.get_num_threads();
        torch.set_num_threads(threads);
        try { return run(); } finally { torch.set_num_threads(before); }
    }

    static void SameBits(Tensor expected, Tensor actual, string what) =>
        TensorAssert.Close(TensorAssert.Values(expected), TensorAssert.Values(actual), 0, 0, what);

    /// <summary>
    /// Every case but sigmoid and tanh, whose forward is torch's own kernel: libtorch runs its scalar tail at the end
    /// of each thread's range, which can differ from its vector body in the last bit, so torch's sigmoid itself
    /// changes with the thread count.
    /// </summary>
    public static IEnumerable<object[]> Cases() =>
        from c in ActivationTable.All
        where c.Spec is not ("sigmoid" or "tanh")
        from dtype in new[] { ScalarType.Float32, ScalarType.Float64 }
        select new object[] { c, dtype };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Several_threads_give_the_bits_of_one(ActivationCase c, ScalarType dtype)
    {
        var x = Harness.Inputs(c, Shape, dtype);
        var g = Harness.GradOutput(Shape, dtype);
        var (y1, dx1) = WithThreads(1, () => Harness.ForwardBackward(c.Ours, x, g));
        var (y3, dx3) = WithThreads(3, () => Harness.ForwardBackward(c.Ours, x, g));
        SameBits(y1, y3, $"{c} forward, 3 threads vs 1 ({dtype})");
        SameBits(dx1, dx3, $"{c} gradient, 3 threads vs 1 ({dtype})");
    }

    [Theory]
    [InlineData("prelu", false)]
    [InlineData("prelu", true)]
    [InlineData("swish", false)]
    [InlineData("swish", true)]
    public void Per_channel_gradients_are_the_same_for_every_thread_count(string name, bool narrow)
    {
        Func<Tensor, Tensor, Tensor> f = name == "prelu" ? F.prelu : F.swish;
        var x = torch.randn([4, 6, 9000], dtype: ScalarType.Float32, generator: new Generator(5)) * 3;
        var g = torch.randn([4, 6, 9000], dtype: ScalarType.Float32, generator: new Generator(6));
        var w = torch.linspace(-0.5, 1.5, 6);
        (Tensor Y, Tensor Dx, Tensor Dw) Run()
        {
            var (xl, wl) = (x.detach().requires_grad_(true), w.detach().requires_grad_(true));
            var y = f(xl, wl);
            y.backward([g]);
            return (y.detach(), xl.grad!, wl.grad!);
        }
        KernelRunner.NarrowOnThisThread = narrow;
        try {
            var one = WithThreads(1, Run);
            var three = WithThreads(3, Run);
            SameBits(one.Y, three.Y, $"{name} forward");
            SameBits(one.Dx, three.Dx, $"{name} input gradient");
            SameBits(one.Dw, three.Dw, $"{name} parameter gradient");
        } finally {
            KernelRunner.NarrowOnThisThread = false;
        }
    }

    [Fact]
    public void On_linux_the_kernels_run_on_libtorchs_openmp_team()
    {
        // libtorch's Linux packages are built with GNU OpenMP; elsewhere .NET's pool takes the work.
        if (OperatingSystem.IsLinux()) Assert.True(Parallelism.OnOpenMPTeam);
    }
}
