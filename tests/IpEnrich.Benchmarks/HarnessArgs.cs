namespace IpEnrich.Benchmarks;

/// <summary>The <c>--name value</c> options of the harness modes (load, chaos, emulator).</summary>
internal static class HarnessArgs
{
    /// <summary>The value after <paramref name="name"/>, or null when the option is absent or has no value.</summary>
    public static string? Value(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
