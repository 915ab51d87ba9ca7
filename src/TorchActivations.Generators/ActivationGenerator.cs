using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace TorchActivations.Generators;

/// <summary>
/// Writes the public face of every definition marked <c>[Activation(functional, module)]</c>: the module class in
/// <c>TorchActivations.Modules</c>, the factory in <c>Activations</c> and the functional in <c>Functional</c>.
/// The definition's primary constructor gives the parameters (names, types, defaults); its documentation comment gives
/// the functional's documentation, which the module and factory inherit. A parameter <c>p_q</c> is read back on the
/// module from the definition's property <c>PQ</c>.
/// </summary>
[Generator]
public sealed class ActivationGenerator : IIncrementalGenerator
{
    const string AttributeName = "TorchActivations.Core.ActivationAttribute";

    public void Initialize(IncrementalGeneratorInitializationContext context)
    {
        var sources = context.SyntaxProvider.ForAttributeWithMetadataName(
            AttributeName,
            static (node, _) => node is ClassDeclarationSyntax,
            static (ctx, _) => Emit((ClassDeclarationSyntax)ctx.TargetNode, ctx.Attributes[0]));
        context.RegisterSourceOutput(sources, static (spc, s) => spc.AddSource(s.HintName, s.Text));
    }

    sealed record Source(string HintName, string Text);

    sealed record Parameter(string Type, string Name, string? Default, string Doc)
    {
        public string Declaration => Default is null ? $"{Type} {Name}" : $"{Type} {Name} = {Default}";
        public string Property => string.Concat(Name.Split('_').Select(p => p.Length == 0 ? p : char.ToUpperInvariant(p[0]) + p.Substring(1)));
    }

    static Source Emit(ClassDeclarationSyntax declaration, AttributeData attribute)
    {
        var functional = (string)attribute.ConstructorArguments[0].Value!;
        var module = (string)attribute.ConstructorArguments[1].Value!;
        bool inplace = attribute.NamedArguments.Any(a => a.Key == "Inplace" && a.Value.Value is true);
        bool keepsShape = !attribute.NamedArguments.Any(a => a.Key == "KeepsShape" && a.Value.Value is false);
        var perChannel = attribute.NamedArguments.FirstOrDefault(a => a.Key == "PerChannel").Value.Value as string;
        var init = attribute.NamedArguments.FirstOrDefault(a => a.Key == "Init").Value.Value is double d ? d : 1.0;
        var definition = declaration.Identifier.Text;

        var docLines = DocumentationLines(declaration);
        var usings = Usings(declaration);
        // The declaration may describe the input itself (<input>...</input>: a class has no such parameter).
        var inputDoc = InputDoc(ref docLines) ?? (perChannel is null ? "A floating-point tensor of any shape." : "A floating-point tensor; channels are dim 1.");
        if (perChannel is not null) return EmitPerChannel(functional, module, definition, perChannel, init, docLines, usings, inputDoc);
        var docText = string.Join("\n", docLines);
        var parameters = (declaration.ParameterList?.Parameters ?? default)
            .Select(p => new Parameter(p.Type!.ToString(), p.Identifier.Text, p.Default?.Value.ToString(), ParamDoc(docText, p.Identifier.Text)))
            .ToList();
        var args = string.Join(", ", parameters.Select(p => p.Name));
        var instance = parameters.Count == 0 ? $"{definition}.Instance" : $"new {definition}({args})";

        var s = new StringBuilder();
        Header(s, definition, usings);
        if (parameters.Count == 0) SharedInstance(s, definition);

        // The module: constructor, and each parameter read back from the definition.
        var ctorParameters = parameters.Select(p => $"{p.Type} {p.Name}").Concat(inplace ? ["bool inplace"] : new string[0]);
        s.AppendLine("namespace TorchActivations.Modules");
        s.AppendLine("{");
        s.AppendLine($"    /// <inheritdoc cref=\"Functional.{functional}\"/>");
        if (keepsShape) {
            s.AppendLine($"    public sealed class {module} : ActivationModule");
            s.AppendLine("    {");
            s.AppendLine($"        internal {module}({string.Join(", ", ctorParameters)})");
            s.AppendLine($"            : base(nameof({module}), {instance}{(inplace ? ", inplace" : "")}) {{ }}");
            foreach (var p in parameters) {
                s.AppendLine();
                s.AppendLine($"        /// <summary>{p.Doc}</summary>");
                s.AppendLine($"        public {p.Type} {p.Name} => (({definition})Definition).{p.Property};");
            }
        } else {
            // The output has another shape than the input, so there is no inplace (ActivationModule has one).
            s.AppendLine($"    public sealed class {module} : TorchSharp.Modules.ParameterLessModule<Tensor, Tensor>, IDeclaredActivation");
            s.AppendLine("    {");
            s.AppendLine($"        readonly {definition} definition;");
            s.AppendLine();
            s.AppendLine($"        internal {module}({string.Join(", ", ctorParameters)}) : base(nameof({module})) => definition = {instance};");
            s.AppendLine();
            s.AppendLine("        ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => definition;");
            foreach (var p in parameters) {
                s.AppendLine();
                s.AppendLine($"        /// <summary>{p.Doc}</summary>");
                s.AppendLine($"        public {p.Type} {p.Name} => definition.{p.Property};");
            }
            s.AppendLine();
            s.AppendLine($"        /// <summary>Applies {module} to <paramref name=\"input\"/>.</summary>");
            s.AppendLine("        public override Tensor forward(Tensor input) => definition.Apply(input);");
        }
        s.AppendLine("    }");
        s.AppendLine("}");
        s.AppendLine();

        var withDefaults = parameters.Select(p => p.Declaration).Concat(inplace ? ["bool inplace = false"] : new string[0]).ToList();
        var factoryArgs = parameters.Select(p => p.Name).Concat(inplace ? ["inplace"] : new string[0]);
        s.AppendLine("namespace TorchActivations");
        s.AppendLine("{");
        s.AppendLine("    public static partial class Activations");
        s.AppendLine("    {");
        s.AppendLine($"        /// <inheritdoc cref=\"Functional.{functional}\"/>");
        s.AppendLine($"        public static {module} {module}({string.Join(", ", withDefaults)}) => new({string.Join(", ", factoryArgs)});");
        s.AppendLine("    }");
        s.AppendLine();
        s.AppendLine("    public static partial class Functional");
        s.AppendLine("    {");
        FunctionalDocumentation(s, docLines, inputDoc);
        if (inplace) s.AppendLine("        /// <param name=\"inplace\">Write the result into the input; only where autograd does not record.</param>");
        s.AppendLine($"        public static Tensor {functional}({string.Join(", ", new[] { "Tensor input" }.Concat(withDefaults))}) =>");
        s.AppendLine($"            {instance}.Apply(input{(inplace ? ", inplace" : "")});");
        s.AppendLine("    }");
        s.AppendLine("}");
        return new Source($"{module}.g.cs", s.ToString());
    }

    /// <summary>
    /// An activation with one learnable per-channel tensor (PReLU's weight, Swish's β): the module owns it as a
    /// parameter of that name, created from <c>num_parameters</c> and <c>init</c>; the functional takes it as a tensor.
    /// </summary>
    static Source EmitPerChannel(string functional, string module, string definition, string parameter, double init, List<string> docLines,
        IEnumerable<string> usings, string inputDoc)
    {
        var initText = init.ToString("R", System.Globalization.CultureInfo.InvariantCulture);
        if (!initText.Contains(".") && !initText.Contains("E")) initText += ".0";
        var field = "_" + parameter;
        var s = new StringBuilder();
        Header(s, definition, usings.Concat(["using TorchSharp;", "using TorchSharp.Utils;"]));
        SharedInstance(s, definition);
        s.AppendLine($$"""
namespace TorchActivations.Modules
{
    /// <inheritdoc cref="Functional.{{functional}}"/>
    public sealed class {{module}} : torch.nn.Module<Tensor, Tensor>, IDeclaredActivation
    {
        ActivationDefinition IDeclaredActivation.DefinitionFor(bool training) => {{definition}}.Instance;

        internal {{module}}(long num_parameters, double init, Device? device, ScalarType? dtype) : base(nameof({{module}}))
        {
            {{parameter}} = PerChannelParameter.Create(num_parameters, init, device, dtype);
            this.num_parameters = num_parameters;
            this.init = init;
        }

        /// <summary>The learnable <c>{{parameter}}</c>, shape [num_parameters], registered as the parameter <c>{{parameter}}</c>.</summary>
        public TorchSharp.Modules.Parameter {{parameter}} {
            get => {{field}}!;
            set {
                ArgumentNullException.ThrowIfNull(value, nameof({{parameter}}));
                if (value.Handle == {{field}}?.Handle) return;
                {{field}}?.Dispose();
                {{field}} = (TorchSharp.Modules.Parameter)value.DetachFromDisposeScope();
                ConditionallyRegisterParameter(nameof({{parameter}}), {{field}});
            }
        }

        /// <summary>Number of <c>{{parameter}}</c> values: 1 (shared) or the number of input channels.</summary>
        public long num_parameters { get; }

        /// <summary>The initial value of every <c>{{parameter}}</c> value.</summary>
        public double init { get; }

        /// <summary>Applies the activation with this module's <c>{{parameter}}</c>.</summary>
        public override Tensor forward(Tensor input) => Functional.{{functional}}(input, {{parameter}});

        /// <inheritdoc/>
        protected override void Dispose(bool disposing)
        {
            if (disposing) {{field}}?.Dispose();
            base.Dispose(disposing);
        }

        // TorchSharp finds a parameter's field by this name when it moves the module (to(device), to(dtype)).
        [ComponentName(Name = nameof({{parameter}}))]
        TorchSharp.Modules.Parameter? {{field}};
    }
}

namespace TorchActivations
{
    public static partial class Activations
    {
        /// <inheritdoc cref="Functional.{{functional}}"/>
        /// <param name="num_parameters">How many values of <c>{{parameter}}</c> to learn: 1 (shared by all channels) or the number of input channels. Default 1.</param>
        /// <param name="init">The initial value of every <c>{{parameter}}</c>. Default {{initText}}.</param>
        /// <param name="device">Where to create <c>{{parameter}}</c>.</param>
        /// <param name="dtype">The floating-point type of <c>{{parameter}}</c>; default the default dtype.</param>
        /// <example>
        /// <code>
        /// var act = Activations.{{module}}(num_parameters: 32);   // one value per channel of an [N, 32, H, W] input
        /// var y = act.call(x);                                  // act.{{parameter}} receives its gradient on backward
        /// </code>
        /// </example>
        public static {{module}} {{module}}(long num_parameters = 1, double init = {{initText}}, Device? device = null, ScalarType? dtype = null) =>
            new(num_parameters, init, device, dtype);
    }

    public static partial class Functional
    {
""");
        // The declaration documents its tensor with <learnable>, as a class has no such parameter; the functional does.
        docLines = docLines.Select(l => l.Replace("<learnable ", "<param ").Replace("</learnable>", "</param>")).ToList();
        FunctionalDocumentation(s, docLines, inputDoc);
        s.AppendLine($$"""
        public static Tensor {{functional}}(Tensor input, Tensor {{parameter}})
        {
            ArgumentNullException.ThrowIfNull({{parameter}}, nameof({{parameter}}));
            return {{definition}}.Instance.Apply([input, {{parameter}}]);
        }
    }
}
""");
        return new Source($"{module}.g.cs", s.ToString());
    }

    /// <summary>The definition's documentation with <c>input</c> described before its other parameters.</summary>
    static void FunctionalDocumentation(StringBuilder s, List<string> docLines, string inputDoc)
    {
        int firstParam = docLines.FindIndex(l => l.StartsWith("/// <param"));
        var head = firstParam < 0 ? docLines : docLines.Take(firstParam);
        var rest = firstParam < 0 ? new List<string>() : docLines.Skip(firstParam);
        foreach (var line in head) s.AppendLine("        " + line);
        s.AppendLine($"        /// <param name=\"input\">{inputDoc}</param>");
        foreach (var line in rest) s.AppendLine("        " + line);
    }

    /// <summary>A definition without parameters is immutable and needs one instance only.</summary>
    static void SharedInstance(StringBuilder s, string definition)
    {
        s.AppendLine("namespace TorchActivations.Core");
        s.AppendLine("{");
        s.AppendLine($"    partial class {definition}");
        s.AppendLine("    {");
        s.AppendLine($"        public static readonly {definition} Instance = new();");
        s.AppendLine("    }");
        s.AppendLine("}");
        s.AppendLine();
    }

    static void Header(StringBuilder s, string definition, IEnumerable<string> usings)
    {
        s.AppendLine("// <auto-generated/> by TorchActivations.Generators from the [Activation] declaration of " + definition + ".");
        s.AppendLine("#nullable enable");
        foreach (var u in new[] { "using TorchActivations.Core;", "using TorchActivations.Modules;", "using static TorchSharp.torch;" }
                     .Concat(usings).Distinct()) s.AppendLine(u);
        s.AppendLine();
    }

    /// <summary>The declaring file's using directives, so that types and default values read as they do there.</summary>
    static List<string> Usings(ClassDeclarationSyntax declaration) =>
        declaration.SyntaxTree.GetCompilationUnitRoot().Usings.Select(u => u.ToString().Trim()).ToList();

    /// <summary>Takes the <c>&lt;input&gt;</c> line out of the documentation and returns its text, or null.</summary>
    static string? InputDoc(ref List<string> docLines)
    {
        var line = docLines.FirstOrDefault(l => l.StartsWith("/// <input>"));
        if (line is null) return null;
        docLines = docLines.Where(l => l != line).ToList();
        var m = Regex.Match(line, "<input>(.*)</input>");
        return m.Success ? m.Groups[1].Value.Trim() : null;
    }

    /// <summary>The declaration's <c>///</c> lines, trimmed of indentation.</summary>
    static List<string> DocumentationLines(ClassDeclarationSyntax declaration)
    {
        var trivia = declaration.GetLeadingTrivia()
            .Where(t => t.IsKind(SyntaxKind.SingleLineDocumentationCommentTrivia))
            .Select(t => t.ToFullString());
        // Attribute lists are part of the declaration, so its leading trivia is the doc comment above them.
        return string.Concat(trivia).Split('\n')
            .Select(l => l.Trim())
            .Where(l => l.StartsWith("///"))
            .ToList();
    }

    static string ParamDoc(string docText, string name)
    {
        var m = Regex.Match(docText, $"<param name=\"{Regex.Escape(name)}\">(.*?)</param>", RegexOptions.Singleline);
        if (!m.Success) return name;
        return Regex.Replace(m.Groups[1].Value.Replace("///", " "), @"\s+", " ").Trim();
    }
}
