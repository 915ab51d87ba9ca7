using System.Globalization;

namespace TrainingSoak;

/// <summary>This process's memory and page-fault counters, read from Linux's /proc/self (zero elsewhere).</summary>
internal static class ProcStats
{
    /// <summary>A field of /proc/self/status in MB (VmRSS: resident now; VmHWM: the peak resident size).</summary>
    public static double StatusMB(string field)
    {
        const string status = "/proc/self/status";
        if (!File.Exists(status)) return 0;
        foreach (var line in File.ReadLines(status))
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
                return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
        throw new InvalidOperationException($"no {field} in {status}");
    }

    public static double RssMB() => StatusMB("VmRSS");

    public static double PeakRssMB() => StatusMB("VmHWM");

    /// <summary>Minor page faults so far (minflt, the 10th field of /proc/self/stat).</summary>
    public static long MinorFaults()
    {
        const string stat = "/proc/self/stat";
        if (!File.Exists(stat)) return 0;
        var text = File.ReadAllText(stat);
        // The command name (field 2) is parenthesised and may contain spaces; count fields after it.
        var fields = text[(text.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[7], CultureInfo.InvariantCulture);
    }
}
