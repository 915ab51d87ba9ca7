using System.Runtime.InteropServices;
using TorchSharp;

namespace TorchActivations.Core.Kernels;

/// <summary>
/// Splits a kernel's work across as many threads as torch's intra-op setting allows
/// (<c>torch.set_num_threads</c>), as libtorch's own kernels do, so a package activation keeps pace with a
/// built-in when the process runs several threads. The work is a count of items (elements, rows, pieces)
/// processed in contiguous ranges; a range's result never depends on how the items were split (each element,
/// row or summing piece is computed alike whatever range holds it), so results are the same bits for every
/// thread count.
/// </summary>
/// <remarks>
/// Where libtorch runs its kernels on OpenMP (its Linux builds), the ranges run on the same OpenMP team,
/// through <c>GOMP_parallel</c> found among libtorch's own dependencies. The team's threads spin for a while
/// after each parallel region of torch's, so threads of .NET's pool would compete with them for the cores
/// right after every built-in op (measured: no gain, or a loss, in an interleaved loop), while the team
/// takes the work at once. Elsewhere the ranges run on .NET's thread pool.
/// </remarks>
internal static unsafe class Parallelism
{
    /// <summary>The fewest elements worth a thread of their own (libtorch's grain size).</summary>
    const long Grain = 32_768;

    /// <summary>
    /// Runs <paramref name="range"/>(state, first, count) over items [0, <paramref name="items"/>) of
    /// <paramref name="itemSize"/> elements each. Callers pass a static lambda and its state, so a call that is not
    /// split (every small tensor) allocates nothing.
    /// </summary>
    public static void For<TState>(long items, long itemSize, TState state, Action<TState, long, long> range)
    {
        long parts = Math.Min(Math.Min(torch.get_num_threads(), items * itemSize / Grain), items);
        if (parts <= 1) {
            range(state, 0, items);
            return;
        }
        var work = new Work<TState>(items, state, range, KernelRunner.NarrowOnThisThread);
        if (OpenMP.Available) {
            var handle = GCHandle.Alloc(work);
            try {
                OpenMP.Parallel(&RunOnTeam, (void*)GCHandle.ToIntPtr(handle), (uint)parts, 0);
            } finally {
                handle.Free();
            }
        } else {
            System.Threading.Tasks.Parallel.For(0, (int)parts, part => work.Run(part, (int)parts));
        }
        work.Rethrow();
    }

    interface IWork
    {
        void Run(int part, int parts);
    }

    /// <summary>One call's ranges: part p of P covers items [items·p/P, items·(p+1)/P).</summary>
    sealed class Work<TState>(long items, TState state, Action<TState, long, long> range, bool narrow) : IWork
    {
        Exception? failure;

        public void Run(int part, int parts)
        {
            // The 256-bit switch is per thread (tests set it on theirs): the workers take the caller's.
            bool own = KernelRunner.NarrowOnThisThread;
            KernelRunner.NarrowOnThisThread = narrow;
            try {
                long first = items * part / parts, end = items * (part + 1) / parts;
                if (end > first) range(state, first, end - first);
            } catch (Exception e) {
                // Never across the native frame of the OpenMP team; rethrown on the caller's thread.
                Interlocked.CompareExchange(ref failure, e, null);
            } finally {
                KernelRunner.NarrowOnThisThread = own;
            }
        }

        public void Rethrow()
        {
            if (failure is not null) throw new InvalidOperationException("A kernel failed on a worker thread.", failure);
        }
    }

    [UnmanagedCallersOnly]
    static void RunOnTeam(void* state)
    {
        // Each thread of the team takes its part of as many as the team has: a team smaller than asked (inside
        // another parallel region) still covers every item.
        var work = (IWork)GCHandle.FromIntPtr((IntPtr)state).Target!;
        work.Run(OpenMP.ThreadNumber(), OpenMP.ThreadCount());
    }

    /// <summary>Whether the ranges run on libtorch's OpenMP team (else on .NET's thread pool).</summary>
    internal static bool OnOpenMPTeam => OpenMP.Available;

    /// <summary>The OpenMP runtime libtorch was built with, when it is GNU's (libgomp), as in libtorch's Linux packages.</summary>
    static class OpenMP
    {
        public static readonly delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void> Parallel;
        public static readonly delegate* unmanaged<int> ThreadNumber;
        public static readonly delegate* unmanaged<int> ThreadCount;

        public static bool Available => Parallel != null;

        static OpenMP()
        {
            // dlsym on libtorch's handle searches its dependencies too, so the runtime is found whatever its file name.
            if (!OperatingSystem.IsLinux() || !NativeLibrary.TryLoad("libtorch_cpu.so", out var torchCpu)) return;
            if (NativeLibrary.TryGetExport(torchCpu, "GOMP_parallel", out var parallel)
                && NativeLibrary.TryGetExport(torchCpu, "omp_get_thread_num", out var threadNumber)
                && NativeLibrary.TryGetExport(torchCpu, "omp_get_num_threads", out var threadCount)) {
                ThreadNumber = (delegate* unmanaged<int>)threadNumber;
                ThreadCount = (delegate* unmanaged<int>)threadCount;
                Parallel = (delegate* unmanaged<delegate* unmanaged<void*, void>, void*, uint, uint, void>)parallel;
            }
        }
    }
}
