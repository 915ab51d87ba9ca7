using Spectre.Console;

namespace MnistDemo;

/// <summary>
/// Progress for long loops: a Spectre.Console progress bar on an interactive terminal; otherwise (output redirected,
/// CI=true, TERM=dumb, --plain) a plain line at the first report and then each time another 10% is done
/// (0%, 10%, ..., 100%; a loop of fewer than ten steps prints one line per step), so logs stay readable.
/// </summary>
public static class Ui
{
    public static bool Plain { get; set; }

    public static bool Interactive =>
        !Plain && !Console.IsOutputRedirected
        && !string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase)
        && Environment.GetEnvironmentVariable("TERM") is not "dumb"
        && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Runs <paramref name="body"/>, which reports progress through the callback (steps done so far, status text).</summary>
    public static T Run<T>(string title, long total, Func<Action<long, string>, T> body)
    {
        if (Interactive) {
            T result = default!;
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                .Start(ctx => {
                    var task = ctx.AddTask(Markup.Escape(title), maxValue: Math.Max(1, total));
                    result = body((done, status) => {
                        task.Value = done;
                        task.Description = Markup.Escape(status.Length > 0 ? $"{title} {status}" : title);
                    });
                    task.Value = task.MaxValue;
                });
            return result;
        } else {
            long lastDecile = -1;
            var started = DateTime.UtcNow;
            return body((done, status) => {
                long decile = total <= 0 ? 10 : done * 10 / total;
                if (decile == lastDecile) return;
                lastDecile = decile;
                Console.WriteLine($"{title}: {done}/{total} ({decile * 10}%) {status} [{(DateTime.UtcNow - started).TotalSeconds:F0}s]");
            });
        }
    }

    public static void Run(string title, long total, Action<Action<long, string>> body) =>
        Run<int>(title, total, report => { body(report); return 0; });
}
