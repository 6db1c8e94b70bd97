using System.Reflection;
using System.Runtime.Loader;

namespace IpEnrich.Benchmarks.Core;

/// <summary>
/// The benchmark work of another build of this project (a directory holding its IpEnrich.Benchmarks.dll), loaded
/// beside the current one, so that a change is measured against its base in the same process and the same rounds:
/// on shared cores two processes run minutes apart differ by more than most changes do.
/// </summary>
internal sealed class OtherBuild : AssemblyLoadContext
{
    private readonly AssemblyDependencyResolver _resolver;

    private OtherBuild(string benchmarksDll)
        : base("other build")
    {
        _resolver = new AssemblyDependencyResolver(benchmarksDll);
    }

    /// <summary>The other build's <c>ExtractAnnotateWork</c> methods as delegates, named like the current ones.</summary>
    public static (string Name, Func<byte[], int> Work)[] LoadWork(string directory)
    {
        var dll = Path.GetFullPath(Path.Combine(directory, "IpEnrich.Benchmarks.dll"));
        if (!File.Exists(dll))
        {
            throw new FileNotFoundException($"--against: no IpEnrich.Benchmarks.dll in {directory}", dll);
        }

        var context = new OtherBuild(dll);
        var type = context.LoadFromAssemblyPath(dll).GetType(typeof(ExtractAnnotateWork).FullName!, throwOnError: true)!;
        var plain = Activator.CreateInstance(type, BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, null, [false], null)!;
        Func<byte[], int> Method(string name) => type.GetMethod(name)!.CreateDelegate<Func<byte[], int>>(plain);
        return
        [
            ("ExtractOnly@against", Method(nameof(ExtractAnnotateWork.Extract))),
            ("ExtractAndAnnotate@against", Method(nameof(ExtractAnnotateWork.ExtractAndAnnotate))),
        ];
    }

    // Only the project's own assemblies come from the other build; the framework and packages are shared.
    protected override Assembly? Load(AssemblyName assemblyName) =>
        assemblyName.Name!.StartsWith("IpEnrich", StringComparison.Ordinal) && _resolver.ResolveAssemblyToPath(assemblyName) is { } path
            ? LoadFromAssemblyPath(path)
            : null;
}
