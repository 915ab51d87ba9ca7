// Torch's global random generator and thread pool are shared by the whole process: tests that seed it
// must not interleave, and the machine's cores are shared, so the tests run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
