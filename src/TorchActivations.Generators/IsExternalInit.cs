namespace System.Runtime.CompilerServices;

// netstandard2.0 lacks the marker type that records' init accessors need; the compiler accepts this declaration.
internal static class IsExternalInit { }
