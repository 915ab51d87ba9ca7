namespace MnistDemo;
public static class GradientFlow
{
    public static int Run(string[] names, int depth, int width, int batch, int seed, bool builtin, string data, bool download, string outDir) => throw new NotImplementedException();
}
public static class Compare
{
    public static int Run(TrainConfig config, string[] names, int seeds, bool reference, string outDir, bool download) => throw new NotImplementedException();
}
