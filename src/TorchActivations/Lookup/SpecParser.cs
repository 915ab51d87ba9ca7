namespace TorchActivations.Lookup;

/// <summary>Parses <c>name</c> or <c>name(arg, key=value, ...)</c>; values may be quoted.</summary>
internal static class SpecParser
{
    public static (string Name, List<(string? Key, string Value)> Arguments) Parse(string spec)
    {
        var text = spec.Trim();
        int open = text.IndexOf('(');
        if (open < 0) {
            CheckName(text, spec);
            return (text, []);
        }
        if (!text.EndsWith(')'))
            throw Error(spec, "a '(' without a closing ')' at the end");
        var name = text[..open].Trim();
        CheckName(name, spec);
        var inside = text[(open + 1)..^1].Trim();
        var arguments = new List<(string?, string)>();
        if (inside.Length == 0) return (name, arguments);

        foreach (var part in inside.Split(',')) {
            var piece = part.Trim();
            if (piece.Length == 0) throw Error(spec, "an empty argument");
            int eq = piece.IndexOf('=');
            string? key = eq < 0 ? null : piece[..eq].Trim();
            var value = Unquote((eq < 0 ? piece : piece[(eq + 1)..]).Trim());
            if (key is { Length: 0 } || value.Length == 0) throw Error(spec, $"an incomplete argument '{piece}'");
            arguments.Add((key, value));
        }
        return (name, arguments);
    }

    static string Unquote(string s) =>
        s.Length >= 2 && (s[0] == '"' || s[0] == '\'') && s[^1] == s[0] ? s[1..^1] : s;

    static void CheckName(string name, string spec)
    {
        if (name.Length == 0 || !name.All(c => char.IsLetterOrDigit(c) || c is '_' or '-'))
            throw Error(spec, name.Length == 0 ? "no activation name" : $"an invalid name '{name}'");
    }

    static ArgumentException Error(string spec, string problem) =>
        new($"Cannot read the activation spec '{spec}': it has {problem}. Write it as name or name(key=value, ...), e.g. leaky_relu(negative_slope=0.2).", nameof(spec));
}
