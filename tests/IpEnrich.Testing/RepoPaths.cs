namespace IpEnrich.Testing;

/// <summary>Locates the repository, its own samples and the shared corpus beside it (when present).</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string Samples => Path.Combine(Root, "samples", "alerts");

    /// <summary>../shared/corpus beside the project root; null on machines that do not have it.</summary>
    public static string? SharedCorpus
    {
        get
        {
            var path = Path.GetFullPath(Path.Combine(Root, "..", "shared", "corpus"));
            return Directory.Exists(path) ? path : null;
        }
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IpEnrich.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("IpEnrich.sln not found above " + AppContext.BaseDirectory);
    }
}
